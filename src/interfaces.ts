/**
 * The interfaces of twisted-ts, after Twisted's `twisted.internet.interfaces`: what a reactor,
 * a listening port, a UDP transport and a datagram protocol promise. Implementations (the real
 * reactor, `MemoryReactor`, `VirtualNetwork` hosts) are interchangeable through them.
 *
 * @module
 */
import type { TLSSocketOptions } from 'node:tls';
import type { Deferred } from './defer/deferred.ts';
import type { Failure } from './failure.ts';

/** A `[host, port]` pair, as Twisted's `(host, port)` tuples. */
export type AddressTuple = readonly [host: string, port: number];

/** Any byte sequence a transport accepts (`Buffer` is a `Uint8Array`). */
export type Datagram = Uint8Array;

/** An IPv4 or IPv6 endpoint (`IPv4Address`, `IPv6Address`). */
export interface IAddress {
  /** The transport protocol: always `'UDP'` for the ports of this package. */
  readonly type: 'UDP' | 'TCP';
  /** The IP literal (`'127.0.0.1'`, `'::1'`); never a host name. */
  readonly host: string;
  /** The port number (the real one when `0` was asked for). */
  readonly port: number;
  /** Whether `other` is an address of the same class with the same type, host and port. */
  equals(other: unknown): boolean;
  /** A readable form, as Twisted's repr: `IPv4Address(type='UDP', host='127.0.0.1', port=9999)`. */
  toString(): string;
}

/** A scheduled call (Twisted's `IDelayedCall`). */
export interface IDelayedCall {
  /** When it is due, in the clock's seconds. */
  getTime(): number;
  /**
   * Cancels it, so it never runs.
   *
   * @throws AlreadyCalled when it already ran; AlreadyCancelled when it was already cancelled.
   */
  cancel(): void;
  /** Postpones it by `seconds`. */
  delay(seconds: number): void;
  /** Reschedules it `seconds` from now. */
  reset(seconds: number): void;
  /** `true` while it is still pending: neither run nor cancelled. */
  active(): boolean;
  /** `true` once it has run. */
  readonly called: boolean;
  /** `true` once it was cancelled. */
  readonly cancelled: boolean;
}

/** Time and delayed calls (Twisted's `IReactorTime`); the reactor and `Clock` implement it. */
export interface IReactorTime {
  /** The current time in seconds. */
  seconds(): number;
  /** Calls `fn(...args)` after `delay` seconds. */
  callLater<A extends unknown[]>(delay: number, fn: (...args: A) => unknown, ...args: A): IDelayedCall;
  /** Every call that is still pending. */
  getDelayedCalls(): IDelayedCall[];
}

/** The phase of a system event trigger. */
export type TriggerPhase = 'before' | 'during' | 'after';

/** An opaque handle for `removeSystemEventTrigger`. */
export type TriggerId = {
  /** The phase the trigger was added to. */
  readonly phase: TriggerPhase;
  /** The event it was added for (`'startup'`, `'shutdown'` or any name). */
  readonly eventType: string;
  /** A number unique within the reactor that made it. */
  readonly id: number;
};

/** The reactor's lifecycle (Twisted's `IReactorCore`). */
export interface IReactorCore {
  /** `true` from the end of startup until shutdown begins (or `crash()`). */
  readonly running: boolean;
  /**
   * Starts the reactor: fires `startup`, then keeps the process alive until `stop()`.
   * SIGINT and SIGTERM call `stop()` unless `installSignalHandlers` is `false`.
   *
   * @returns a Promise that resolves once shutdown is complete.
   * @throws ReactorAlreadyRunning when running; ReactorNotRestartable after a stop.
   */
  run(options?: { installSignalHandlers?: boolean }): Promise<void>;
  /**
   * Schedules shutdown: fires the `shutdown` event (before, during, after) and stops every port.
   *
   * @throws ReactorNotRunning when the reactor is not running.
   */
  stop(): void;
  /** Stops at once, without shutdown triggers; the `run()` promise resolves and `run()` may be called again. */
  crash(): void;
  /**
   * Calls `fn(...args)` once the reactor is running: at once if it already is, otherwise after
   * startup.
   *
   * @returns the trigger id when the call was deferred (for `removeSystemEventTrigger`), else `undefined`.
   */
  callWhenRunning<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): TriggerId | undefined;
  /**
   * Runs `fn(...args)` in `phase` of `eventType`. A `before` trigger may return a Deferred or a
   * Promise, and the event waits for it.
   *
   * @example
   * reactor.addSystemEventTrigger('before', 'shutdown', () => port.stopListening());
   */
  addSystemEventTrigger<A extends unknown[]>(
    phase: TriggerPhase,
    eventType: string,
    fn: (...args: A) => unknown,
    ...args: A
  ): TriggerId;
  /**
   * Removes a trigger added by `addSystemEventTrigger` (or deferred by `callWhenRunning`).
   *
   * @throws TypeError when `id` is not a trigger that is still pending.
   */
  removeSystemEventTrigger(id: TriggerId): void;
  /** Fires `eventType`: its `before` triggers, then `during`, then `after`. */
  fireSystemEvent(eventType: string): void;
  /** Resolves a host name to an IP address; IP literals answer at once. */
  resolve(name: string, timeout?: number): Deferred<string>;
}

