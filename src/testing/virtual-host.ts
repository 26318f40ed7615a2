/**
 * `VirtualHost`: one machine on a `VirtualNetwork`, with the reactor methods protocol code uses.
 *
 * @module
 */
import { inspect } from 'node:util';
import type { Deferred } from '../defer/index.ts';
import { CannotListenError } from '../errors.ts';
import type {
  IDatagramProtocol,
  IListeningPort,
  StreamAddress,
  IPortOwner,
  IReactorMulticast,
  IReactorTime,
  IReactorUDP,
  ListenMulticastOptions,
  ListenUDPOptions,
  TriggerId,
} from '../interfaces.ts';
import type { DelayedCall } from '../task/index.ts';
import { Registry } from '../reactor/registry.ts';
import { parseListenMulticastArgs, parseListenUDPArgs } from '../transports/udp/listen-options.ts';
import { validateFunction } from '../validate.ts';
import { familyOf, isLoopbackAddress, isMulticastAddress, systemError } from './checks.ts';
import type { Family } from './checks.ts';
import { resolveLocally } from './resolve-locally.ts';
import { VirtualMulticastPort } from './virtual-multicast-port.ts';
import type { VirtualNetwork } from './virtual-network.ts';
import { VirtualUdpPort } from './virtual-udp-port.ts';

/** Linux's default ephemeral port range (net.ipv4.ip_local_port_range). */
const EPHEMERAL_FIRST = 32768;
const EPHEMERAL_LAST = 60999;

/**
 * A host on a {@link VirtualNetwork}, made by `network.addHost(ip)`. It offers what protocol
 * code asks of the reactor — `listenUDP`, `listenMulticast`, `callLater`, `seconds`,
 * `getDelayedCalls`, `resolve`, `callWhenRunning` — so a protocol written against the reactor
 * runs on it unchanged; pass the host wherever the code takes a reactor.
 *
 * Ports bind as real ones do: on `''` / `'0.0.0.0'` / `'::'` (all interfaces), the host's IP,
 * or loopback (`127.0.0.1`, `::1`, reachable only from the host itself); port 0 picks an
 * ephemeral port (deterministically); another address fails with `CannotListenError`
 * (`EADDRNOTAVAIL`), and a port already bound fails with `EADDRINUSE` unless both ports asked to
 * share it (`reusePort` / `listenMultiple`).
 *
 * Delayed calls run on the network's clock; an exception thrown by one propagates out of the
 * clock's `advance` (as with `Clock`), so the test sees it.
 */
export class VirtualHost implements IReactorTime, IReactorUDP, IReactorMulticast, IPortOwner {
  /** The network this host is on. */
  readonly network: VirtualNetwork;
  /** The host's IP address on the network. */
  readonly ip: string;
  /** 4 or 6, from the IP. */
  readonly family: Family;
  /** Always true: a virtual host runs from the moment it is added. */
  readonly running = true;

  readonly #bound: VirtualUdpPort[] = [];
  readonly #registry = new Registry();
  #calls = new Set<DelayedCall>();
  #nextEphemeral = EPHEMERAL_FIRST;

  /** @internal Made by `network.addHost(ip)`. */
  constructor(network: VirtualNetwork, ip: string) {
    this.network = network;
    this.ip = ip;
    this.family = familyOf(ip);
  }

  // ---------------------------------------------------------------------------------------------
  // Time

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
    const wildcard = address === '0.0.0.0' || address === '::';
    const multicastBind = port instanceof VirtualMulticastPort && isMulticastAddress(address);
    if (!wildcard && !isLoopbackAddress(address) && address !== this.ip && !multicastBind) {
      throw new CannotListenError(
        port.interface,
        port.requestedPort,
        systemError('EADDRNOTAVAIL', -99, 'bind', address, port.requestedPort),
        `${address} is not an address of virtual host ${this.ip}`,
      );
    }
    let number = port.requestedPort;
    if (number === 0) {
      number = this.#ephemeral(port.family);
    } else {
      const conflict = this.#bound.find(
        (other) =>
          other.getHost().port === number &&
          other.family === port.family &&
          overlaps(other.boundAddress, address) &&
          !(other.shared && port.shared),
      );
      if (conflict !== undefined) {
        throw new CannotListenError(
          port.interface,
          number,
          systemError('EADDRINUSE', -98, 'bind', address, number),
        );
      }
    }
    this.#bound.push(port);
    return number;
  }

  #ephemeral(family: Family): number {
    const span = EPHEMERAL_LAST - EPHEMERAL_FIRST + 1;
    for (let i = 0; i < span; i++) {
      const candidate = this.#nextEphemeral;
      this.#nextEphemeral = candidate === EPHEMERAL_LAST ? EPHEMERAL_FIRST : candidate + 1;
      if (!this.#bound.some((p) => p.family === family && p.getHost().port === candidate)) return candidate;
    }
    throw new CannotListenError(
      '',
      0,
      systemError('EADDRINUSE', -98, 'bind', this.ip, 0),
      'no ephemeral port is free',
    );
  }

  /** @internal Frees the port number of a port that closed. */
  unbindPort(port: VirtualUdpPort): void {
    const index = this.#bound.indexOf(port);
    if (index !== -1) this.#bound.splice(index, 1);
  }

  /** @internal The bound ports with this number and family, in binding order. */
  portsOn(number: number, family: Family): VirtualUdpPort[] {
    return this.#bound.filter((p) => p.family === family && p.listening && p.getHost().port === number);
  }

  /** @internal */
  registerPort(port: IListeningPort<StreamAddress>): void {
    this.#registry.registerPort(port);
  }

  /** @internal */
  unregisterPort(port: IListeningPort<StreamAddress>): void {
    this.#registry.unregisterPort(port);
  }

  /** The ports listening on this host, in the order they started. */
  getListeningPorts(): IListeningPort<StreamAddress>[] {
    return this.#registry.getListeningPorts();
  }

  /** Stops every port of this host (a crash or shutdown of the machine). */
  stopAllPorts(): void {
    for (const port of this.#registry.getListeningPorts()) port.stopListening();
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

/** Whether two bound addresses of the same family would receive the same datagrams. */
function overlaps(a: string, b: string): boolean {
  return a === b || a === '0.0.0.0' || a === '::' || b === '0.0.0.0' || b === '::';
}
