/**
 * `listenSSL`: `listenTCP` whose connections speak TLS. The Reactor's `listenSSL` delegates here.
 *
 * @module
 */
import net from 'node:net';
import { CannotListenError, explainSocketError } from '../../errors.ts';
import type { IProtocolFactory, ITLSContextFactory, ListenTCPOptions } from '../../interfaces.ts';
import { bindTcpServer } from '../tcp/bind-server.ts';
import { parseListenTCPArgs } from '../tcp/listen-tcp-options.ts';
import { tcpAddress, tcpPortKind } from '../tcp/listen-tcp.ts';
import type { StreamOwner } from '../tcp/stream-port.ts';
import { TcpPort } from '../tcp/tcp-port.ts';
import { tlsErrorReason } from './tls-error-reason.ts';
import { prepareTLS, serverTLSSocket } from './tls-socket.ts';

/**
 * Listens for TLS connections on `port` (Twisted's `reactor.listenSSL`): as `listenTCP` — bound
 * when it returns, `CannotListenError` thrown at once — with each accepted connection wrapped in
 * TLS made from `contextFactory` (`CertificateOptions`, `DefaultOpenSSLContextFactory`…).
 *
 * The protocol's `connectionMade` runs as soon as the TCP connection is accepted, as in Twisted;
 * what it writes is held until the handshake (and the client's certificate, when one is
 * required) is verified. A failed handshake reaches `connectionLost` as a `TLSError` carrying
 * Node's error (`reason.value.osError.code`). The context factory's key and certificate are
 * loaded here, so a bad one throws now.
 *
 * @example
 * const port = reactor.listenSSL(8443, Factory.forProtocol(Echo), new CertificateOptions({ privateKey, certificate }));
 */
export function listenSSL(
  owner: StreamOwner,
  port: number,
  factory: IProtocolFactory,
  contextFactory: ITLSContextFactory,
  backlogOrOptions?: number | ListenTCPOptions,
  iface?: string,
): TcpPort {
  const args = parseListenTCPArgs(port, factory, backlogOrOptions, iface);
  const prepared = prepareTLS(contextFactory, 'server');
  const host = args.interface === '' ? '0.0.0.0' : args.interface;
  const server = net.createServer({ allowHalfOpen: true });
  let bound: net.AddressInfo;
  try {
    bound = bindTcpServer(server, {
      host,
      port: args.port,
      backlog: args.backlog,
      reusePort: args.reusePort,
    });
  } catch (e) {
    const cause = e as NodeJS.ErrnoException;
    throw new CannotListenError(args.interface, args.port, cause, explainSocketError(cause.code));
  }
  const kind = {
    ...tcpPortKind(tcpAddress(bound.address, bound.port, bound.family)),
    wrapSocket: (socket: net.Socket) => serverTLSSocket(socket, prepared),
    errorReason: tlsErrorReason,
  };
  const tlsPort = new TcpPort(owner, args.factory, server, kind, args.signal);
  tlsPort.start();
  return tlsPort;
}
