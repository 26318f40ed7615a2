/**
 * How the benchmark processes reach twisted-ts: straight from src/ through Node's type stripping,
 * so a run measures the working tree without a build (the code Node runs is the same JavaScript
 * that dist/ ships: stripping only blanks out types, and the build targets ES2023 without
 * down-levelling).
 *
 * @module
 */
import type dgram from 'node:dgram';
import { listenUDP, reactor } from '../../src/index.ts';
import type { IDatagramProtocol, ListenUDPOptions } from '../../src/index.ts';
import type { UdpPort } from '../../src/transports/udp-port.ts';

export { reactor };

/** `reactor.listenUDP`, or the transports' `listenUDP` with the reactor as owner when the reactor lacks it. */
export function ttListenUDP(port: number, protocol: IDatagramProtocol, options: ListenUDPOptions): UdpPort {
  const r = reactor as unknown as {
    listenUDP?: (port: number, protocol: IDatagramProtocol, options: ListenUDPOptions) => UdpPort;
  };
  if (typeof r.listenUDP === 'function') return r.listenUDP(port, protocol, options);
  return listenUDP(reactor, port, protocol, options);
}

/**
 * The dgram socket under a port. twisted-ts has no option for SO_RCVBUF (Twisted has none
 * either: its users call `port.socket.setsockopt`); the benchmark reaches for the socket the
 * same way.
 */
export function socketOf(port: UdpPort): dgram.Socket {
  return (port as unknown as { socket: dgram.Socket }).socket;
}

/** The multicast port's methods the benchmark uses. */
export interface BenchMulticastPort {
  joinGroup(group: string, iface?: string): PromiseLike<unknown>;
  getHost(): { port: number };
  stopListening(): unknown;
}

/**
 * `reactor.listenMulticast(port, protocol, { listenMultiple: true })`, or `undefined` while this
 * tree has no multicast support yet.
 */
export function ttListenMulticast(
  port: number,
  protocol: IDatagramProtocol,
  options: { interface?: string; listenMultiple: boolean; maxPacketSize?: number },
): BenchMulticastPort | undefined {
  const r = reactor as unknown as {
    listenMulticast?: (port: number, protocol: IDatagramProtocol, options: object) => BenchMulticastPort;
  };
  if (typeof r.listenMulticast !== 'function') return undefined;
  return r.listenMulticast(port, protocol, options);
}
