/**
 * `Reactor`: Twisted's reactor on Node's event loop — the lifecycle (`run`/`stop`/`crash`) and
 * its system events, over the pieces beside it: delayed calls on one timer (reactor-timer.ts),
 * signal handling (shutdown-signals.ts), name resolution (resolve.ts) and the registry of ports
 * and connections that shutdown ends (registry.ts). Each `listen*` delegates to `transports/`.
 *
 * @module
 */
import { Deferred } from '../defer/deferred.ts';
import { ReportingEmitter } from '../defer/reporting-emitter.ts';
import { handleAsyncResult } from '../defer/user-code.ts';
import { succeed } from '../defer/shortcuts.ts';
import { ReactorAlreadyRunning, ReactorNotRestartable, ReactorNotRunning } from '../errors.ts';
import type {
  AddressTuple,
  ConnectTCPOptions,
  ConnectUNIXOptions,
  IClientFactory,
  IConnectionOwner,
  IDatagramProtocol,
  IProtocolFactory,
  IReactorPluggableResolver,
  IReactorTCP,
  IReactorUNIX,
  IReactorSSL,
  ITLSContextFactory,
  IHostnameResolver,
  IReactorPluggableNameResolver,
  IResolverSimple,
  ListenTCPOptions,
  ListenUNIXOptions,
  IListeningPort,
  StreamAddress,
  IPortOwner,
  IReactorCore,
  IReactorMulticast,
  IReactorThreads,
  IReactorTime,
  IReactorUDP,
  IRegisteredConnection,
  IThreadPool,
  ListenMulticastOptions,
  ThreadTarget,
  ListenUDPOptions,
  TriggerId,
  TriggerPhase,
} from '../interfaces.ts';
import { err } from '../log/log.ts';
import { GAIResolver, SimpleResolverComplexifier } from './name-resolver.ts';
import type { DelayedCall } from '../task/delayed-call.ts';
import type { TimerQueue } from '../task/timer-queue.ts';
import type { IPv4Address, IPv6Address, UNIXAddress } from '../transports/address.ts';
import { adoptStreamPort, type AddressFamily } from '../transports/tcp/adopt-stream-port.ts';
import { connectTCP, connectUNIX } from '../transports/tcp/connect.ts';
import type { Connector } from '../transports/tcp/connector.ts';
import { listenTCP } from '../transports/tcp/listen-tcp.ts';
import { connectSSL } from '../transports/tls/connect-ssl.ts';
import { listenSSL } from '../transports/tls/listen-ssl.ts';
import { listenUNIX } from '../transports/tcp/listen-unix.ts';
import type { TcpPort } from '../transports/tcp/tcp-port.ts';
import type { UnixPort } from '../transports/tcp/unix-port.ts';
import { listenUDP } from '../transports/udp/listen.ts';
import { listenMulticast } from '../transports/udp/listen-multicast.ts';
import type { MulticastPort } from '../transports/udp/multicast-port.ts';
import type { UdpPort } from '../transports/udp/udp-port.ts';
import {
  invalidArgType,
  ipFamily,
  readOptions,
  validateBoolean,
  validateDelay,
  validateFunction,
  validateString,
} from '../validate.ts';
import { MAX_TIMER_DELAY_MS, ReactorTimer } from './reactor-timer.ts';
import { isRunning, nextState } from './reactor-state.ts';
import type { ReactorEvent, ReactorState } from './reactor-state.ts';
import { Registry } from './registry.ts';
import { DEFAULT_RESOLVE_TIMEOUT, resolveName } from './resolve.ts';
import { ShutdownSignals } from './shutdown-signals.ts';
import { reactorThreadPool, stopThreadPool } from './thread-pools.ts';
import { SystemEvents } from './system-events.ts';

export { MAX_TIMER_DELAY_MS } from './reactor-timer.ts';

/** Options of {@link Reactor.run}. */
export interface RunOptions {
  /** Install SIGINT/SIGTERM (and SIGBREAK on Windows) handlers that call `stop()`. Default true. */
  installSignalHandlers?: boolean;
}