/**
 * A port that listens (Twisted's `IListeningPort`). `A` is the type of its address: an
 * `IAddress` for UDP and TCP ports, an {@link IUNIXAddress} for UNIX ones.
 */
export interface IListeningPort<A extends StreamAddress = IAddress> {
  /** Stops listening; fires once the socket is closed and the protocol (or factory) was told. */
  stopListening(): Deferred<void>;
  /** The address the port is bound to; the real port number when `0` was asked for. */
  getHost(): A;
}

/** A UDP transport: what a `DatagramProtocol` sees as `this.transport` (Twisted's `IUDPTransport`). */
export interface IUDPTransport extends IListeningPort {
  /** Sends one datagram to `addr` (or to the connected peer). */
  write(datagram: Datagram, addr?: AddressTuple): void;
  /** Sends the concatenation of `datagrams` as one datagram. */
  writeSequence(datagrams: readonly Datagram[], addr?: AddressTuple): void;
  /** Connects to one peer (connected UDP); only IP literals. */
  connect(host: string, port: number): void;
  /** Stops listening, as `stopListening()` without the Deferred (Twisted's `loseConnection`). */
  loseConnection(): void;
  /** Allows or forbids sending to broadcast addresses (SO_BROADCAST). */
  setBroadcastAllowed(enabled: boolean): void;
  /** Whether sending to broadcast addresses is allowed; `false` by default. */
  getBroadcastAllowed(): boolean;
  /** Beyond Twisted: the I/O this port uses (`'native'`, `'dgram'`; `'memory'` on the fakes). */
  readonly ioPath: UdpIOPath;
}

/** A multicast UDP transport (Twisted's `IMulticastTransport`). */
export interface IMulticastTransport extends IUDPTransport {
  /**
   * Joins the multicast group `addr` on interface `iface` (`''`: the OS's choice). Both may be
   * host names, resolved through the reactor, hence the Deferred.
   *
   * @returns a Deferred that fires when joined, or errbacks with a `MulticastJoinError`.
   * @example
   * await port.joinGroup('239.255.0.1', '127.0.0.1');
   */
  joinGroup(addr: string, iface?: string): Deferred<void>;
  /** Leaves a group joined with `joinGroup`; errbacks with a `MulticastJoinError` on failure. */
  leaveGroup(addr: string, iface?: string): Deferred<void>;
  /**
   * Sets the time-to-live of outgoing multicast datagrams (IP_MULTICAST_TTL / hops).
   *
   * @throws RangeError unless `ttl` is an integer from 0 to 255.
   */
  setTTL(ttl: number): void;
  /** The multicast TTL last set with `setTTL` (1, the OS default, until then). */
  getTTL(): number;
  /** Whether this host's own sockets receive the datagrams it sends to a group (IP_MULTICAST_LOOP). */
  setLoopbackMode(mode: boolean | 0 | 1): void;
  /** The loopback mode last set with `setLoopbackMode` (`true`, the OS default, until then). */
  getLoopbackMode(): boolean;
  /**
   * Chooses the interface multicast datagrams are sent from (IP_MULTICAST_IF); `addr` may be a
   * host name, hence the Deferred.
   */
  setOutgoingInterface(addr: string): Deferred<void>;
  /** The interface set with `setOutgoingInterface` (`'0.0.0.0'`, or `'::'` on IPv6, by default). */
  getOutgoingInterface(): string;
}

