/**
 * Twisted's `twisted.internet.testing.StringTransportWithDisconnection`.
 *
 * @module
 */
import { ConnectionDone } from '../errors.ts';
import { Failure } from '../failure.ts';
import type { IAddress, IProtocol, StreamAddress } from '../interfaces.ts';
import { StringTransport } from './string-transport.ts';

/**
 * A {@link StringTransport} whose `loseConnection()` tells the protocol: the first call sets
 * `connected` to false and calls `protocol.connectionLost` with a `ConnectionDone`. Set
 * `protocol` before that.
 *
 * @example
 * const transport = new StringTransportWithDisconnection();
 * transport.protocol = proto;
 * proto.makeConnection(transport);
 * transport.loseConnection(); // proto.connectionLost(Failure(ConnectionDone))
 */
export class StringTransportWithDisconnection<A extends StreamAddress = IAddress> extends StringTransport<A> {
  /** The protocol told of the disconnection. */
  protocol: IProtocol | undefined = undefined;

  /** Once: `connected` becomes false and the protocol gets `connectionLost(ConnectionDone)`. */
  override loseConnection(): void {
    if (!this.connected) return;
    this.connected = false;
    void this.protocol?.connectionLost(new Failure(new ConnectionDone('Bye.')));
  }
}
