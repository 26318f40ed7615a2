/**
 * `VirtualHost`: one machine on a `VirtualNetwork`, with the reactor methods protocol code uses.
 *
 * @module
 */
import { inspect } from 'node:util';
import type { Deferred } from '../defer/index.ts';
import { CannotListenError } from '../errors.ts';
import type {
  AddressTuple,
  ConnectTCPOptions,
  IClientFactory,
  IConnectionOwner,
  IDatagramProtocol,
  IListeningPort,
  IPortOwner,
  IProtocolFactory,
  IReactorMulticast,
  IReactorTCP,
  IReactorTime,
  IReactorUDP,
  IRegisteredConnection,
  ListenMulticastOptions,
  ListenTCPOptions,
  ListenUDPOptions,
  StreamAddress,
  TriggerId,
} from '../interfaces.ts';
import type { Clock, DelayedCall } from '../task/index.ts';
import { Registry } from '../reactor/registry.ts';
import { parseConnectTCPArgs } from '../transports/tcp/connect-tcp-options.ts';
import { parseListenTCPArgs } from '../transports/tcp/listen-tcp-options.ts';
import { tcpAddress } from '../transports/tcp/listen-tcp.ts';
import { parseListenMulticastArgs, parseListenUDPArgs } from '../transports/udp/listen-options.ts';
import { validateFunction } from '../validate.ts';
import { familyOf, isLoopbackAddress, isMulticastAddress, systemError } from './checks.ts';
import type { Family } from './checks.ts';
import { PortTable, isWildcardAddress, pickBySource } from './port-table.ts';
import type { PortHolder } from './port-table.ts';
import { resolveLocally } from './resolve-locally.ts';
import { VirtualConnector } from './virtual-connector.ts';
import { VirtualMulticastPort } from './virtual-multicast-port.ts';
import type { VirtualNetwork } from './virtual-network.ts';
import { VirtualTcpPort } from './virtual-tcp-port.ts';
import { VirtualUdpPort } from './virtual-udp-port.ts';

/**
 * A host on a {@link VirtualNetwork}, made by `network.addHost(ip)`. It offers what protocol
 * code asks of the reactor — `listenUDP`, `listenMulticast`, `listenTCP`, `connectTCP`,
 * `callLater`, `seconds`, `getDelayedCalls`, `resolve`, `callWhenRunning` — so a protocol
 * written against the reactor runs on it unchanged; pass the host wherever the code takes a
 * reactor (a `ReconnectingClientFactory`'s `clock` too).
 *
 * Ports bind as real ones do: on `''` / `'0.0.0.0'` / `'::'` (all interfaces), the host's IP,
 * or loopback (`127.0.0.1`, `::1`, reachable only from the host itself); port 0 picks an
 * ephemeral port (deterministically; UDP and TCP have separate numbers); another address fails
 * with `CannotListenError` (`EADDRNOTAVAIL`), and a port already bound fails with `EADDRINUSE`
 * unless both ports asked to share it (`reusePort` / `listenMultiple`). Arguments are checked by
 * the real reactor's parsers.
 *
 * Delayed calls run on the network's clock; an exception thrown by one propagates out of the
 * clock's `advance` (as with `Clock`), so the test sees it.
 */