/** The events a reactor publishes (DESIGN.md decision 7). */
export interface ReactorEvents {
  /** The `startup` system event has completed: the reactor is running. */
  startup: [];
  /** The `shutdown` system event has completed: ports are closed, pending calls dropped. */
  shutdown: [];
}

function noop(): void {}

/**
 * The reactor. Use the process-wide `reactor` instance; `new Reactor()` makes an independent one
 * (tests, or several event domains in one process).
 *
 * Delayed calls and ports work whether or not `run()` was called, because Node's event loop is
 * always there; `run()` adds the lifecycle: the `startup` and `shutdown` system events, signal
 * handling, and keeping the process alive until `stop()`.
 *
 * @example
 * import { reactor } from 'twisted-ts';
 *
 * reactor.callWhenRunning(() => console.log('running'));
 * reactor.addSystemEventTrigger('before', 'shutdown', () => console.log('bye'));
 * reactor.callLater(1, () => reactor.stop());
 * await reactor.run(); // resolves once shutdown is complete
 */
export class Reactor
  extends ReportingEmitter<ReactorEvents>
  implements
    IReactorCore,
    IReactorTime,
    IReactorUDP,
    IReactorMulticast,
    IReactorTCP,
    IReactorUNIX,
    IReactorSSL,
    IReactorPluggableResolver,
    IReactorThreads,
    IReactorPluggableNameResolver,
    IPortOwner,
    IConnectionOwner
{
  #state: ReactorState = 'idle'; // see reactor-state.ts for the transitions
  /** Fires once the startup event of the current run has completed: shutdown waits for it. */
  #startup = new Deferred<void>();
  /** Bumped by `crash()`, so that a startup still waiting on a Deferred does not resume the old run. */
  #generation = 0;
  #resolveRun: (() => void) | undefined;
  #keepAlive: NodeJS.Timeout | undefined;
  readonly #signals = new ShutdownSignals(
    () => nextState(this.#state, 'stop') !== undefined,
    () => this.stop(),
  );
  readonly #events = new SystemEvents();
  readonly #registry = new Registry();
  readonly #timer = new ReactorTimer(() => this.seconds());
  #nameResolver: IHostnameResolver = new GAIResolver();
  #resolver: IResolverSimple = {
    getHostByName: (name: string, timeout: number = DEFAULT_RESOLVE_TIMEOUT) =>
      resolveName(this, name, timeout),
  };

  /** True between the `during` phase of startup and the `during` phase of shutdown. */
  get running(): boolean {
    return isRunning(this.#state);
  }

  // ---------------------------------------------------------------------------------------------
  // Lifecycle

  /**
   * Starts the reactor: fires the `startup` system event (its `before` triggers run inside this
   * call; if they return Deferreds or Promises, the rest waits for them), then keeps the process
   * alive until {@link stop}. Not an `async` function: misuse throws synchronously.
   *
   * @returns a Promise that resolves once shutdown is complete (or at once on `crash()`).
   * @throws ReactorAlreadyRunning when it is running (or starting, or in the `before` phase of
   *   its shutdown).
   * @throws ReactorNotRestartable after a `stop()`, from the `during` phase of its shutdown on
   *   (an `after shutdown` trigger included): like Twisted's, a stopped reactor stays stopped.
   *   After `crash()` it may run again.
   */
  run(options: RunOptions = {}): Promise<void> {
    const { installSignalHandlers = true } = readOptions(options, 'options', RUN_OPTION_KEYS);
    validateBoolean(installSignalHandlers, 'options.installSignalHandlers');
    if (!this.#transition('run')) {
      // From the `during` phase of shutdown on, Twisted's reactor is no longer started (a
      // `during shutdown` trigger crashes it) but was stopped: not restartable.
      if (this.#state === 'shuttingDown' || this.#state === 'crashed' || this.#state === 'finished') {
        throw new ReactorNotRestartable(
          'The reactor was stopped and cannot be restarted; create a new Reactor.',
        );
      }
      throw new ReactorAlreadyRunning('The reactor is already running.');
    }
    const startup = (this.#startup = new Deferred<void>());
    const generation = this.#generation;
    const promise = new Promise<void>((resolve) => {
      this.#resolveRun = resolve;
    });
    // While running the process stays alive even with nothing scheduled, as Twisted's blocking
    // run() does. One idle ref'd interval costs nothing.
    this.#keepAlive = setInterval(noop, MAX_TIMER_DELAY_MS);
    this.#events.fire('startup', {
      during: () => {
        if (generation !== this.#generation) return;
        this.#transition('startupDuring');
        if (installSignalHandlers) this.#signals.install();
      },
      done: () => {
        if (generation !== this.#generation) return;
        this.#emitSafely('startup');
        startup.callback(undefined); // a stop() waiting for startup begins the shutdown now
      },
    });
    return promise;
  }

  /**
   * Stops the reactor. Shutdown begins after this call returns (in a later turn of the event
   * loop, never inside it): the `before shutdown` triggers (waiting for Deferreds or Promises
   * they return), then the `during` phase, where `running` becomes false, every registered
   * listening port is stopped (one port failing does not prevent the next) and then every open
   * connection ended, then — once they have closed — the `after` phase. Afterwards pending
   * delayed calls are dropped, the signal handlers are removed, nothing of the reactor keeps the
   * process alive, and the `run()` promise resolves.
   *
   * @throws ReactorNotRunning when the reactor is not running (or already stopping).
   */
  stop(): void {
    if (!this.#transition('stop')) throw new ReactorNotRunning("Can't stop reactor that isn't running.");
    const generation = this.#generation;
    const startup = this.#startup;
    setImmediate(() => {
      // A crash() since this stop() ended the run before shutdown began: as in Twisted, the
      // shutdown event then never fires (ports stay open, pending calls stay scheduled).
      if (generation !== this.#generation) return;
      startup.addCallback(() => this.#shutdown());
    });
  }

  /**
   * Stops at once, without the shutdown triggers: ports stay open and pending calls stay
   * scheduled (they keep running, as delayed calls do without `run()`). The `run()` promise
   * resolves, and `run()` may be called again — unless `stop()` was called. Twisted calls this
   * "extremely rude".
   */
  crash(): void {
    this.#generation++;
    this.#transition('crash');
    this.#endRun();
  }

  /**
   * Calls `fn(...args)` when the reactor is running: at once if it is (exceptions propagate; the
   * rejection of a Promise it returns is logged), else in the `after startup` phase, in
   * registration order (as a trigger: a throw or a rejection is logged).
   *
   * @returns the trigger id when the call was deferred, for `removeSystemEventTrigger`.
   */
  callWhenRunning<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): TriggerId | undefined {
    validateFunction(fn, 'fn');
    if (this.running) {
      handleAsyncResult(fn(...args), logCallError, ['callWhenRunning', fn]);
      return undefined;
    }
    return this.addSystemEventTrigger('after', 'startup', fn, ...args);
  }

  /**
   * Calls `fn(...args)` in the next turn of the event loop (`setImmediate`). Node has no threads
   * sharing the reactor; this keeps Twisted's name for "run this soon, not now". An exception,
   * or the rejection of a Promise it returns, is logged.
   */
  callFromThread<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): void {
    validateFunction(fn, 'fn');
    setImmediate(() => {
      let result: unknown;
      try {
        result = fn(...args);
      } catch (e) {
        logCallError(e, ['callFromThread', fn]);
        return;
      }
      handleAsyncResult(result, logCallError, ['callFromThread', fn]);
    });
  }

  /** @internal Logs what a listener of the reactor's events threw or rejected with. */
  protected override listenerFailed(error: unknown, event: keyof ReactorEvents): void {
    err(error, `Error in a '${String(event)}' listener of the reactor`);
  }

  // ---------------------------------------------------------------------------------------------
  // Threads (IReactorThreads)

  /**
   * The reactor's pool of worker threads (Twisted's `getThreadPool`), which `deferToThread` and
   * {@link callInThread} use: Twisted's `ThreadPool(0, 10)`, made and started on first use.
   * Shutdown stops it once the jobs given to it have finished (docs/threads.md).
   */
  getThreadPool(): IThreadPool {
    return reactorThreadPool(this);
  }

  /** Sets the most worker threads the reactor's pool runs at once (also while it runs). */
  suggestThreadPoolSize(size: number): void {
    this.getThreadPool().adjustPoolsize(undefined, size);
  }

  /**
   * Runs a job in the reactor's pool, ignoring its result (Twisted's `callInThread`): a
   * self-contained function `fn(...args)` (its source is sent to a worker thread), or
   * `(moduleUrl, exportName, ...args)`. An error in the job is logged. See `deferToThread` for a
   * Deferred of the result.
   */
  callInThread(target: ThreadTarget, ...args: unknown[]): void {
    this.getThreadPool().callInThread(target, ...args);
  }

  // ---------------------------------------------------------------------------------------------
  // System events

  /**
   * Adds a trigger for a phase of a system event (`startup`, `shutdown`, or one of your own fired
   * with {@link fireSystemEvent}). A `before` trigger may return a Deferred or a Promise: the
   * event waits for it. An exception in a trigger is logged; the others still run. Each trigger
   * runs once: firing an event consumes its triggers, as in Twisted.
   */
  addSystemEventTrigger<A extends unknown[]>(
    phase: TriggerPhase,
    eventType: string,
    fn: (...args: A) => unknown,
    ...args: A
  ): TriggerId {
    return this.#events.add(phase, eventType, fn, args);
  }

  /**
   * Removes a pending trigger. Removing one from another trigger of the same event prevents it.
   *
   * @throws TypeError (`ERR_INVALID_ARG_VALUE`) when the id is unknown, or its trigger was
   *   already removed or has already run.
   */
  removeSystemEventTrigger(id: TriggerId): void {
    this.#events.remove(id);
  }

  /** Fires a system event: its `before`, `during` and `after` triggers, as for startup and shutdown. */
  fireSystemEvent(eventType: string): void {
    this.#events.fire(eventType);
  }

  // ---------------------------------------------------------------------------------------------
  // Time

  /**
   * The current time in epoch seconds. It comes from Node's monotonic clock anchored at the
   * process's start (`performance.timeOrigin + performance.now()`), so delayed calls are not
   * disturbed when the wall clock is set back or forward. (The global `performance` is read at
   * each call, so fake timers that replace it drive the reactor too.)
   */
  seconds(): number {
    return (performance.timeOrigin + performance.now()) / 1000;
  }

  /**
   * Calls `fn(...args)` in `delay` **seconds** (a finite number >= 0; `RangeError` otherwise,
   * `TypeError` for a non-number or a non-function). A pending call keeps the process alive,
   * like a `setTimeout`. Calls due at the same time run in the order they were scheduled. An
   * exception thrown by `fn` is logged and the reactor goes on.
   */
  callLater<A extends unknown[]>(delay: number, fn: (...args: A) => unknown, ...args: A): DelayedCall<A> {
    return this.#timer.callLater(delay, fn, args);
  }

  /** Every pending delayed call, in no particular order. */
  getDelayedCalls(): DelayedCall[] {
    return this.#timer.getDelayedCalls();
  }

  // ---------------------------------------------------------------------------------------------
  // Names

  /**
   * Resolves a host name to an IP address through the installed resolver (by default the
   * system's, preferring IPv4 as Twisted's `gethostbyname`-based one does). An IP literal
   * answers at once; `''` gives `'0.0.0.0'`, as in Twisted. Errbacks with `DNSLookupError`, or
   * `TimeoutError` after `timeout` seconds (default 60). Cancelling the Deferred abandons the lookup.
   */
  resolve(name: string, timeout: number = DEFAULT_RESOLVE_TIMEOUT): Deferred<string> {
    validateString(name, 'name');
    validateDelay(timeout, 'timeout');
    if (name === '') return succeed('0.0.0.0');
    if (ipFamily(name) !== 0) return succeed(name);
    return this.#resolver.getHostByName(name, timeout);
  }

  /**
   * Replaces name resolution for `resolve`, `connectTCP` and the endpoints (Twisted's
   * `installResolver`): tests install one that answers from a table, or fails with
   * `DNSLookupError`, so nothing reaches the network.
   *
   * @returns the resolver it replaces.
   * @example
   * reactor.installResolver({ getHostByName: (name) => fail(new DNSLookupError(name)) });
   */
  installResolver(resolver: IResolverSimple): IResolverSimple {
    if (resolver === null || typeof resolver !== 'object' || typeof resolver.getHostByName !== 'function') {
      throw invalidArgType(
        'resolver',
        'a resolver (an object with a getHostByName(name, timeout) method)',
        resolver,
      );
    }
    const previous = this.#resolver;
    this.#resolver = resolver;
    // As Twisted: the full resolver (HostnameEndpoint's) now answers through this one too.
    this.#nameResolver = new SimpleResolverComplexifier(resolver);
    return previous;
  }

  /**
   * The resolver that gives every address of a name (Twisted's `reactor.nameResolver`), which
   * `HostnameEndpoint` uses: the system's (`getaddrinfo`) by default; after `installResolver`,
   * the one address that resolver gives.
   */
  get nameResolver(): IHostnameResolver {
    return this.#nameResolver;
  }

  /**
   * Replaces {@link nameResolver} (Twisted's `installNameResolver`): tests install one that
   * answers from a table with several addresses, so nothing reaches the network.
   *
   * @returns the resolver it replaces.
   */
  installNameResolver(resolver: IHostnameResolver): IHostnameResolver {
    if (resolver === null || typeof resolver !== 'object' || typeof resolver.resolveHostName !== 'function') {
      throw invalidArgType('resolver', 'a name resolver (an object with a resolveHostName method)', resolver);
    }
    const previous = this.#nameResolver;
    this.#nameResolver = resolver;
    return previous;
  }

  // ---------------------------------------------------------------------------------------------
  // UDP (IReactorUDP)

  /**
   * Listens for datagrams on `port` (Twisted's `listenUDP`); see `listenUDP` in
   * src/transports/udp/listen.ts. The port is bound when this returns (`getHost()` gives the real
   * port; a bind failure throws `CannotListenError`), and shutdown stops it.
   *
   * @example
   * const port = reactor.listenUDP(9999, new Echo(), '127.0.0.1');
   */
  listenUDP(
    port: number,
    protocol: IDatagramProtocol,
    interfaceOrOptions?: string | ListenUDPOptions,
    maxPacketSize?: number,
  ): UdpPort {
    this.assertAcceptingPorts('listenUDP');
    return listenUDP(this, port, protocol, interfaceOrOptions, maxPacketSize);
  }

  // ---------------------------------------------------------------------------------------------
  // Multicast (IReactorMulticast)

  /**
   * Listens for multicast datagrams on `port` (Twisted's `listenMulticast`); see
   * `listenMulticast` in src/transports/udp/listen-multicast.ts. `{ listenMultiple: true }` (or
   * Twisted's positional `listenMultiple`) shares the port with other sockets that ask for it
   * too. Bound when this returns; shutdown stops it.
   *
   * @example
   * const port = reactor.listenMulticast(1900, new Ssdp(), { listenMultiple: true });
   * await port.joinGroup('239.255.255.250');
   */
  listenMulticast(
    port: number,
    protocol: IDatagramProtocol,
    interfaceOrOptions?: string | ListenMulticastOptions,
    maxPacketSize?: number,
    listenMultiple?: boolean,
  ): MulticastPort {
    this.assertAcceptingPorts('listenMulticast');
    return listenMulticast(this, port, protocol, interfaceOrOptions, maxPacketSize, listenMultiple);
  }

  // ---------------------------------------------------------------------------------------------
  // Streams (IReactorTCP, IReactorUNIX): src/transports/tcp/

  /**
   * Listens for TCP connections on `port`, each served by a protocol `factory` builds (Twisted's
   * `listenTCP`); see src/transports/tcp/listen-tcp.ts. Bound when this returns (`getHost()`
   * gives the real port; a bind failure throws `CannotListenError`); shutdown stops it.
   *
   * @example
   * const port = reactor.listenTCP(8000, Factory.forProtocol(Echo), 50, '127.0.0.1');
   */
  listenTCP(
    port: number,
    factory: IProtocolFactory,
    backlogOrOptions?: number | ListenTCPOptions,
    iface?: string,
  ): TcpPort {
    this.assertAcceptingPorts('listenTCP');
    return listenTCP(this, port, factory, backlogOrOptions, iface);
  }

  /**
   * Connects to `host`:`port` (Twisted's `connectTCP`); see src/transports/tcp/connect.ts.
   * Returns at once; the outcome reaches `factory`. Host names go through the resolver.
   *
   * @example
   * reactor.connectTCP('127.0.0.1', 8000, ClientFactory.forProtocol(Greeter));
   */
  connectTCP(
    host: string,
    port: number,
    factory: IClientFactory,
    timeoutOrOptions?: number | ConnectTCPOptions,
    bindAddress?: AddressTuple,
  ): Connector<IPv4Address | IPv6Address> {
    this.assertAcceptingPorts('connectTCP');
    return connectTCP(this, host, port, factory, timeoutOrOptions, bindAddress);
  }

  /**
   * Listens for TLS connections on `port` (Twisted's `listenSSL`); see
   * src/transports/tls/listen-ssl.ts. As `listenTCP`, each connection wrapped in TLS made from
   * `contextFactory`; a failed handshake reaches `connectionLost` as a `TLSError`.
   */
  listenSSL(
    port: number,
    factory: IProtocolFactory,
    contextFactory: ITLSContextFactory,
    backlogOrOptions?: number | ListenTCPOptions,
    iface?: string,
  ): TcpPort {
    return listenSSL(this, port, factory, contextFactory, backlogOrOptions, iface);
  }

  /**
   * Connects to `host`:`port` over TLS (Twisted's `connectSSL`); see
   * src/transports/tls/connect-ssl.ts. `optionsForClientTLS(host)` verifies the server.
   */
  connectSSL(
    host: string,
    port: number,
    factory: IClientFactory,
    contextFactory: ITLSContextFactory,
    timeoutOrOptions?: number | ConnectTCPOptions,
    bindAddress?: AddressTuple,
  ): Connector<IPv4Address | IPv6Address> {
    return connectSSL(this, host, port, factory, contextFactory, timeoutOrOptions, bindAddress);
  }

  /**
   * Listens on a stream socket someone else made, given as a file descriptor (Twisted's
   * `adoptStreamPort`: systemd's socket activation, a parent process); see
   * src/transports/tcp/adopt-stream-port.ts. The port takes the descriptor over.
   */
  adoptStreamPort(
    fileDescriptor: number,
    addressFamily: AddressFamily,
    factory: IProtocolFactory,
  ): TcpPort | UnixPort {
    return adoptStreamPort(this, fileDescriptor, addressFamily, factory);
  }

  /**
   * Listens on the UNIX socket `address` (Twisted's `listenUNIX`; `'\0name'` is Linux's abstract
   * namespace); see src/transports/tcp/listen-unix.ts. Bound when this returns.
   */
  listenUNIX(
    address: string,
    factory: IProtocolFactory,
    backlogOrOptions?: number | ListenUNIXOptions,
    mode?: number,
    wantPID?: boolean,
  ): UnixPort {
    this.assertAcceptingPorts('listenUNIX');
    return listenUNIX(this, address, factory, backlogOrOptions, mode, wantPID);
  }

  /** Connects to the UNIX socket `address` (Twisted's `connectUNIX`); see src/transports/tcp/connect.ts. */
  connectUNIX(
    address: string,
    factory: IClientFactory,
    timeoutOrOptions?: number | ConnectUNIXOptions,
    checkPID?: boolean,
  ): Connector<UNIXAddress> {
    this.assertAcceptingPorts('connectUNIX');
    return connectUNIX(this, address, factory, timeoutOrOptions, checkPID);
  }

  // ---------------------------------------------------------------------------------------------
  // Ports (IPortOwner) and connections (IConnectionOwner)

  /**
   * @internal Throws `ReactorNotRunning` once shutdown has stopped the ports (from a `during` or
   * `after shutdown` trigger, a `'shutdown'` listener, or later): a port opened then would
   * outlive the reactor and hold the process open. Every `listen*`/`connect*` calls it before it
   * creates anything.
   */
  assertAcceptingPorts(what: string): void {
    if (this.#state === 'shuttingDown' || this.#state === 'finished') {
      throw new ReactorNotRunning(
        `${what}() after the reactor has shut down: the port would outlive it. Open ports before reactor.stop(), or on a new Reactor.`,
      );
    }
  }

  /**
   * Called by a port when it starts listening, so that shutdown stops it. A port that registers
   * once shutdown is over (one not opened through this reactor's `listen*`) is stopped at once.
   */
  registerPort(port: IListeningPort<StreamAddress>): void {
    if (port === null || typeof port !== 'object' || typeof port.stopListening !== 'function') {
      throw invalidArgType('port', 'a listening port (an object with stopListening())', port);
    }
    this.#registry.registerPort(port);
    if (this.#state === 'finished') this.#registry.finishShutdown();
  }

  /** Called by a port once it has stopped listening. Unknown ports are ignored. */
  unregisterPort(port: IListeningPort<StreamAddress>): void {
    this.#registry.unregisterPort(port);
  }

  /** The ports listening on this reactor (that shutdown will stop), in registration order. */
  getListeningPorts(): IListeningPort<StreamAddress>[] {
    return this.#registry.getListeningPorts();
  }

  /** @internal Called by a connection once it is open, so that shutdown ends it. */
  registerConnection(connection: IRegisteredConnection): void {
    this.#registry.registerConnection(connection);
  }

  /** @internal Called by a connection once it has closed. Unknown connections are ignored. */
  unregisterConnection(connection: IRegisteredConnection): void {
    this.#registry.unregisterConnection(connection);
  }

  /** @internal The open connections (that shutdown will end), in registration order. */
  getConnections(): IRegisteredConnection[] {
    return this.#registry.getConnections();
  }

  // ---------------------------------------------------------------------------------------------
  // Internals

  /** Moves to the state after `event` (reactor-state.ts); false, and no move, where it does not apply. */
  #transition(event: ReactorEvent): boolean {
    const next = nextState(this.#state, event);
    if (next === undefined) return false;
    this.#state = next;
    return true;
  }

  #shutdown(): void {
    this.#events.fire('shutdown', {
      during: () => {
        // After a crash() while the 'before' triggers ran, the reactor stays crashed.
        this.#transition('shutdownDuring');
        // Twisted stops its thread pool in a `during shutdown` trigger and joins the threads:
        // here the `after` phase waits until the jobs already given have finished.
        return [...this.#registry.shutdown(), ...stopThreadPool(this)];
      },
      done: () => this.#finishShutdown(),
    });
  }

  #finishShutdown(): void {
    this.#transition('shutdownDone');
    // A port registered after the 'during' phase stopped the others (by a trigger or a delayed
    // call while they closed) would otherwise stay open, holding the process after run() resolved.
    this.#registry.finishShutdown();
    // Twisted's loop ends here, so pending calls never run; dropping them releases the timer.
    this.#timer.close();
    this.#emitSafely('shutdown');
    this.#endRun();
  }

  /** What `crash()` and the end of shutdown share: let go of the process, resolve `run()`. */
  #endRun(): void {
    this.#signals.remove();
    if (this.#keepAlive !== undefined) {
      clearInterval(this.#keepAlive);
      this.#keepAlive = undefined;
    }
    const resolve = this.#resolveRun;
    this.#resolveRun = undefined;
    resolve?.();
  }

  #emitSafely(event: keyof ReactorEvents): void {
    // Listeners cannot throw out of emit (ReportingEmitter reports them); a failure of the
    // emitter itself must not stop the lifecycle either.
    try {
      this.emit(event);
    } catch (e) {
      err(e, `Error while emitting '${event}' from the reactor`);
    }
  }

  /** @internal For tests of the timer: the due time the Node timer is armed for. */
  get armedFor(): number {
    return this.#timer.armedFor;
  }

  /** @internal For tests of memory use: the heap of pending calls. */
  get timerQueue(): TimerQueue {
    return this.#timer.queue;
  }
}

/** The keys `run()` takes. */
const RUN_OPTION_KEYS: ReadonlySet<string> = new Set(['installSignalHandlers']);

/** Logs what `callFromThread` / `callWhenRunning`'s function threw or rejected with. */
function logCallError(error: unknown, [what, fn]: [string, (...args: never[]) => unknown]): void {
  err(error, `Error in ${what}(${fn.name || '<anonymous>'})`);
}
