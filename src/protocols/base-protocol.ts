/**
 * The base of every stream protocol (Twisted's `twisted.internet.protocol.BaseProtocol`).
 *
 * @module
 */
import type { IStreamTransport, ITransport } from '../interfaces.ts';

/**
 * What every connection-oriented protocol has: its `transport` and `connected`, set by
 * `makeConnection`, which then calls `connectionMade()`.
 *
 * `T` is the transport type: by default a TCP connection's ({@link IStreamTransport} with IP
 * addresses); a protocol served over UNIX sockets may declare
 * `Protocol<IStreamTransport<IUNIXAddress>>` so that `getPeer()` is typed as a UNIX address.
 */
export class BaseProtocol<T extends ITransport = IStreamTransport> {
  /**
   * `true` once `makeConnection` ran. As in Twisted, it is not reset when the connection is
   * lost: look at `transport.disconnected` for that.
   */
  connected = false;

  /**
   * The connection this protocol speaks over. It is `undefined` until `makeConnection` (Twisted's
   * `None`); from `connectionMade` on it is always set, which is why it is typed without
   * `| undefined`: ported code writes `this.transport.write(data)` as in Python, with no `!`.
   */
  transport: T = undefined as unknown as T;

  /**
   * Attaches the transport, sets `connected` and calls `connectionMade()`; returns what
   * `connectionMade` returned, so that the transport logs the rejection of an `async` one.
   */
  makeConnection(transport: T): void | Promise<void> {
    this.connected = true;
    this.transport = transport;
    return this.connectionMade();
  }

  /**
   * The connection is made: for a server, a client was accepted; for a client, the server
   * answered. Send a greeting here. The default does nothing. It may be `async`: a rejection is
   * logged and drops the connection, as a throw does.
   */
  connectionMade(): void | Promise<void> {}
}