/**
 * A multicast method as a protocol declared without a transport type sees it: calling it is a
 * compile error whose message says how to get the real method (the port it runs on may be a
 * plain UDP port, which has none).
 */
export type MulticastMethodOfAMulticastPortOnly =
  | ((...args: never[]) => unknown)
  | {
      /** Not a property: its name is the compiler's message when the method is called. */
      readonly 'a multicast method: it exists on a port made by listenMulticast; declare the protocol as DatagramProtocol<MulticastPort> to call it'?: never;
    };

/**
 * What `this.transport` is in a protocol declared without a transport type (`class P extends
 * DatagramProtocol`): the UDP transport, and the names of the multicast methods (`joinGroup`,
 * `setTTL`…), typed so that calling one fails to compile with a message that says to declare the
 * protocol as `DatagramProtocol<MulticastPort>`, whose transport has them — as ported Twisted
 * code calls them on `self.transport` without a declaration.
 */
export type DefaultDatagramTransport = IUDPTransport & {
  readonly [
    Method in Exclude<keyof IMulticastTransport, keyof IUDPTransport>
  ]?: MulticastMethodOfAMulticastPortOnly;
};

/** What a transport calls on its protocol (Twisted's `IProtocol` for datagrams). */
export interface IDatagramProtocol {
  /**
   * Called by a port when it starts: counts ports, runs `startProtocol` on the first (and returns
   * what it returned: the port logs the rejection of an `async` one).
   */
  doStart(): void | Promise<void>;
  /** Called by a port when it stops: runs `stopProtocol` when the last port stops (and returns what it returned). */
  doStop(): void | Promise<void>;
  /** Called by a port with itself as `transport`: sets `this.transport` and runs `doStart()` (returning what it returned). */
  makeConnection(transport: IUDPTransport): void | Promise<void>;
  /**
   * Called for every datagram that arrives, with the sender's address. An exception thrown here,
   * or the rejection of the Promise an `async` one returns, is logged and the port goes on
   * receiving.
   */
  datagramReceived(datagram: Buffer, addr: AddressTuple): void | Promise<void>;
  /** Connected UDP only: the peer answered with ICMP port-unreachable. It may be `async`. */
  connectionRefused?(): void | Promise<void>;
  /** The prefix of log messages about this protocol (its class name by default). */
  logPrefix(): string;
  /** The port serving this protocol; `undefined` while it is not listening. */
  transport: IUDPTransport | undefined;
  /** How many ports are serving it (0 or 1 for a datagram protocol). */
  numPorts: number;
  /** Whether starting and stopping are logged. */
  noisy: boolean;
}

/** Options of `listenUDP`. */
export interface ListenUDPOptions {
  /** `''` (all IPv4 interfaces, the default) or an IP literal; an IPv6 literal makes an IPv6 port. */
  interface?: string;
  /** Datagrams longer than this are cut to it, as in Twisted. Default 8192. */
  maxPacketSize?: number;
  /** Beyond Twisted: SO_REUSEPORT, so several processes share the port with kernel load balancing. */
  reusePort?: boolean;
  /** Aborting stops the port. */
  signal?: AbortSignal;
  /**
   * Beyond Twisted: a cap, in bytes, on what the socket may hold unsent. node:dgram has no
   * backpressure, so a sender faster than the network queues without bound; with this set, a
   * `write` made while the send queue holds `maxSendQueue` bytes or more is dropped and counted
   * in `stats().drops` instead. Default: no cap.
   */
  maxSendQueue?: number;
  /**
   * Beyond Twisted: how the socket is read and written. `'native'`: batched `recvmmsg`/`sendmmsg`
   * through the package's small addon (one call into JavaScript per batch, not per datagram);
   * `'dgram'`: `node:dgram`; `'auto'` (the default, or the `TWISTED_TS_IO` environment variable):
   * native where the addon loads, else dgram. Both behave the same; `port.ioPath` says which
   * is in use.
   */
  io?: UdpIOMode;
}

