/**
 * The class stream protocols subclass (Twisted's `twisted.internet.protocol.Protocol`).
 *
 * @module
 */
import type { Failure } from '../failure.ts';
import type { IProtocol, IProtocolFactory, IStreamTransport, ITransport } from '../interfaces.ts';
import { BaseProtocol } from './base-protocol.ts';

/**
 * A connection-oriented protocol: override `dataReceived` for what arrives and
 * `connectionLost` for the end; write through `this.transport`.
 *
 * To handle half-closed connections, also define `readConnectionLost()` and
 * `writeConnectionLost()` (Twisted's `IHalfCloseableProtocol`): the end of the peer's data then
 * reaches `readConnectionLost()` and the connection stays open for writing.
 *
 * @example
 * class Echo extends Protocol {
 *   override dataReceived(data: Buffer) {
 *     this.transport.write(data);
 *   }
 * }
 * reactor.listenTCP(8000, Factory.forProtocol(Echo));
 */
export class Protocol<T extends ITransport = IStreamTransport>
  extends BaseProtocol<T>
  implements IProtocol<T>
{
  /**
   * The factory that built this protocol (set by `Factory.buildProtocol`), or `undefined`. A
   * subclass that needs its own factory's type declares it: `declare factory: ChatFactory;`.
   */
  factory: IProtocolFactory | undefined = undefined;

  /**
   * Called with each chunk of data as it arrives. TCP keeps no message boundaries: buffer
   * partial messages (or use `LineReceiver` and friends). The default ignores the data. A throw,
   * or the rejection of an `async` one, is logged and drops the connection.
   */
  dataReceived(_data: Buffer): void | Promise<void> {}

  /**
   * Called once when the connection is closed: `reason.value` is a `ConnectionDone` for a clean
   * close, a `ConnectionLost` (or `ConnectionAborted`) otherwise, or the error a callback threw.
   * Clear references to the connection here. The default does nothing.
   */
  connectionLost(_reason: Failure): void | Promise<void> {}

  /** The `system` name of what this protocol's connection logs: the class name. */
  logPrefix(): string {
    return this.constructor.name;
  }
}
