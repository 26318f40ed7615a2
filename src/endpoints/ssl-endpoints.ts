/**
 * Twisted's `SSL4ServerEndpoint` and `SSL4ClientEndpoint`.
 *
 * @module
 */
import type { Deferred } from '../defer/deferred.ts';
import type {
  AddressTuple,
  IListeningPort,
  IProtocol,
  IProtocolFactory,
  IReactorSSL,
  IStreamClientEndpoint,
  IStreamServerEndpoint,
  ITLSContextFactory,
} from '../interfaces.ts';
import {
  DEFAULT_BACKLOG,
  DEFAULT_CONNECT_TIMEOUT,
  validateBacklog,
  validateConnectHost,
  validateConnectPort,
  validateConnectTimeout,
} from '../transports/tcp/stream-checks.ts';
import { invalidArgType, validateInterface, validatePort } from '../validate.ts';
import { ConnectingFactory } from './connecting-factory.ts';
import { checkReactor, execute, readArgs, toBindAddress } from './endpoint-args.ts';
import type { TCPClientEndpointOptions } from './tcp-client-endpoint.ts';
import type { TCPServerEndpointOptions } from './tcp-server-endpoint.ts';

function checkContextFactory(value: unknown): ITLSContextFactory {
  if (
    value === null ||
    typeof value !== 'object' ||
    typeof (value as ITLSContextFactory).getTLSOptions !== 'function'
  ) {
    throw invalidArgType(
      'sslContextFactory',
      'a TLS context factory (CertificateOptions, optionsForClientTLS(…)…)',
      value,
    );
  }
  return value as ITLSContextFactory;
}

/**
 * Listens for TLS over TCP/IPv4: `new SSL4ServerEndpoint(reactor, port, sslContextFactory,
 * backlog = 50, interface = '')` or `(reactor, port, sslContextFactory, { backlog, interface })`.
 */
export class SSL4ServerEndpoint implements IStreamServerEndpoint {
  /** The reactor listened with. */
  readonly reactor: IReactorSSL;
  /** The port. */
  readonly port: number;
  /** The server's TLS settings. */
  readonly sslContextFactory: ITLSContextFactory;
  /** The listen queue's length. */
  readonly backlog: number;
  /** The interface address. */
  readonly interface: string;

  /** See the class. */
  constructor(
    reactor: IReactorSSL,
    port: number,
    sslContextFactory: ITLSContextFactory,
    backlogOrOptions?: number | TCPServerEndpointOptions,
    iface?: string,
  ) {
    this.reactor = checkReactor<IReactorSSL>(reactor, ['listenSSL']);
    validatePort(port, 'port');
    this.sslContextFactory = checkContextFactory(sslContextFactory);
    const args = readArgs(backlogOrOptions, [iface], ['backlog', 'interface']);
    const backlog = args.backlog ?? DEFAULT_BACKLOG;
    const address = args.interface ?? '';
    validateBacklog(backlog);
    validateInterface(address, 'interface');
    this.port = port;
    this.backlog = backlog;
    this.interface = address;
  }

  /** Listens (`reactor.listenSSL`). */
  listen(factory: IProtocolFactory): Deferred<IListeningPort> {
    return execute(() =>
      this.reactor.listenSSL(this.port, factory, this.sslContextFactory, this.backlog, this.interface),
    );
  }
}

/**
 * Connects with TLS over TCP/IPv4: `new SSL4ClientEndpoint(reactor, host, port,
 * sslContextFactory, timeout = 30, bindAddress?)` or `(…, sslContextFactory, { timeout,
 * bindAddress })`. To verify the server give `optionsForClientTLS(host)`.
 */
export class SSL4ClientEndpoint implements IStreamClientEndpoint {
  /** The reactor connected with. */
  readonly reactor: IReactorSSL;
  /** The host. */
  readonly host: string;
  /** The port. */
  readonly port: number;
  /** The client's TLS settings. */
  readonly sslContextFactory: ITLSContextFactory;
  /** Seconds to wait for the connection. */
  readonly timeout: number;
  /** The local address to connect from, or `undefined`. */
  readonly bindAddress: AddressTuple | undefined;

  /** See the class. */
  constructor(
    reactor: IReactorSSL,
    host: string,
    port: number,
    sslContextFactory: ITLSContextFactory,
    timeoutOrOptions?: number | TCPClientEndpointOptions,
    bindAddress?: AddressTuple | string,
  ) {
    this.reactor = checkReactor<IReactorSSL>(reactor, ['connectSSL']);
    validateConnectHost(host);
    validateConnectPort(port);
    this.sslContextFactory = checkContextFactory(sslContextFactory);
    const args = readArgs(timeoutOrOptions, [bindAddress], ['timeout', 'bindAddress']);
    const timeout = args.timeout ?? DEFAULT_CONNECT_TIMEOUT;
    validateConnectTimeout(timeout);
    this.host = host;
    this.port = port;
    this.timeout = timeout;
    this.bindAddress = toBindAddress(args.bindAddress);
  }

  /** Connects (`reactor.connectSSL`); fires with the protocol once connected. */
  connect(factory: IProtocolFactory): Deferred<IProtocol> {
    const connecting = new ConnectingFactory(factory);
    try {
      this.reactor.connectSSL(
        this.host,
        this.port,
        connecting,
        this.sslContextFactory,
        this.timeout,
        this.bindAddress,
      );
    } catch (e) {
      connecting.onConnection.errback(e);
    }
    return connecting.onConnection;
  }
}
