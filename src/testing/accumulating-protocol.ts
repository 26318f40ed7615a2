/**
 * Twisted's `twisted.internet.testing.AccumulatingProtocol`.
 *
 * @module
 */
import type { Deferred } from '../defer/deferred.ts';
import type { Failure } from '../failure.ts';
import type { IProtocolFactory } from '../interfaces.ts';
import { Protocol } from '../protocols/protocol.ts';

/**
 * A factory that an {@link AccumulatingProtocol} tells when it connects: if
 * `protocolConnectionMade` holds a Deferred, the protocol fires it with itself (once) from
 * `connectionMade`, as in Twisted.
 */
export interface AccumulatingFactory extends IProtocolFactory {
  /** Fired with the protocol by its `connectionMade`, then cleared. */
  protocolConnectionMade?: Deferred<AccumulatingProtocol> | undefined;
}

/**
 * A protocol that keeps what it receives in `data` and notes its connection's start and end —
 * with Deferreds to wait on: `factory.protocolConnectionMade` fires on connect,
 * `closedDeferred` on disconnect.
 *
 * @example
 * const factory = Factory.forProtocol(AccumulatingProtocol);
 * const made = (factory.protocolConnectionMade = new Deferred());
 * reactor.connectTCP('127.0.0.1', port, factory);
 * const proto = await made;
 */
export class AccumulatingProtocol extends Protocol {
  /** `true` once `connectionMade` ran. */
  made = false;
  /** `true` once `connectionLost` ran. */
  closed = false;
  /** The reason given to `connectionLost`, once it ran. */
  closedReason: Failure | undefined = undefined;
  /** If set, fired (once, with `undefined`) by `connectionLost`, then cleared. */
  closedDeferred: Deferred<void> | undefined = undefined;
  /** Everything received, in order. */
  data: Buffer = Buffer.alloc(0);
  declare factory: AccumulatingFactory | undefined;

  /** Sets `made` and fires the factory's `protocolConnectionMade` Deferred, if any. */
  override connectionMade(): void {
    this.made = true;
    const factory = this.factory;
    const d = factory?.protocolConnectionMade;
    if (factory !== undefined && d !== undefined) {
      factory.protocolConnectionMade = undefined;
      d.callback(this);
    }
  }

  /** Appends the chunk to the `data` field. */
  override dataReceived(data: Buffer): void {
    this.data = Buffer.concat([this.data, data]);
  }

  /** Sets `closed` and `closedReason`, and fires `closedDeferred`, if any. */
  override connectionLost(reason: Failure): void {
    this.closed = true;
    this.closedReason = reason;
    const d = this.closedDeferred;
    if (d !== undefined) {
      this.closedDeferred = undefined;
      d.callback(undefined);
    }
  }
}
