/**
 * Streams: TCP and UNIX connections (Twisted's `IProtocol`, `ITransport`, `ITCPTransport`,
 * `IHalfCloseableProtocol`, `IProtocolFactory`, `IConnector`, `IReactorTCP`, `IReactorUNIX`,
 * `IResolverSimple`).
 *
 * Re-exported by src/interfaces.ts; import from there.
 *
 * @module
 */
import type { Deferred } from '../defer/deferred.ts';
import type { Failure } from '../failure.ts';
import type { IConsumer, IPushProducer } from './producer.ts';
import type { AddressTuple, IAddress, IListeningPort } from './reactor.ts';
import type { ITLSContextFactory } from './tls.ts';

/**
 * A UNIX socket address (Twisted's `UNIXAddress`): `name` is the path, a name starting with
 * `'\0'` in Linux's abstract namespace, or `undefined` for an unnamed socket (the client end of
 * a connection, as Python's `None`).
 */
export interface IUNIXAddress {
  /** Always `'UNIX'`. */
  readonly type: 'UNIX';
  /** The socket's path (or `'\0'`-prefixed abstract name); `undefined` when it has none. */
  readonly name: string | undefined;
  /** Whether `other` is a UNIX address with the same name. */
  equals(other: unknown): boolean;
  /** Twisted's repr: `UNIXAddress('/tmp/echo.sock')`. */
  toString(): string;
}

/** The address of either end of a stream: an IP address with type `'TCP'`, or a UNIX one. */
export type StreamAddress = IAddress | IUNIXAddress;

/**
 * A connection as its protocol sees it (Twisted's `ITransport`). `A` is the type of the
 * addresses of both ends.
 */
export interface ITransport<A extends StreamAddress = StreamAddress> {
  /**
   * Queues `data` to be sent, in order; never blocks. Ignored once the connection is closing
   * (after `loseConnection`), as in Twisted.
   *
   * @throws TypeError when `data` is not a `Uint8Array` (a `Buffer`): strings are not coerced.
   */
  write(data: Uint8Array): void;
  /** Writes each chunk of `data`, in order, as `write` would. */
  writeSequence(data: readonly Uint8Array[]): void;
  /**
   * Closes the connection once everything written so far has been sent (and a registered
   * producer was unregistered). The protocol then gets `connectionLost` with `ConnectionDone`.
   */
  loseConnection(): void;
  /** The address of the other end. */
  getPeer(): A;
  /** The address of this end. */
  getHost(): A;
}

/** A TCP connection's own controls (Twisted's `ITCPTransport`). */
export interface ITCPTransport<A extends StreamAddress = IAddress> extends ITransport<A> {
  /**
   * Half-closes the connection: sends FIN once the data written so far was sent; reading goes
   * on. The protocol's `writeConnectionLost()` (if it has one) is called then.
   */
  loseWriteConnection(): void;
  /**
   * Closes the connection at once, dropping unsent data; the peer sees a reset (RST) and the
   * protocol gets `connectionLost` with `ConnectionAborted`.
   */
  abortConnection(): void;
  /** Whether Nagle's algorithm is off (TCP_NODELAY). */
  getTcpNoDelay(): boolean;
  /** Turns Nagle's algorithm off (`true`) or on (TCP_NODELAY). */
  setTcpNoDelay(enabled: boolean): void;
  /** Whether TCP keep-alive probes are on (SO_KEEPALIVE). */
  getTcpKeepAlive(): boolean;
  /** Turns TCP keep-alive probes on or off (SO_KEEPALIVE). */
  setTcpKeepAlive(enabled: boolean): void;
}

/**
 * Everything a stream connection offers its protocol: the transport, TCP controls, consumer
 * and push producer at once, as Twisted's `tcp.Connection` does. This is the type of
 * `Protocol.transport`; `A` is the address type (`IAddress` for TCP, {@link IUNIXAddress} for
 * UNIX sockets). `StringTransport` implements it for tests.
 */
export interface IStreamTransport<A extends StreamAddress = IAddress>
  extends ITCPTransport<A>, IConsumer, IPushProducer {
  /** `true` from `connectionMade` until the connection is closed. */
  readonly connected: boolean;
  /** `true` once `loseConnection()` was called (or the connection is otherwise ending). */
  readonly disconnecting: boolean;
  /** `true` once the connection is closed. */
  readonly disconnected: boolean;
  /** The `system` name of what this connection logs. */
  logPrefix(): string;
  /**
   * Upgrades the connection to TLS in place (see {@link ITLSTransport}); present on TCP and UNIX
   * connections (`this.transport.startTLS!(options)`), absent on transports that cannot.
   */
  startTLS?(contextFactory: ITLSContextFactory, normal?: boolean): void;
}

