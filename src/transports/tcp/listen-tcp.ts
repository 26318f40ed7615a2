/**
 * `listenTCP`: checks its arguments, binds a server inside the call and starts a
 * {@link TcpPort}. The Reactor's `listenTCP` method delegates here.
 *
 * @module
 */
import net from 'node:net';
import { CannotListenError, explainSocketError } from '../../errors.ts';
import type { IProtocolFactory, ListenTCPOptions } from '../../interfaces.ts';
import { ipFamily } from '../../validate.ts';
import { IPv4Address, IPv6Address } from '../address.ts';
import { bindTcpServer } from './bind-server.ts';
import type { TcpBindPath } from './bind-server.ts';
import { parseListenTCPArgs } from './listen-tcp-options.ts';
import type { StreamOwner, StreamPortKind } from './stream-port.ts';
import { TcpPort } from './tcp-port.ts';

/** Why a TCP bind failed, in words, for the codes whose UDP explanation does not fit. */
function explainTcpBindError(error: NodeJS.ErrnoException, reusePort: boolean): string | undefined {
  switch (error.code) {
    case 'EADDRINUSE':
      return reusePort
        ? 'the address is already in use by a listener that did not ask for reusePort (every process ' +
            'sharing a port must; on Linux they must also belong to the same user)'
        : 'the address is already in use: another socket listens on this port (several processes can ' +
            'share one only if every listener asks for reusePort: true)';
    case 'ENOTSUP':
    case 'ENOPROTOOPT':
      return `reusePort (SO_REUSEPORT) is not supported on this platform (${process.platform})`;
    default:
      return explainSocketError(error.code);
  }
}

/** An address of the right family for a TCP endpoint. */
export function tcpAddress(host: string, port: number, family?: string | number): IPv4Address | IPv6Address {
  const six = family === undefined ? ipFamily(host) === 6 : family === 'IPv6' || family === 6;
  return six ? new IPv6Address('TCP', host, port) : new IPv4Address('TCP', host, port);
}

/** What a TCP port's connections are, for {@link StreamPort}. */
export function tcpPortKind(host: IPv4Address | IPv6Address): StreamPortKind<IPv4Address | IPv6Address> {
  return {
    type: 'TCP',
    host,
    where: String(host.port),
    peerOf(socket) {
      const { remoteAddress, remotePort, remoteFamily } = socket;
      if (remoteAddress === undefined || remotePort === undefined) return undefined;
      return tcpAddress(remoteAddress, remotePort, remoteFamily);
    },
    hostOf(socket) {
      const { localAddress, localPort } = socket;
      if (localAddress === undefined || localPort === undefined) return host;
      return tcpAddress(localAddress, localPort, (socket as { localFamily?: string }).localFamily);
    },
    connectionPrefix: (protocol, sessionno, peer) => `${protocol},${sessionno},${peer.host}`,
  };
}

/**
 * Listens for TCP connections on `port` (Twisted's `reactor.listenTCP`).
 *
 * Every argument is checked before anything is created: `port` an integer 0–65535 (0: a free
 * one), `factory` a protocol factory, `backlog` an integer ≥ 0, the interface `''` (all IPv4
 * interfaces) or an IP literal — an IPv6 literal makes an IPv6 port; host names are refused
 * with `InvalidAddressError`.
 *
 * The port is bound and listening when this returns: `getHost()` gives the real port and the
 * factory has started (`doStart`). A bind failure throws `CannotListenError` (EADDRINUSE,
 * EACCES for ports below 1024, EADDRNOTAVAIL); nothing stays bound.
 *
 * @param owner the reactor: it keeps the registry of ports and connections it ends at shutdown.
 * @param backlogOrOptions Twisted's `backlog`, or `{ backlog, interface, reusePort, signal }`.
 * @param iface Twisted's `interface`; wins over `options.interface`.
 * @param bindPath for tests: force one of the two ways of binding (src/transports/tcp/bind-server.ts).
 *
 * @example
 * const port = listenTCP(reactor, 0, Factory.forProtocol(Echo), 50, '127.0.0.1');
 */
export function listenTCP(
  owner: StreamOwner,
  port: number,
  factory: IProtocolFactory,
  backlogOrOptions?: number | ListenTCPOptions,
  iface?: string,
  bindPath?: TcpBindPath,
): TcpPort {
  const args = parseListenTCPArgs(port, factory, backlogOrOptions, iface);
  const host = args.interface === '' ? '0.0.0.0' : args.interface;
  const server = net.createServer({ allowHalfOpen: true });
  let bound: net.AddressInfo;
  try {
    bound = bindTcpServer(
      server,
      { host, port: args.port, backlog: args.backlog, reusePort: args.reusePort },
      bindPath,
    );
  } catch (e) {
    const cause = e as NodeJS.ErrnoException;
    throw new CannotListenError(args.interface, args.port, cause, explainTcpBindError(cause, args.reusePort));
  }
  const address = tcpAddress(bound.address, bound.port, bound.family);
  const tcpPort = new TcpPort(owner, args.factory, server, tcpPortKind(address), args.signal);
  tcpPort.start();
  return tcpPort;
}
