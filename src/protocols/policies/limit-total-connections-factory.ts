/**
 * Twisted's `twisted.protocols.policies.LimitTotalConnectionsFactory`.
 *
 * @module
 */
import type { IProtocol, StreamAddress } from '../../interfaces.ts';
import type { ProtocolClass } from '../factory.ts';
import { ServerFactory } from '../server-factory.ts';
import { ProtocolWrapper, type ProtocolWrapperFactory } from './protocol-wrapper.ts';

/**
 * A server factory that allows at most `connectionLimit` connections at once. A connection
 * beyond the limit gets an `overflowProtocol` (one that says "busy" and hangs up, say) or, when
 * there is none, is closed at once. Each protocol is wrapped in a {@link ProtocolWrapper} that
 * counts it out when its connection ends.
 *
 * @example
 * class Limited extends LimitTotalConnectionsFactory {
 *   override protocol = Chat;
 *   override connectionLimit = 100;
 *   override overflowProtocol = TooBusy;
 * }
 */
export class LimitTotalConnectionsFactory
  extends ServerFactory<ProtocolWrapper>
  implements ProtocolWrapperFactory
{
  /** How many connections are up now. */
  connectionCount = 0;
  /** The most connections allowed at once, or `undefined` for no limit. */
  connectionLimit: number | undefined = undefined;
  /** The protocol for connections over the limit, or `undefined` to close them at once. */
  overflowProtocol: ProtocolClass | undefined = undefined;
  /** The protocol for connections within the limit (wrapped before it is returned). */
  declare protocol: ProtocolClass<ProtocolWrapper> | undefined;

  /** A wrapped `protocol`, a wrapped `overflowProtocol` over the limit, or `undefined` to refuse. */
  override buildProtocol(_addr: StreamAddress): ProtocolWrapper | undefined {
    let Chosen: ProtocolClass | undefined;
    if (this.connectionLimit === undefined || this.connectionCount < this.connectionLimit) {
      Chosen = this.protocol as ProtocolClass | undefined;
    } else if (this.overflowProtocol === undefined) {
      return undefined;
    } else {
      Chosen = this.overflowProtocol;
    }
    if (typeof Chosen !== 'function') return super.buildProtocol(_addr);
    const wrapped: IProtocol = new Chosen();
    (wrapped as { factory?: unknown }).factory = this;
    const wrapper = new ProtocolWrapper(this, wrapped);
    this.connectionCount += 1;
    return wrapper;
  }

  /** Nothing to do: connections are counted as they are built. */
  registerProtocol(_wrapper: ProtocolWrapper): void {}

  /** Counts a connection out. */
  unregisterProtocol(_wrapper: ProtocolWrapper): void {
    this.connectionCount -= 1;
  }
}
