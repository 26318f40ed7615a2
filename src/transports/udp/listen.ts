/**
 * `listenUDP`: validates its arguments (with the parser the testing fakes share), then makes,
 * binds and starts a {@link UdpPort}. The Reactor's `listenUDP` method delegates here.
 *
 * @module
 */
import type { IDatagramProtocol, IPortOwner, ListenUDPOptions } from '../../interfaces.ts';
import { chooseIO } from '../native/io-choice.ts';
import { parseListenUDPArgs } from './listen-options.ts';
import { UdpPort } from './udp-port.ts';

/**
 * Listens for datagrams on `port` (Twisted's `reactor.listenUDP`).
 *
 * Every argument is checked before anything is created: `port` an integer 0–65535 (0: a free
 * one), `protocol` a datagram protocol not already listening, the interface `''` (all IPv4
 * interfaces) or an IP literal — an IPv6 literal makes an IPv6 port; host names are refused
 * with `InvalidAddressError`, as Twisted does no DNS here.
 *
 * The port is bound when this returns: `getHost()` gives the real port, `startProtocol()` has
 * run and datagrams are being read. A bind failure throws `CannotListenError` (`EADDRINUSE`,
 * `EACCES`, or `reusePort` on a platform without SO_REUSEPORT); nothing stays bound.
 *
 * With `{ signal }`, aborting stops the port; a signal already aborted throws its `AbortError`
 * and binds nothing.
 *
 * @param owner the reactor: it resolves names and keeps the registry of ports it stops at shutdown.
 * @param interfaceOrOptions the interface (a string, as in Twisted) or `{ interface, maxPacketSize, reusePort, signal, maxSendQueue }`.
 * @param maxPacketSize datagrams longer than this are cut to it (default 8192); overrides the option.
 *
 * @example
 * const port = listenUDP(reactor, 0, new Echo(), '127.0.0.1');
 * console.log(port.getHost().port);
 */
export function listenUDP(
  owner: IPortOwner,
  port: number,
  protocol: IDatagramProtocol,
  interfaceOrOptions?: string | ListenUDPOptions,
  maxPacketSize?: number,
): UdpPort {
  const args = parseListenUDPArgs(port, protocol, interfaceOrOptions, maxPacketSize);
  // After the arguments (a bad call throws its own error first), before anything is made.
  const io = chooseIO(args.io, args.interface, args.port);
  const udpPort = new UdpPort(owner, args.port, args.protocol, {
    interface: args.interface,
    maxPacketSize: args.maxPacketSize,
    reusePort: args.shared,
    signal: args.signal,
    maxSendQueue: args.maxSendQueue,
    ioPath: io.path,
    createSocket: io.createSocket,
  });
  udpPort.startListening();
  return udpPort;
}