/** Options of `listenMulticast`. */
export interface ListenMulticastOptions {
  /** `''` (all IPv4 interfaces, the default) or an IP literal to bind to; see {@link ListenUDPOptions.interface}. */
  interface?: string;
  /** Datagrams longer than this are cut to it, as in Twisted. Default 8192. */
  maxPacketSize?: number;
  /** SO_REUSEADDR and, where the platform has it, SO_REUSEPORT: share the port. Default false. */
  listenMultiple?: boolean;
  /** Aborting stops the port. */
  signal?: AbortSignal;
  /** A cap on unsent bytes; see {@link ListenUDPOptions.maxSendQueue}. */
  maxSendQueue?: number;
  /** Native batched I/O or node:dgram; see {@link ListenUDPOptions.io}. */
  io?: UdpIOMode;
}

/** Which UDP I/O to use: see {@link ListenUDPOptions.io}. */
export type UdpIOMode = 'auto' | 'native' | 'dgram';

/**
 * Which UDP I/O a port uses: `'native'` (batched recvmmsg/sendmmsg), `'dgram'` (node:dgram), or
 * `'memory'` on the fakes of `twisted-ts/testing`, which open no socket.
 */
export type UdpIOPath = 'native' | 'dgram' | 'memory';

/** A reactor that listens on UDP ports (Twisted's `IReactorUDP`). */
export interface IReactorUDP {
  /**
   * Binds a UDP port for `protocol` and starts it; the port is bound when the call returns.
   * A string third argument is the interface, as in Twisted.
   *
   * @throws CannotListenError when the bind fails.
   * @example
   * const port = reactor.listenUDP(0, new Echo(), { interface: '127.0.0.1' });
   */
  listenUDP(
    port: number,
    protocol: IDatagramProtocol,
    interfaceOrOptions?: string | ListenUDPOptions,
    maxPacketSize?: number,
  ): IUDPTransport;
}

/** A reactor that listens on multicast ports (Twisted's `IReactorMulticast`). */
export interface IReactorMulticast {
  /**
   * Binds a multicast-capable UDP port for `protocol`; arguments as {@link IReactorUDP.listenUDP},
   * plus `listenMultiple` to share the port with other sockets.
   *
   * @throws CannotListenError when the bind fails.
   * @example
   * const port = reactor.listenMulticast(0, proto, { interface: '0.0.0.0', listenMultiple: true });
   */
  listenMulticast(
    port: number,
    protocol: IDatagramProtocol,
    interfaceOrOptions?: string | ListenMulticastOptions,
    maxPacketSize?: number,
    listenMultiple?: boolean,
  ): IMulticastTransport;
}

/**
 * What a port needs from the reactor that owns it: name resolution (Twisted's multicast methods
 * resolve host names through the reactor) and a registry so that shutdown stops every port.
 */
export interface IPortOwner {
  /** Resolves a host name to an IP address; IP literals answer at once. */
  resolve(name: string, timeout?: number): Deferred<string>;
  /** Called by a port once it is bound, so that the owner's shutdown stops it. */
  registerPort(port: IListeningPort<StreamAddress>): void;
  /** Called by a port once it has stopped. */
  unregisterPort(port: IListeningPort<StreamAddress>): void;
}

/**
 * An open connection as the registry of the reactor that owns it sees it (the TCP and UNIX
 * connections): reactor shutdown ends every registered connection, after stopping the ports.
 *
 * @internal
 */
export interface IRegisteredConnection {
  /**
   * Ends the connection because its reactor shuts down (Twisted's `disconnectAll`): the protocol
   * gets `connectionLost` with `ConnectionLost`. May return a Deferred or a Promise that settles
   * once the connection is closed; shutdown waits for it. A throw or a failure is logged.
   */
  disconnectForShutdown(): unknown;
}

/**
 * What a connection needs from the reactor that owns it: to be in the registry that shutdown
 * ends connections from, from when it opens until it has closed.
 *
 * @internal
 */
export interface IConnectionOwner {
  /** Called by a connection once it is open, so that the owner's shutdown ends it. */
  registerConnection(connection: IRegisteredConnection): void;
  /** Called by a connection once it has closed. */
  unregisterConnection(connection: IRegisteredConnection): void;
}

/**
 * What runs in a worker thread: a self-contained function (its source text is sent, so it cannot
 * use variables of the code around it), or a module given by URL, followed by an export name.
 */
export type ThreadTarget = ((...args: never[]) => unknown) | string | URL;

/**
 * A pool of worker threads (the public face of `ThreadPool`, Twisted's
 * `twisted.python.threadpool.ThreadPool`), as `reactor.getThreadPool()` returns it.
 */
