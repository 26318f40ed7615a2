/**
 * `FakeDatagramTransport`: a UDP (and multicast) transport that records instead of sending
 * (Twisted's `twisted.internet.testing.FakeDatagramTransport`, grown up).
 *
 * @module
 */
import { inspect } from 'node:util';
import { Deferred } from '../defer/index.ts';
import { DNSLookupError } from '../errors.ts';
import type {
  AddressTuple,
  Datagram,
  IDatagramProtocol,
  IMulticastTransport,
  IPortOwner,
} from '../interfaces.ts';
import { DEFAULT_MAX_PACKET_SIZE, IPv4Address, IPv6Address } from '../transports/index.ts';
import {
  invalidArgType,
  ipFamily,
  validateBoolean,
  validateInteger,
  validatePort,
  validateString,
} from '../validate.ts';
import {
  checkConnect,
  checkDatagram,
  checkLoopbackMode,
  checkSequence,
  checkTTL,
  checkWriteAddress,
  familyOf,
  formatAddr,
  notRunning,
} from './checks.ts';
import type { Family } from './checks.ts';
import { changeMembership, resolveOutgoingInterface } from './membership.ts';
import { StopsWhileStarting } from './stops-while-starting.ts';

/** Where a fake port is in its life (the real port's states, without the asynchronous ones). */
export type FakePortState = 'bound' | 'connected' | 'closed';

/** Options of {@link FakeDatagramTransport}. */
export interface FakeDatagramTransportOptions {
  /**
   * The address `getHost()` reports (an IP literal). An IPv6 literal makes an IPv6 transport,
   * which refuses IPv4 destinations as a real IPv6 port does. Default `'0.0.0.0'`.
   */
  host?: string;
  /** The port `getHost()` reports. Default 0. */
  port?: number;
  /** The protocol that {@link FakeDatagramTransport.startListening}, `deliver` and `stopListening` drive. */
  protocol?: IDatagramProtocol;
  /** Datagrams given to `deliver` are cut to this length, as a real port cuts them. Default 8192. */
  maxPacketSize?: number;
  /**
   * Who resolves host names (for `joinGroup` and `setOutgoingInterface`) and keeps the registry
   * of listening ports — `MemoryReactor` passes itself. Without one, only IP literals resolve.
   */
  owner?: IPortOwner;
}

/**
 * A transport that sends nothing: every `write` is recorded in {@link written} as a
 * `[datagram, addr]` pair, after the same checks the real `UdpPort` makes — a host name throws
 * `InvalidAddressError`, an IPv6 address on an IPv4 transport too, an oversized datagram
 * `MessageLengthError`, a bad port a `RangeError` — so a protocol that passes its tests with
 * this transport does not fail on the real one. It also implements the multicast transport
 * (`joinGroup`, `setTTL`, …), recording the groups in {@link groups}, so multicast protocols run
 * on it too.
 *
 * Unlike a real port, everything happens at once: `stopListening()` runs the protocol's
 * `doStop` (hence `stopProtocol`) and fires its Deferred before it returns.
 *
 * @example
 * const proto = new Echo();
 * const transport = new FakeDatagramTransport({ protocol: proto, port: 9999 });
 * transport.startListening();                       // proto.makeConnection(transport)
 * transport.deliver(Buffer.from('hi'), ['10.0.0.2', 5000]);
 * transport.written;  // [[<Buffer 68 69>, ['10.0.0.2', 5000]]]
 */
export class FakeDatagramTransport implements IMulticastTransport {
  /** Every datagram written, with its destination (for a connected write, the connected peer). */
  readonly written: [datagram: Buffer, addr: AddressTuple][] = [];
  /** The multicast groups joined and not left, as `[group, interface]`, in joining order. */
  readonly groups: [group: string, iface: string][] = [];
  /** The protocol this transport drives (`undefined` if it was attached by hand with `makeConnection`). */
  protocol: IDatagramProtocol | undefined;
  /** Datagrams given to `deliver` are cut to this length. */
  readonly maxPacketSize: number;
  /** Always `'memory'`: a fake opens no socket (a real port says `'native'` or `'dgram'`). */
  readonly ioPath = 'memory' as const;
  /** The IP family of the transport, from its host. */
  readonly family: Family;

  #state: FakePortState = 'bound';
  readonly #host: IPv4Address | IPv6Address;
  readonly #owner: IPortOwner | undefined;
  #peer: AddressTuple | undefined;
  #broadcastAllowed = false;
  #ttl = 1;
  #loopback = true;
  #outgoingInterface: string;
  #registered = false;
  readonly #stops = new StopsWhileStarting();
  readonly #resolver = (name: string): Deferred<string> => this.#resolve(name);