/** What a stream transport calls on its protocol (Twisted's `IProtocol`). */
export interface IProtocol<T extends ITransport = ITransport> {
  /**
   * Called once the connection is made, with its transport: sets `transport`, then calls
   * `connectionMade()` (returning what it returned, so that an `async` one's rejection is logged).
   */
  makeConnection(transport: T): void | Promise<void>;
  /** The connection is made: say hello here. It may be `async`. */
  connectionMade(): void | Promise<void>;
  /**
   * Called with each chunk of data as it arrives; chunks follow TCP's whims, not the peer's
   * writes. A throw (or the rejection of an `async` one) is logged and drops the connection.
   */
  dataReceived(data: Buffer): void | Promise<void>;
  /**
   * The connection is closed: `reason` holds a `ConnectionDone` (clean) or a `ConnectionLost`
   * (not clean), or what a callback threw. Called once; it may be `async`.
   */
  connectionLost(reason: Failure): void | Promise<void>;
  /** The `system` name of what this protocol's connection logs (Twisted's `ILoggingContext`). */
  logPrefix?(): string;
}

/**
 * A protocol that handles half-closed connections (Twisted's `IHalfCloseableProtocol`): a
 * protocol opts in by defining both methods. The end of the peer's data then reaches
 * `readConnectionLost()` instead of closing the connection, and the connection stays open for
 * writing until `loseConnection()`.
 */
export interface IHalfCloseableProtocol {
  /** The peer has sent everything (FIN); writing is still possible. It may be `async`. */
  readConnectionLost(): void | Promise<void>;
  /** `loseWriteConnection()` has taken effect: nothing more can be written. It may be `async`. */
  writeConnectionLost(): void | Promise<void>;
}

/**
 * Makes a protocol per connection (Twisted's `IProtocolFactory`). A port calls `doStart()` when
 * it starts listening and `doStop()` when it stops; a connector around each attempt.
 */
export interface IProtocolFactory {
  /**
   * A protocol for a new connection with `addr` (the peer's address), or `undefined` to close
   * the connection at once.
   */
  buildProtocol(addr: StreamAddress): IProtocol | undefined;
  /** A port or connector starts using this factory; the first runs `startFactory()`. It may return a Promise. */
  doStart(): void | Promise<void>;
  /** A port or connector stops using it; the last runs `stopFactory()`. It may return a Promise. */
  doStop(): void | Promise<void>;
}

/**
 * A factory for client connections (Twisted's `ClientFactory`): the connector reports each
 * attempt's outcome to it.
 */
export interface IClientFactory extends IProtocolFactory {
  /** A connection attempt has started; `connector.stopConnecting()` may cancel it. */
  startedConnecting(connector: IConnector): void | Promise<void>;
  /** The attempt failed: `reason` holds a `ConnectError` (refused, timed out, DNS…). */
  clientConnectionFailed(connector: IConnector, reason: Failure): void | Promise<void>;
  /** An established connection was lost: `reason` holds a `ConnectionDone` or `ConnectionLost`. */
  clientConnectionLost(connector: IConnector, reason: Failure): void | Promise<void>;
}

/** What a connector is doing. */
export type ConnectorState = 'disconnected' | 'connecting' | 'connected';

/** A client connection's handle (Twisted's `IConnector`): what `connectTCP`/`connectUNIX` return. */
export interface IConnector {
  /** Starts a connection attempt (again: a reconnect after a loss or a failure). */
  connect(): void;
  /** Stops the attempt if connecting, closes the connection if connected. */
  disconnect(): void;
  /**
   * Stops the attempt in progress; the factory gets `clientConnectionFailed` with `UserError`.
   *
   * @throws NotConnectingError when not connecting.
   */
  stopConnecting(): void;
  /** Where it connects to: an `IPv4Address`/`IPv6Address` of type `'TCP'` (host as given) or a `UNIXAddress`. */
  getDestination(): StreamAddress;
  /** What it is doing now. */
  readonly state: ConnectorState;
}

/** Options of `listenTCP` (beside Twisted's positional `backlog` and `interface`). */
export interface ListenTCPOptions {
  /** How many connections may wait to be accepted (listen(2)'s backlog). Default 50. */
  backlog?: number;
  /** `''` (all IPv4 interfaces, the default) or an IP literal; an IPv6 literal makes an IPv6 port. */
  interface?: string;
  /** Beyond Twisted: SO_REUSEPORT, so several processes share the port (one per core under `node:cluster`). */
  reusePort?: boolean;
  /** Aborting stops the port. */
  signal?: AbortSignal;
}

