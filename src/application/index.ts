/**
 * The application framework (Twisted's `twisted.application`): services, the service tree, and
 * the internet services (TCP, UNIX, TLS, UDP, multicast, timers, endpoints, `ClientService`).
 *
 * @module
 */
export { Service, type IService, type IServiceCollection, type StopResult } from './service.ts';
export { MultiService, Application, type ApplicationOptions } from './multi-service.ts';
export {
  UDPServer,
  MulticastServer,
  type UDPServerOptions,
  type MulticastServerOptions,
} from './udp-server.ts';
export { TimerService } from './timer-service.ts';
export { backoffPolicy, type RetryPolicy, type BackoffPolicyOptions } from './backoff-policy.ts';
export {
  ClientService,
  type ClientServiceEndpoint,
  type ClientServiceFactory,
  type ClientServiceProtocol,
  type ClientServiceTransport,
  type ClientServiceOptions,
} from './client-service.ts';
export {
  StreamServerService,
  TCPServer,
  SSLServer,
  UNIXServer,
  type TCPServerOptions,
  type SSLServerOptions,
  type UNIXServerOptions,
} from './stream-servers.ts';
export {
  StreamClientService,
  TCPClient,
  SSLClient,
  UNIXClient,
  type TCPClientOptions,
  type SSLClientOptions,
  type UNIXClientOptions,
} from './stream-clients.ts';
export {
  StreamServerEndpointService,
  strportsService,
  type StreamServerEndpointServiceOptions,
} from './stream-server-endpoint-service.ts';
