/**
 * `connectSSL`: `connectTCP` whose connection speaks TLS. The Reactor's `connectSSL` delegates here.
 *
 * @module
 */
import type net from 'node:net';
import type {
  AddressTuple,
  ConnectTCPOptions,
  IClientFactory,
  ITLSContextFactory,
} from '../../interfaces.ts';
import type { IPv4Address, IPv6Address } from '../address.ts';
import { tcpDialer } from '../tcp/connect.ts';
import { parseConnectTCPArgs } from '../tcp/connect-tcp-options.ts';
import { Connector, type ConnectorOwner } from '../tcp/connector.ts';
import { tlsErrorReason } from './tls-error-reason.ts';
import { clientTLSSocket, prepareTLS } from './tls-socket.ts';

/**
 * Connects to `host`:`port` over TLS (Twisted's `reactor.connectSSL`): as `connectTCP`, the
 * connection wrapped in TLS made from `contextFactory` (`optionsForClientTLS(host)` to verify
 * the server, `CertificateOptions` or `ClientContextFactory` otherwise).
 *
 * The protocol's `connectionMade` runs once the TCP connection is up, as in Twisted; what it
 * writes is held until the server is verified. A failed handshake or verification reaches
 * `connectionLost` and the factory's `clientConnectionLost` as a `TLSError` with Node's error
 * (`reason.value.osError.code`: `'CERT_HAS_EXPIRED'`, `'ERR_TLS_CERT_ALTNAME_INVALID'`…).
 *
 * @example
 * reactor.connectSSL('example.com', 443, factory, optionsForClientTLS('example.com'));
 */
export function connectSSL(
  owner: ConnectorOwner,
  host: string,
  port: number,
  factory: IClientFactory,
  contextFactory: ITLSContextFactory,
  timeoutOrOptions?: number | ConnectTCPOptions,
  bindAddress?: AddressTuple,
): Connector<IPv4Address | IPv6Address> {
  const args = parseConnectTCPArgs(host, port, factory, timeoutOrOptions, bindAddress);
  const prepared = prepareTLS(contextFactory, 'client');
  const dialer = {
    ...tcpDialer(args.host, args.port, args.bindAddress),
    wrapSocket: (socket: net.Socket) => clientTLSSocket(socket, prepared),
    errorReason: tlsErrorReason,
  };
  const connector = new Connector(owner, args.factory, args.timeout, dialer, args.signal);
  connector.connect();
  return connector;
}