/** Options of `connectTCP` (beside Twisted's positional `timeout` and `bindAddress`). */
export interface ConnectTCPOptions {
  /** Seconds before the attempt fails with `TimeoutError`. Default 30. */
  timeout?: number;
  /** The local `[host, port]` to connect from. */
  bindAddress?: AddressTuple;
  /** Aborting disconnects: stops the attempt, or closes the connection. */
  signal?: AbortSignal;
}

/** Options of `listenUNIX`. */
export interface ListenUNIXOptions {
  /** listen(2)'s backlog. Default 50. */
  backlog?: number;
  /** The permissions of the socket file. Default `0o666`. */
  mode?: number;
  /** Write this process's pid to `<path>.lock` (Twisted's `wantPID`), so `checkPID` clients can tell it is alive. */
  wantPID?: boolean;
  /** Aborting stops the port. */
  signal?: AbortSignal;
}

/** Options of `connectUNIX`. */
export interface ConnectUNIXOptions {
  /** Seconds before the attempt fails with `TimeoutError`. Default 30. */
  timeout?: number;
  /** Fail with `BadFileError` unless a live process holds `<path>.lock` (Twisted's `checkPID`). */
  checkPID?: boolean;
  /** Aborting disconnects: stops the attempt, or closes the connection. */
  signal?: AbortSignal;
}

/** A reactor that listens and connects over TCP (Twisted's `IReactorTCP`). */
export interface IReactorTCP {
  /**
   * Listens on `port` for connections, each served by a protocol `factory` builds. The port is
   * bound when the call returns. `backlogOrOptions` is Twisted's `backlog` or an options object.
   *
   * @throws CannotListenError when the bind fails (EADDRINUSE, EACCES, EADDRNOTAVAIL).
   * @example
   * const port = reactor.listenTCP(8000, Factory.forProtocol(Echo), 50, '127.0.0.1');
   */
  listenTCP(
    port: number,
    factory: IProtocolFactory,
    backlogOrOptions?: number | ListenTCPOptions,
    iface?: string,
  ): IListeningPort;
  /**
   * Connects to `host`:`port` (a host name is resolved through the reactor); returns at once,
   * and the outcome reaches `factory`. `timeoutOrOptions` is Twisted's `timeout` or an options
   * object.
   *
   * @example
   * reactor.connectTCP('127.0.0.1', 8000, new EchoClientFactory());
   */
  connectTCP(
    host: string,
    port: number,
    factory: IClientFactory,
    timeoutOrOptions?: number | ConnectTCPOptions,
    bindAddress?: AddressTuple,
  ): IConnector;
}

/** A reactor that listens and connects over UNIX sockets (Twisted's `IReactorUNIX`). */
export interface IReactorUNIX {
  /**
   * Listens on the UNIX socket `address` (a path, or `'\0name'` in Linux's abstract namespace).
   * Bound when the call returns; a stale socket file with no listener is replaced.
   *
   * @throws CannotListenError when the path is held by a live listener or cannot be bound.
   */
  listenUNIX(
    address: string,
    factory: IProtocolFactory,
    backlogOrOptions?: number | ListenUNIXOptions,
    mode?: number,
    wantPID?: boolean,
  ): IListeningPort<IUNIXAddress>;
  /** Connects to the UNIX socket `address`; the outcome reaches `factory`. */
  connectUNIX(
    address: string,
    factory: IClientFactory,
    timeoutOrOptions?: number | ConnectUNIXOptions,
    checkPID?: boolean,
  ): IConnector;
}

/** Resolves host names (Twisted's `IResolverSimple`): what `reactor.installResolver` takes. */
export interface IResolverSimple {
  /**
   * The address of `name` (an IPv4 one, as Twisted's `connectTCP` wants). Errbacks with
   * `DNSLookupError` for an unknown name, `TimeoutError` after `timeout` seconds.
   */
  getHostByName(name: string, timeout?: number): Deferred<string>;
}

/** A reactor whose name resolution can be replaced (Twisted's `IReactorPluggableResolver`). */
export interface IReactorPluggableResolver {
  /**
   * Makes `resolver` answer `resolve`, `connectTCP` and the endpoints' lookups.
   *
   * @returns the resolver it replaces.
   */
  installResolver(resolver: IResolverSimple): IResolverSimple;
}