export interface IThreadPool {
  /** The minimum number of workers. */
  readonly min: number;
  /** The maximum number of workers. */
  readonly max: number;
  /** The pool's name, for log messages. */
  readonly name: string | undefined;
  /** Whether the pool is running. */
  readonly started: boolean;
  /** Whether `stop()` was called since the last `start()`. */
  readonly joined: boolean;
  /** How many worker threads exist now. */
  readonly workers: number;
  /** Starts the workers; jobs given before wait for this. */
  start(): void;
  /** Refuses new jobs, lets the given ones finish, then ends the workers. */
  stop(): Deferred<void>;
  /** Sets `min` and `max`; `undefined` keeps a value. */
  adjustPoolsize(minthreads?: number, maxthreads?: number): void;
  /** Runs a self-contained function, or `(moduleUrl, exportName, ...args)`, in a worker. */
  callInThread(target: ThreadTarget, ...args: unknown[]): void;
  /** Like `callInThread`, then calls `onResult(success, resultOrFailure)` in this thread. */
  callInThreadWithCallback(
    onResult: ((success: boolean, result: unknown) => void) | null,
    target: ThreadTarget,
    ...args: unknown[]
  ): void;
}

/**
 * A reactor's threads (Twisted's `IReactorThreads`): a pool of worker threads, where a job is
 * a self-contained function (its source is sent) or a module's export.
 */
export interface IReactorThreads {
  /** The reactor's pool, made and started on first use. */
  getThreadPool(): IThreadPool;
  /** Sets the most worker threads the pool runs at once. */
  suggestThreadPoolSize(size: number): void;
  /** Runs `fn(...args)`, or `(moduleUrl, exportName, ...args)`, in a worker; errors are logged. */
  callInThread(target: ThreadTarget, ...args: unknown[]): void;
  /** Calls `fn(...args)` on the next turn of the event loop (no thread shares the reactor). */
  callFromThread<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): void;
}

