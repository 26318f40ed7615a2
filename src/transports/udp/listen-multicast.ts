/**
 * `listenMulticast`: validates its arguments (with the parser the testing fakes share), then
 * makes, binds and starts a {@link MulticastPort}. The Reactor's `listenMulticast` method delegates here.
 *
 * @module
 */
import type { IDatagramProtocol, IPortOwner, ListenMulticastOptions } from '../../interfaces.ts';
import { chooseIO } from '../native/io-choice.ts';
import { parseListenMulticastArgs } from './listen-options.ts';
import { MulticastPort } from './multicast-port.ts';

/**
 * Listens for multicast (and unicast) datagrams on `port` (Twisted's
 * `reactor.listenMulticast(port, protocol, interface='', maxPacketSize=8192, listenMultiple=False)`).
 *
 * Everything `listenUDP` does — arguments checked before anything is created, the port bound
 * when this returns, `CannotListenError` thrown on a bind failure — with a {@link MulticastPort}.
 * Bind to `''` (all IPv4 interfaces, the default) or `'::'` to receive multicast: a socket bound
 * to a unicast address such as `'127.0.0.1'` does not receive datagrams sent to a group.
 *
 * `listenMultiple: true` sets SO_REUSEADDR and, where the platform has it, SO_REUSEPORT, as
 * Twisted does, so several sockets — in this process, in others, Python Twisted ones included —
 * share the port and each receives every multicast datagram. Every socket must ask for it: a
 * plain bind onto a shared port still fails with `CannotListenError` (EADDRINUSE). See
 * docs/multicast.md for what each OS then allows, and the risks.
 *
 * Arguments may be given as in Twisted (`interface`, `maxPacketSize`, `listenMultiple`
 * positionally) or as an options object; positional values win over options.
 *
 * @param owner the reactor: it resolves host names for `joinGroup` and stops the port at shutdown.
 * @param interfaceOrOptions the interface, or `{ interface, maxPacketSize, listenMultiple, signal, maxSendQueue }`.
 *
 * @example
 * const port = listenMulticast(reactor, 1900, new Ssdp(), { listenMultiple: true });
 * await port.joinGroup('239.255.255.250', '127.0.0.1');
 * @example
 * // Twisted's positional form:
 * listenMulticast(reactor, 5353, new Mdns(), '', 8192, true);
 */
export function listenMulticast(
  owner: IPortOwner,
  port: number,
  protocol: IDatagramProtocol,
  interfaceOrOptions?: string | ListenMulticastOptions,
  maxPacketSize?: number,
  listenMultiple?: boolean,
): MulticastPort {
  const args = parseListenMulticastArgs(port, protocol, interfaceOrOptions, maxPacketSize, listenMultiple);
  // After the arguments (a bad call throws its own error first), before anything is made.
  const io = chooseIO(args.io, args.interface, args.port);
  const multicastPort = new MulticastPort(owner, args.port, args.protocol, {
    interface: args.interface,
    maxPacketSize: args.maxPacketSize,
    reusePort: false,
    listenMultiple: args.shared,
    signal: args.signal,
    maxSendQueue: args.maxSendQueue,
    ioPath: io.path,
    createSocket: io.createSocket,
  });
  multicastPort.startListening();
  return multicastPort;
}