export class VirtualHost
  implements IReactorTime, IReactorUDP, IReactorMulticast, IReactorTCP, IPortOwner, IConnectionOwner
{
  /** The network this host is on. */
  readonly network: VirtualNetwork;
  /** The host's IP address on the network. */
  readonly ip: string;
  /** 4 or 6, from the IP. */
  readonly family: Family;
  /** Always true: a virtual host runs from the moment it is added. */
  readonly running = true;

  readonly #udp = new PortTable<VirtualUdpPort>();
  readonly #tcp = new PortTable<PortHolder>();
  readonly #registry = new Registry();
  #calls = new Set<DelayedCall>();

  /** @internal Made by `network.addHost(ip)`. */
  constructor(network: VirtualNetwork, ip: string) {
    this.network = network;
    this.ip = ip;
    this.family = familyOf(ip);
  }

  // ---------------------------------------------------------------------------------------------
  // Time

  /** The network's clock (what this host's delayed calls and connections run on). */
  get clock(): Clock {
    return this.network.clock;
  }

  /** The network's simulated time, in seconds. */
  seconds(): number {
    return this.network.clock.seconds();
  }

  /** Schedules `fn(...args)` `delay` simulated seconds from now, on the network's clock. */
  callLater<A extends unknown[]>(delay: number, fn: (...args: A) => unknown, ...args: A): DelayedCall<A> {
    const call = this.network.clock.callLater(delay, fn, ...args);
    this.#calls.add(call as unknown as DelayedCall);
    // Forget calls that ran or were cancelled once they pile up, so the set stays small.
    if (this.#calls.size > 1024 && this.#calls.size % 1024 === 0) this.#prune();
    return call;
  }

  /** The calls this host scheduled that are still pending, by due time. */
  getDelayedCalls(): DelayedCall[] {
    this.#prune();
    return [...this.#calls].sort((a, b) => a.getTime() - b.getTime() || a.id - b.id);
  }

  #prune(): void {
    const pending = new Set<DelayedCall>();
    for (const call of this.#calls) if (call.active()) pending.add(call);
    this.#calls = pending;
  }

  /** Calls `fn(...args)` at once: a virtual host is always running. */
  callWhenRunning<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): TriggerId | undefined {
    validateFunction(fn, 'fn');
    fn(...args);
    return undefined;
  }

  /** Calls `fn(...args)` "soon": after 0 simulated seconds, on the next `advance`. */
  callFromThread<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): void {
    validateFunction(fn, 'fn');
    this.callLater(0, fn, ...args);
  }

  // ---------------------------------------------------------------------------------------------
  // Names

  /**
   * Resolves at once: an IP literal to itself, `''` to `'0.0.0.0'`, a name given to
   * `addHost(ip, { names })` or `network.registerName` to its IP; anything else errbacks with
   * `DNSLookupError`.
   */
  resolve(name: string, _timeout?: number): Deferred<string> {
    return resolveLocally(
      name,
      (n) => this.network.lookupName(n),
      (n) => `No host is named ${JSON.stringify(n)} on this virtual network`,
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Ports

  /**
   * Listens for datagrams, with the real `listenUDP`'s arguments and checks. The port is bound
   * and the protocol started when this returns.
   */
  listenUDP(
    port: number,
    protocol: IDatagramProtocol,
    interfaceOrOptions?: string | ListenUDPOptions,
    maxPacketSize?: number,
  ): VirtualUdpPort {
    const udpPort = new VirtualUdpPort(
      this,
      parseListenUDPArgs(port, protocol, interfaceOrOptions, maxPacketSize),
    );
    udpPort.startListening();
    return udpPort;
  }

  /** Listens on a multicast port, with the real `listenMulticast`'s arguments and checks. */
  listenMulticast(
    port: number,
    protocol: IDatagramProtocol,
    interfaceOrOptions?: string | ListenMulticastOptions,
    maxPacketSize?: number,
    listenMultiple?: boolean,
  ): VirtualMulticastPort {
    const request = parseListenMulticastArgs(
      port,
      protocol,
      interfaceOrOptions,
      maxPacketSize,
      listenMultiple,
    );
    const multicastPort = new VirtualMulticastPort(this, request);
    multicastPort.startListening();
    return multicastPort;
  }

  /** @internal Takes a port number for `port`, or throws `CannotListenError` as a real bind would. */
  bindPort(port: VirtualUdpPort): number {
    const address = port.boundAddress;
    const multicastBind = port instanceof VirtualMulticastPort && isMulticastAddress(address);
    if (!multicastBind) this.checkLocalAddress(address, port.interface, port.requestedPort);
    return this.#udp.bind(port, port.requestedPort, port.interface);
  }

  /**
   * @internal Throws `CannotListenError` (`EADDRNOTAVAIL`) unless `address` is one this host can
   * bind: a wildcard, loopback, or its own IP.
   */
  checkLocalAddress(address: string, iface: string, port: number): void {
    if (isWildcardAddress(address) || isLoopbackAddress(address) || address === this.ip) return;
    throw new CannotListenError(
      iface,
      port,
      systemError('EADDRNOTAVAIL', -99, 'bind', address, port),
      `${address} is not an address of virtual host ${this.ip}`,
    );
  }

  /** @internal Frees the port number of a port that closed. */
  unbindPort(port: VirtualUdpPort): void {
    this.#udp.unbind(port);
  }

  /** @internal The bound ports with this number and family, in binding order. */
  portsOn(number: number, family: Family): VirtualUdpPort[] {
    return this.#udp.holdersOf(number, family).filter((p) => p.listening);
  }

  // ---------------------------------------------------------------------------------------------
  // TCP

  /**
   * Listens for TCP connections, with the real `listenTCP`'s arguments and checks (positional
   * `backlog, interface` or `{ backlog, interface, reusePort, signal }`). The port is bound and
   * the factory started when this returns.
   *
   * @example
   * const port = host.listenTCP(8000, Factory.forProtocol(Echo));
   */
  listenTCP(
    port: number,
    factory: IProtocolFactory,
    backlogOrOptions?: number | ListenTCPOptions,
    iface?: string,
  ): VirtualTcpPort {
    const tcpPort = new VirtualTcpPort(this, parseListenTCPArgs(port, factory, backlogOrOptions, iface));
    tcpPort.startListening();
    return tcpPort;
  }

  /**
   * Connects to `host`:`port` over the network, with the real `connectTCP`'s arguments and
   * checks (positional `timeout, bindAddress` or `{ timeout, bindAddress, signal }`). Returns at
   * once, `startedConnecting` called; the outcome reaches the factory on later clock steps.
   *
   * @example
   * host.connectTCP('10.0.0.2', 8000, ClientFactory.forProtocol(Greeter));
   */
  connectTCP(
    host: string,
    port: number,
    factory: IClientFactory,
    timeoutOrOptions?: number | ConnectTCPOptions,
    bindAddress?: AddressTuple,
  ): VirtualConnector {
    const args = parseConnectTCPArgs(host, port, factory, timeoutOrOptions, bindAddress);
    const connector = new VirtualConnector(
      this,
      this.network.streams,
      args,
      tcpAddress(args.host, args.port),
    );
    connector.connect();
    return connector;
  }

  /** @internal Binds a TCP port number (0: ephemeral) for `holder`, or throws `CannotListenError`. */
  bindTcp(holder: PortHolder, requested: number, iface: string): number {
    return this.#tcp.bind(holder, requested, iface);
  }

  /** @internal Frees a TCP port number. */
  unbindTcp(holder: PortHolder): void {
    this.#tcp.unbind(holder);
  }

  /**
   * @internal The listening port that takes a connection to `[address, port]` from `source`:
   * one bound to that address wins over one bound to all; ports sharing the number (reusePort)
   * split connections by a hash of the source.
   */
  tcpListenerFor(
    address: string,
    port: number,
    family: Family,
    source: AddressTuple,
  ): VirtualTcpPort | undefined {
    const listening = this.#tcp
      .holdersOf(port, family)
      .filter(
        (h): h is VirtualTcpPort =>
          h instanceof VirtualTcpPort &&
          h.listening &&
          (isWildcardAddress(h.boundAddress) || h.boundAddress === address),
      );
    if (listening.length === 0) return undefined;
    const specific = listening.filter((p) => !isWildcardAddress(p.boundAddress));
    return pickBySource(specific.length > 0 ? specific : listening, source);
  }

  // ---------------------------------------------------------------------------------------------
  // The registry of ports and connections

  /** @internal */
  registerPort(port: IListeningPort<StreamAddress>): void {
    this.#registry.registerPort(port);
  }

  /** @internal */
  unregisterPort(port: IListeningPort<StreamAddress>): void {
    this.#registry.unregisterPort(port);
  }

  /** The ports listening on this host (UDP and TCP), in the order they started. */
  getListeningPorts(): IListeningPort<StreamAddress>[] {
    return this.#registry.getListeningPorts();
  }

  /** @internal Called by a connection (or a connection attempt) while it is open. */
  registerConnection(connection: IRegisteredConnection): void {
    this.#registry.registerConnection(connection);
  }

  /** @internal Called by a connection once it has closed. */
  unregisterConnection(connection: IRegisteredConnection): void {
    this.#registry.unregisterConnection(connection);
  }

  /** The open connections of this host and its connection attempts in progress, in the order they began. */
  getConnections(): IRegisteredConnection[] {
    return this.#registry.getConnections();
  }

  /** Stops every port of this host (a crash or shutdown of the machine). */
  stopAllPorts(): void {
    for (const port of this.#registry.getListeningPorts()) port.stopListening();
  }

  /**
   * Shuts the host down as the reactor's shutdown does: stops every listening port, then ends
   * every connection (its protocol gets `connectionLost` with `ConnectionLost` on the next clock
   * step; the peer sees the connection close) and fails every attempt in progress.
   */
  shutdown(): void {
    this.#registry.shutdown();
    this.#registry.finishShutdown();
  }

  /** `VirtualHost(10.0.0.1)`. */
  toString(): string {
    return `VirtualHost(${this.ip})`;
  }

  /** Shows {@link toString} in `console.log` and `util.inspect`. */
  [inspect.custom](): string {
    return this.toString();
  }
}
