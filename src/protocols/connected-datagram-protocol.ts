/**
 * `ConnectedDatagramProtocol` (Twisted's `twisted.internet.protocol.ConnectedDatagramProtocol`).
 *
 * @module
 */
import type { DefaultDatagramTransport, IUDPTransport } from '../interfaces.ts';
import type { Failure } from '../failure.ts';
import { DatagramProtocol } from './datagram-protocol.ts';

/**
 * A protocol for connected UDP: after `this.transport.connect(host, port)` it talks to one peer,
 * writes without an address, only receives that peer's datagrams, and hears about ICMP
 * port-unreachable through `connectionRefused()`.
 *
 * Twisted's version passes only the datagram to `datagramReceived`; here the sender's address
 * follows as a second argument (always the connected peer), so an override taking only
 * `(datagram)` works unchanged.
 *
 * @example
 * class Pinger extends ConnectedDatagramProtocol {
 *   override startProtocol() {
 *     this.transport.connect('127.0.0.1', 9999);
 *     this.transport.write(Buffer.from('ping'));
 *   }
 *   override connectionRefused() { console.log('nobody listens on 9999'); }
 * }
 */
export class ConnectedDatagramProtocol<
  T extends IUDPTransport = DefaultDatagramTransport,
> extends DatagramProtocol<T> {
  /** Called if connecting failed (kept for Twisted compatibility; connecting to an IP literal does not fail later). */
  connectionFailed(_failure: Failure): void {}
}