// -----------------------------------------------------------------------------------------------
// Streams: TCP, UNIX and TLS connections (Twisted's IProtocol, ITransport, ITCPTransport,
// IConsumer, IPushProducer, IPullProducer, IHalfCloseableProtocol, IConnector, IReactorTCP,
// IReactorUNIX, IReactorSSL, IResolverSimple).

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
 * Something that produces data for a consumer (Twisted's `IProducer`): the consumer calls
 * `stopProducing()` when it can take no more, e.g. because its connection was lost.
 */
export interface IProducer {
  /** Stops producing for good: the consumer is gone. */
  stopProducing(): void;
}

/**
 * A producer that writes on its own until paused (Twisted's `IPushProducer`; `streaming` true
 * in `registerProducer`). A connection is one too: pausing it stops reading from its socket.
 */
export interface IPushProducer extends IProducer {
  /** Stops producing until `resumeProducing()`: the consumer's buffer is full. */
  pauseProducing(): void;
  /** Produces again after `pauseProducing()`. */
  resumeProducing(): void;
}

/**
 * A producer that writes only when asked (Twisted's `IPullProducer`; `streaming` false in
 * `registerProducer`): each `resumeProducing()` should write one chunk.
 */
export interface IPullProducer extends IProducer {
  /** Writes one chunk of data to the consumer. */
  resumeProducing(): void;
}

/**
 * Something that takes data from a producer (Twisted's `IConsumer`). A connection's write buffer
 * is Node's: a push producer is paused when the socket's buffer passes its high-water mark and
 * resumed on `'drain'`; a pull producer is asked for more on `'drain'`.
 */
export interface IConsumer {
  /**
   * Registers `producer` to feed this consumer. `streaming` true: a push producer (paused and
   * resumed by the consumer); false: a pull producer (asked for each chunk). A pull producer is
   * asked for its first chunk at once.
   *
   * @throws Error when another producer is registered.
   */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void;
  /** Stops consuming from the registered producer (a pending `loseConnection` may now finish). */
  unregisterProducer(): void;
  /** Takes a chunk of data. */
  write(data: Uint8Array): void;
}

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

/**
 * A transport that can start TLS on a live connection (Twisted's `ITLSTransport`).
 */
export interface ITLSTransport {
  /**
   * Upgrades the connection to TLS in place (STARTTLS): what was written before goes out in the
   * clear, what is written after encrypted; the protocol does not change. An accepted
   * connection takes the server side, a connector's the client side; `normal = false` swaps them.
   */
  startTLS(contextFactory: ITLSContextFactory, normal?: boolean): void;
}

/**
 * Makes the options of one side of a TLS connection (the role of Twisted's context factories,
 * `IOpenSSLContextFactory` and the connection creators): `listenSSL`, `connectSSL` and
 * `startTLS` take one. `CertificateOptions` and `optionsForClientTLS` implement it.
 */
export interface ITLSContextFactory {
  /**
   * The `node:tls` options for a socket on `side` of a connection (`isServer` is set by the
   * caller): keys, certificates, trust roots, verification, `servername` for a client.
   */
  getTLSOptions(side: 'server' | 'client'): TLSSocketOptions & {
    /** The server name a client sends (SNI) and checks the certificate against. */
    servername?: string;
  };
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

/** A reactor that listens and connects over TLS (Twisted's `IReactorSSL`). */
export interface IReactorSSL {
  /** As `listenTCP`, each connection wrapped in TLS made by `contextFactory`. */
  listenSSL(
    port: number,
    factory: IProtocolFactory,
    contextFactory: ITLSContextFactory,
    backlogOrOptions?: number | ListenTCPOptions,
    iface?: string,
  ): IListeningPort;
  /** As `connectTCP`, the connection wrapped in TLS made by `contextFactory`. */
  connectSSL(
    host: string,
    port: number,
    factory: IClientFactory,
    contextFactory: ITLSContextFactory,
    timeoutOrOptions?: number | ConnectTCPOptions,
    bindAddress?: AddressTuple,
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

// -----------------------------------------------------------------------------------------------
// Endpoints and name resolution (Twisted's IStreamServerEndpoint, IStreamClientEndpoint,
// IHostnameResolver, IResolutionReceiver, IHostResolution, IReactorPluggableNameResolver).

/** Where a server listens, described once (Twisted's `IStreamServerEndpoint`). */
export interface IStreamServerEndpoint {
  /** Listens with `factory`; fires with the listening port, or fails (`CannotListenError`…). */
  listen(factory: IProtocolFactory): Deferred<IListeningPort<StreamAddress>>;
}

/** Where a client connects to, described once (Twisted's `IStreamClientEndpoint`). */
export interface IStreamClientEndpoint {
  /**
   * Connects, building the protocol with `factory`; fires with that protocol once it is
   * connected (after its `connectionMade`), or fails with a `ConnectError`. Cancelling the
   * Deferred abandons the attempt.
   */
  connect(factory: IProtocolFactory): Deferred<IProtocol>;
}

/** One name resolution in progress (Twisted's `IHostResolution`). */
export interface IHostResolution {
  /** The name being resolved. */
  readonly name: string;
  /** Abandons it: the receiver hears nothing more. */
  cancel(): void;
}

/** What a name resolution reports to (Twisted's `IResolutionReceiver`). */
export interface IResolutionReceiver {
  /** The resolution started. */
  resolutionBegan(resolution: IHostResolution): void;
  /** One address of the name (`IPv4Address` or `IPv6Address` with type `'TCP'` or `'UDP'`). */
  addressResolved(address: IAddress): void;
  /** No more addresses will come (none at all when the name does not resolve). */
  resolutionComplete(): void;
}

/** Resolves a name to all its addresses (Twisted's `IHostnameResolver`). */
export interface IHostnameResolver {
  /**
   * Resolves `hostName`, reporting each address (with `portNumber`) to `resolutionReceiver`.
   * `addressTypes` limits the families (default both); `transportSemantics` is the `type` of the
   * addresses.
   *
   * @returns `resolutionReceiver`.
   */
  resolveHostName(
    resolutionReceiver: IResolutionReceiver,
    hostName: string,
    portNumber?: number,
    addressTypes?: readonly ('IPv4' | 'IPv6')[],
    transportSemantics?: 'TCP' | 'UDP',
  ): IResolutionReceiver;
}

/** A reactor whose full name resolution can be replaced (Twisted's `IReactorPluggableNameResolver`). */
export interface IReactorPluggableNameResolver {
  /** The resolver `HostnameEndpoint` uses: every address of a name. */
  readonly nameResolver: IHostnameResolver;
  /** Replaces `nameResolver`; returns the one it replaces. */
  installNameResolver(resolver: IHostnameResolver): IHostnameResolver;
}
