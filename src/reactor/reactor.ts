/**
 * `Reactor`: Twisted's reactor on Node's event loop. Its lifecycle, threads and time are
 * `ReactorCore`'s (reactor-core.ts); here are the system event triggers, name resolution
 * (resolve.ts), the transports (each `listen*` and `connect*` delegates to `transports/`) and
 * the registry that ports and connections report to (registry.ts).
 *
 * @module
 */
import { Deferred } from '../defer/deferred.ts';
import { succeed } from '../defer/shortcuts.ts';
import type {
  AddressTuple,
  IListeningPort,
  IRegisteredConnection,
  TriggerId,
  TriggerPhase,
  StreamAddress,
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
  IPortOwner,
  IReactorCore,
  IReactorMulticast,
  IReactorThreads,
  IReactorTime,
  IReactorUDP,
  ListenMulticastOptions,
  ListenUDPOptions,
} from '../interfaces.ts';
import { GAIResolver, SimpleResolverComplexifier } from './name-resolver.ts';
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
import { invalidArgType, ipFamily, validateDelay, validateString } from '../validate.ts';
import { DEFAULT_RESOLVE_TIMEOUT, resolveName } from './resolve.ts';
import { ReactorCore } from './reactor-core.ts';
import { Registry } from './registry.ts';
import { SystemEvents } from './system-events.ts';

export { MAX_TIMER_DELAY_MS } from './reactor-timer.ts';
export type { ReactorEvents, RunOptions } from './reactor-core.ts';

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
  extends ReactorCore
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
  readonly #registry: Registry;
  readonly #events: SystemEvents;
  #nameResolver: IHostnameResolver = new GAIResolver();
  #resolver: IResolverSimple = {
    getHostByName: (name: string, timeout: number = DEFAULT_RESOLVE_TIMEOUT) =>
      resolveName(this, name, timeout),
  };

  /** A reactor of its own, independent of the process-wide `reactor` (see the class). */
  constructor() {
    const registry = new Registry();
    const events = new SystemEvents();
    super(registry, events);
    this.#registry = registry;
    this.#events = events;
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
   * Called by a port when it starts listening, so that shutdown stops it. A port that registers
   * once shutdown is over (one not opened through this reactor's `listen*`) is stopped at once.
   */
  registerPort(port: IListeningPort<StreamAddress>): void {
    if (port === null || typeof port !== 'object' || typeof port.stopListening !== 'function') {
      throw invalidArgType('port', 'a listening port (an object with stopListening())', port);
    }
    this.#registry.registerPort(port);
    if (this.shutdownComplete) this.#registry.finishShutdown();
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
}