  /**
   * A transport on `options.host`:`options.port` (checked: an IP literal, a port 0–65535, a
   * positive `maxPacketSize`). Nothing starts until {@link startListening}.
   */
  constructor(options: FakeDatagramTransportOptions = {}) {
    const { host = '0.0.0.0', port = 0, protocol, maxPacketSize = DEFAULT_MAX_PACKET_SIZE, owner } = options;
    validateString(host, 'options.host');
    if (ipFamily(host) === 0) throw invalidArgType('options.host', 'an IP address literal', host);
    validatePort(port, 'options.port');
    validateInteger(maxPacketSize, 'options.maxPacketSize', 1);
    this.family = familyOf(host);
    this.#host = this.family === 6 ? new IPv6Address('UDP', host, port) : new IPv4Address('UDP', host, port);
    this.protocol = protocol;
    this.maxPacketSize = maxPacketSize;
    this.#owner = owner;
    this.#outgoingInterface = this.family === 6 ? '::' : '0.0.0.0';
  }

  /** `'bound'`, `'connected'` after `connect`, `'closed'` after `stopListening`. */
  get state(): FakePortState {
    return this.#state;
  }

  /** The connected peer, or `undefined`. */
  get peer(): AddressTuple | undefined {
    return this.#peer;
  }

  /**
   * Starts the protocol on this transport (`protocol.makeConnection(this)`, which runs
   * `startProtocol`) and registers with the owner, as `listenUDP` does with a real port. If
   * `startProtocol` throws, the transport is closed and the error thrown.
   */
  startListening(): void {
    const protocol = this.protocol;
    if (protocol === undefined)
      throw new Error('FakeDatagramTransport.startListening() needs options.protocol');
    if (this.#state === 'closed') throw notRunning('startListening()');
    this.#stops.begin();
    try {
      protocol.makeConnection(this);
    } catch (e) {
      if (protocol.transport === this) protocol.transport = undefined;
      this.#state = 'closed';
      this.#stops.end();
      throw e;
    }
    if ((this.#state as FakePortState) === 'closed') {
      // startProtocol stopped it: stop the protocol now that doStart has finished.
      this.#stops.end(() => this.#stopProtocol());
      return;
    }
    this.#stops.end();
    this.#owner?.registerPort(this);
    this.#registered = true;
  }

  /**
   * Hands a datagram to the protocol as if it had arrived from `addr`: cut to `maxPacketSize`,
   * ignored (returning false) when the transport is closed or connected to another peer.
   * An exception from `datagramReceived` propagates, so the test sees it.
   */
  deliver(datagram: Datagram, addr: AddressTuple): boolean {
    const protocol = this.protocol;
    if (protocol === undefined) throw new Error('FakeDatagramTransport.deliver() needs options.protocol');
    if (this.#state === 'closed') return false;
    const peer = this.#peer;
    if (peer !== undefined && (addr[0] !== peer[0] || addr[1] !== peer[1])) return false;
    const data = Buffer.from(datagram.subarray(0, this.maxPacketSize));
    protocol.datagramReceived(data, [addr[0], addr[1]]);
    return true;
  }

  /**
   * Simulates ICMP port-unreachable from the connected peer: calls the protocol's
   * `connectionRefused()`. Does nothing when not connected, as on a real port.
   */
  refuse(): void {
    if (this.#state === 'connected') this.protocol?.connectionRefused?.();
  }

  /** Records one datagram after the real port's checks. */
  write(datagram: Datagram, addr?: AddressTuple): void {
    if (this.#state === 'closed') throw notRunning('write()');
    const data = checkDatagram(datagram, this.family);
    this.written.push([data, checkWriteAddress(addr, this.#peer, this.family)]);
  }

  /** Records the concatenation of `datagrams` as one datagram. */
  writeSequence(datagrams: readonly Datagram[], addr?: AddressTuple): void {
    if (this.#state === 'closed') throw notRunning('writeSequence()');
    const data = checkSequence(datagrams, this.family);
    this.written.push([data, checkWriteAddress(addr, this.#peer, this.family)]);
  }

  /** Connects to one peer (IP literals of this family, once), as the real port does. */
  connect(host: string, port: number): void {
    if (this.#state === 'closed') throw notRunning('connect()');
    this.#peer = checkConnect(this.#peer, host, port, this.family);
    this.#state = 'connected';
  }

  /**
   * Stops: runs the protocol's `doStop` (so `stopProtocol`) and returns a Deferred that has
   * already fired. Calling it again is harmless.
   */
  stopListening(): Deferred<void> {
    if (this.#stops.starting) {
      // Called from startProtocol: doStart has not finished, so doStop must wait for it.
      this.#state = 'closed';
      return this.#stops.wait();
    }
    const d = new Deferred<void>();
    if (this.#state !== 'closed') {
      this.#state = 'closed';
      if (this.#registered) {
        this.#registered = false;
        this.#owner?.unregisterPort(this);
      }
      this.#stopProtocol();
    }
    d.callback(undefined);
    return d;
  }

  #stopProtocol(): void {
    const protocol = this.protocol;
    if (protocol !== undefined && protocol.transport === this) protocol.doStop();
  }

  /** The same as `stopListening()`. */
  loseConnection(): void {
    this.stopListening();
  }

  /** `await using t = new FakeDatagramTransport(...)`: stops the transport when the scope ends. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stopListening().asPromise();
  }

  /** The address given at construction (`'0.0.0.0'`, port 0 by default), type `'UDP'`. */
  getHost(): IPv4Address | IPv6Address {
    return this.#host;
  }

  /** Records whether writes to the broadcast address are allowed (a boolean, as the real port checks). */
  setBroadcastAllowed(enabled: boolean): void {
    validateBoolean(enabled, 'enabled');
    if (this.#state === 'closed') throw notRunning('setBroadcastAllowed()');
    this.#broadcastAllowed = enabled;
  }

  /** What {@link setBroadcastAllowed} set (default false). */
  getBroadcastAllowed(): boolean {
    return this.#broadcastAllowed;
  }

  // ---------------------------------------------------------------------------------------------
  // Multicast

  /**
   * Records the membership. Errbacks with `MulticastJoinError` for an address that is not a
   * multicast group of this family, or a group already joined on that interface (the OS says
   * EADDRINUSE); host names go through the owner's `resolve`.
   */
  joinGroup(addr: string, iface = ''): Deferred<void> {
    return this.#membership(addr, iface, true);
  }

  /** Forgets a membership; errbacks with `MulticastJoinError` for a group that was not joined. */
  leaveGroup(addr: string, iface = ''): Deferred<void> {
    return this.#membership(addr, iface, false);
  }

  #membership(addr: string, iface: string, join: boolean): Deferred<void> {
    const listening = this.#state !== 'closed';
    return changeMembership(this.groups, this.family, this.#resolver, { addr, iface, join, listening });
  }

  #resolve(name: string): Deferred<string> {
    if (this.#owner !== undefined) return this.#owner.resolve(name);
    const d = new Deferred<string>();
    if (ipFamily(name) !== 0) d.callback(name);
    else
      d.errback(
        new DNSLookupError(
          `FakeDatagramTransport without an owner resolves IP literals only: ${inspect(name)}`,
        ),
      );
    return d;
  }

  /** Sets the multicast TTL (an integer 0–255; default 1). */
  setTTL(ttl: number): void {
    checkTTL(ttl);
    this.#ttl = ttl;
  }

  /** The multicast TTL (default 1). */
  getTTL(): number {
    return this.#ttl;
  }

  /** Sets whether this host receives its own multicast datagrams (default true). */
  setLoopbackMode(mode: boolean | 0 | 1): void {
    this.#loopback = checkLoopbackMode(mode);
  }

  /** The multicast loopback mode (default true). */
  getLoopbackMode(): boolean {
    return this.#loopback;
  }

  /** Records the outgoing multicast interface (an IP literal of this family, or a name to resolve). */
  setOutgoingInterface(addr: string): Deferred<void> {
    return resolveOutgoingInterface(addr, this.family, this.#resolver).addCallback(
      (ip: string): undefined => {
        this.#outgoingInterface = ip;
        return undefined;
      },
    );
  }

  /** What {@link setOutgoingInterface} set; `'0.0.0.0'` (or `'::'`) by default. */
  getOutgoingInterface(): string {
    return this.#outgoingInterface;
  }

  /** `'<protocol prefix> (UDP)'`, or `'FakeDatagramTransport (UDP)'` without a protocol. */
  logPrefix(): string {
    const protocol = this.protocol;
    return `${protocol !== undefined && typeof protocol.logPrefix === 'function' ? protocol.logPrefix() : 'FakeDatagramTransport'} (UDP)`;
  }

  /** `<FakeDatagramTransport on 0.0.0.0:9999>`. */
  toString(): string {
    return `<FakeDatagramTransport on ${formatAddr([this.#host.host, this.#host.port])}${this.#state === 'closed' ? ' (closed)' : ''}>`;
  }
}
