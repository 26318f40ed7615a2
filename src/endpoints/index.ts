/**
 * Endpoints (`twisted.internet.endpoints`): where servers listen and clients connect,
 * described once as objects or strings (`serverFromString(reactor, 'tcp:8080')`).
 *
 * @module
 */
export { AdoptedStreamServerEndpoint, type IReactorSocket } from './adopted-stream-server-endpoint.ts';
export type { AddressFamily } from '../transports/tcp/adopt-stream-port.ts';
export { clientFromString } from './client-from-string.ts';
export { connectProtocol } from './connect-protocol.ts';
export type {
  ClientDescription,
  SSLClientDescription,
  TCPClientDescription,
  TLSClientDescription,
  UNIXClientDescription,
} from './description/client-parsers.ts';
export type {
  ServerDescription,
  ServerParseContext,
  SSLServerDescription,
  SystemdServerDescription,
  TCPServerDescription,
  UNIXServerDescription,
} from './description/server-parsers.ts';
export { HostnameAddress } from './hostname-address.ts';
export {
  HostnameEndpoint,
  type HostnameEndpointOptions,
  type HostnameEndpointReactor,
} from './hostname-endpoint.ts';
export { ListenFDs } from './listen-fds.ts';
export { quoteStringArgument } from './quote-string-argument.ts';
export { serverFromString } from './server-from-string.ts';
export { SSL4ClientEndpoint, SSL4ServerEndpoint } from './ssl-endpoints.ts';
export {
  TCP4ClientEndpoint,
  TCP6ClientEndpoint,
  TCPClientEndpoint,
  type TCPClientEndpointOptions,
} from './tcp-client-endpoint.ts';
export {
  TCP4ServerEndpoint,
  TCP6ServerEndpoint,
  TCPServerEndpoint,
  type TCPServerEndpointOptions,
} from './tcp-server-endpoint.ts';
export {
  UNIXClientEndpoint,
  UNIXServerEndpoint,
  type UNIXClientEndpointOptions,
  type UNIXServerEndpointOptions,
} from './unix-endpoints.ts';
export { TLSWrapperClientEndpoint, wrapClientTLS } from './wrap-client-tls.ts';
