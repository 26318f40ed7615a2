/**
 * `DatagramProtocol`, the class UDP programs subclass (Twisted's `twisted.internet.protocol.DatagramProtocol`).
 *
 * @module
 */
import type { DefaultDatagramTransport, IUDPTransport } from '../interfaces.ts';
import { AbstractDatagramProtocol } from './abstract-datagram-protocol.ts';

/**
 * A UDP protocol: subclass it and override `datagramReceived` (and `startProtocol`,
 * `stopProtocol`, `connectionRefused` as needed).
 *
 * @example
 * class Echo extends DatagramProtocol {
 *   override datagramReceived(data: Buffer, addr: readonly [string, number]) {
 *     this.transport.write(data, addr);
 *   }
 * }
 * reactor.listenUDP(9999, new Echo(), '127.0.0.1');
 *
 * @example
 * // A multicast protocol sees its transport as a MulticastPort:
 * class Listener extends DatagramProtocol<MulticastPort> {
 *   override startProtocol() { this.transport.joinGroup('228.0.0.5'); }
 * }
 */
export class DatagramProtocol<
  T extends IUDPTransport = DefaultDatagramTransport,
> extends AbstractDatagramProtocol<T> {
  /**
   * Connected UDP only: the peer answered an earlier datagram with ICMP port-unreachable (nobody
   * listens there). The port keeps running; the default does nothing. It may be `async` (a
   * rejection is logged as a throw is).
   */
  connectionRefused(): void | Promise<void> {}
}
