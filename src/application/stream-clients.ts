/**
 * `TCPClient`, `UNIXClient` and `SSLClient` (Twisted's `twisted.application.internet`): services
 * that make one connection attempt when they start and drop it when they stop.
 *
 * @module
 */
import type {
  AddressTuple,
  ConnectTCPOptions,
  ConnectUNIXOptions,
  IClientFactory,
  IConnector,
  IReactorSSL,
  IReactorTCP,
  IReactorUNIX,
  ITLSContextFactory,
} from '../interfaces.ts';
import { Service } from './service.ts';
import { splitReactor } from './stream-servers.ts';

/** The options of `new TCPClient(host, port, factory, { … })`: `connectTCP`'s, plus the reactor. */
export interface TCPClientOptions extends ConnectTCPOptions {
  /** The reactor to connect with (default: the process-wide `reactor`). */
  reactor?: IReactorTCP;
}

/** The options of `new SSLClient(host, port, factory, contextFactory, { … })`: `connectSSL`'s, plus the reactor. */
export interface SSLClientOptions extends ConnectTCPOptions {
  /** The reactor to connect with (default: the process-wide `reactor`). */
  reactor?: IReactorSSL;
}

/** The options of `new UNIXClient(address, factory, { … })`: `connectUNIX`'s, plus the reactor. */
export interface UNIXClientOptions extends ConnectUNIXOptions {
  /** The reactor to connect with (default: the process-wide `reactor`). */
  reactor?: IReactorUNIX;
}

/**
 * The shape of Twisted's `_AbstractClient`: `startService` starts one connection attempt (the
 * outcome reaches the factory, as with `connectTCP`), `stopService` calls the connector's
 * `disconnect()` (stopping the attempt, or closing the connection). As Twisted's, nothing
 * reconnects: use a `ReconnectingClientFactory`, or `ClientService` for a connection that is
 * kept. `stopService` returns nothing: the factory hears when the connection is gone.
 */
export abstract class StreamClientService extends Service {
  #connector: IConnector | undefined;

  /** The connector while running (`undefined` otherwise). */
  get connector(): IConnector | undefined {
    return this.#connector;
  }

  /** Starts the connection attempt. */
  override startService(): void {
    super.startService();
    this.#connector = this.getConnection();
  }

  /** Stops the attempt or closes the connection. */
  override stopService(): undefined {
    super.stopService();
    const connector = this.#connector;
    this.#connector = undefined;
    connector?.disconnect();
    return undefined;
  }

  /** Starts the attempt (Twisted's `_getConnection`). */
  protected abstract getConnection(): IConnector;
}

/**
 * Connects over TCP while running (Twisted's `internet.TCPClient`): the arguments are
 * `reactor.connectTCP`'s.
 *
 * @example
 * new TCPClient('127.0.0.1', 6379, new RedisClientFactory(), { timeout: 5 }).setServiceParent(application);
 */
export class TCPClient extends StreamClientService {
  /** The host to connect to. */
  readonly host: string;
  /** The port to connect to. */
  readonly portNumber: number;
  /** The factory told about the attempt and building the protocol. */
  readonly factory: IClientFactory;
  #reactor: IReactorTCP;
  #args: unknown[];

  /** `new TCPClient(host, port, factory, timeout?, bindAddress?)` or `(host, port, factory, { timeout, bindAddress, reactor })`. */
  constructor(
    host: string,
    port: number,
    factory: IClientFactory,
    timeoutOrOptions?: number | TCPClientOptions,
    bindAddress?: AddressTuple,
  ) {
    super();
    this.host = host;
    this.portNumber = port;
    this.factory = factory;
    const { reactor, args } = splitReactor<IReactorTCP>(timeoutOrOptions, [bindAddress], ['connectTCP']);
    this.#reactor = reactor;
    this.#args = args;
  }

  protected override getConnection(): IConnector {
    return this.#reactor.connectTCP(
      this.host,
      this.portNumber,
      this.factory,
      ...(this.#args as [number?, AddressTuple?]),
    );
  }
}

/**
 * Connects over TCP with TLS while running (Twisted's `internet.SSLClient`): the arguments are
 * `reactor.connectSSL`'s.
 *
 * @example
 * new SSLClient('127.0.0.1', 8443, factory, optionsForClientTLS('localhost')).setServiceParent(application);
 */
export class SSLClient extends StreamClientService {
  /** The host to connect to. */
  readonly host: string;
  /** The port to connect to. */
  readonly portNumber: number;
  /** The factory told about the attempt and building the protocol. */
  readonly factory: IClientFactory;
  /** Makes the connection's TLS options. */
  readonly contextFactory: ITLSContextFactory;
  #reactor: IReactorSSL;
  #args: unknown[];

  /** `new SSLClient(host, port, factory, contextFactory, timeout?, bindAddress?)` or `(…, contextFactory, { timeout, bindAddress, reactor })`. */
  constructor(
    host: string,
    port: number,
    factory: IClientFactory,
    contextFactory: ITLSContextFactory,
    timeoutOrOptions?: number | SSLClientOptions,
    bindAddress?: AddressTuple,
  ) {
    super();
    this.host = host;
    this.portNumber = port;
    this.factory = factory;
    this.contextFactory = contextFactory;
    const { reactor, args } = splitReactor<IReactorSSL>(timeoutOrOptions, [bindAddress], ['connectSSL']);
    this.#reactor = reactor;
    this.#args = args;
  }

  protected override getConnection(): IConnector {
    return this.#reactor.connectSSL(
      this.host,
      this.portNumber,
      this.factory,
      this.contextFactory,
      ...(this.#args as [number?, AddressTuple?]),
    );
  }
}

/**
 * Connects to a UNIX socket while running (Twisted's `internet.UNIXClient`): the arguments are
 * `reactor.connectUNIX`'s.
 *
 * @example
 * new UNIXClient('/run/app/admin.sock', factory, { timeout: 5 }).setServiceParent(application);
 */
export class UNIXClient extends StreamClientService {
  /** The socket's path. */
  readonly address: string;
  /** The factory told about the attempt and building the protocol. */
  readonly factory: IClientFactory;
  #reactor: IReactorUNIX;
  #args: unknown[];

  /** `new UNIXClient(address, factory, timeout?, checkPID?)` or `(address, factory, { timeout, checkPID, reactor })`. */
  constructor(
    address: string,
    factory: IClientFactory,
    timeoutOrOptions?: number | UNIXClientOptions,
    checkPID?: boolean,
  ) {
    super();
    this.address = address;
    this.factory = factory;
    const { reactor, args } = splitReactor<IReactorUNIX>(timeoutOrOptions, [checkPID], ['connectUNIX']);
    this.#reactor = reactor;
    this.#args = args;
  }

  protected override getConnection(): IConnector {
    return this.#reactor.connectUNIX(this.address, this.factory, ...(this.#args as [number?, boolean?]));
  }
}
