/**
 * `VirtualNetwork`: a simulated IP network on simulated time, for testing datagram protocols at
 * scale without sockets — deterministic for a given seed.
 *
 * @module
 */
import { inspect } from 'node:util';
import type { AddressTuple } from '../interfaces.ts';
import { Clock } from '../task/index.ts';
import {
  invalidArgType,
  invalidArgValue,
  ipFamily,
  readOptions,
  validateNumber,
  validateString,
} from '../validate.ts';
import { isLoopbackAddress, isMulticastAddress } from './checks.ts';
import { DatagramCarrier } from './datagram-carrier.ts';
import { CONDITION_KEYS, NetworkLinks, checkConditions } from './network-links.ts';
import type {
  AddHostOptions,
  LinkConditions,
  NetworkStats,
  PartitionOptions,
  StreamStats,
  TraceEvent,
  VirtualNetworkOptions,
} from './network-types.ts';
import { SeededRandom } from './seeded-random.ts';
import { StreamCarrier } from './stream-carrier.ts';
import { VirtualHost } from './virtual-host.ts';
import type { VirtualUdpPort } from './virtual-udp-port.ts';

const OPTION_KEYS: ReadonlySet<string> = new Set([...CONDITION_KEYS, 'seed', 'clock', 'trace']);
const HOST_OPTION_KEYS: ReadonlySet<string> = new Set(['names']);
const PARTITION_OPTION_KEYS: ReadonlySet<string> = new Set(['reject']);

/** A host or its IP, wherever the network takes one. */
export type HostRef = VirtualHost | string;

/**
 * A simulated IP network: hosts (`addHost(ip)`) whose ports exchange datagrams and TCP streams
 * through links that delay them by `latency` seconds and lose, duplicate or reorder them with
 * the given probabilities — on a {@link Clock} (`network.clock`) and with a seeded PRNG, so that a run
 * depends only on the seed and the code under test. Same seed, same run; no sockets, no real
 * time, thousands of hosts in milliseconds.
 *
 * - **Unicast** goes from the sender's host to the destination host's port listening on that
 *   number and address. No such host: the datagram vanishes. No such port: it vanishes too, and
 *   a *connected* sender gets `connectionRefused()` (ICMP port-unreachable), after the latency
 *   back. A port bound to loopback (`127.0.0.1`, `::1`) is reachable only from its own host.
 * - **Multicast** fans out to every port, on every host, that listens on the number and joined
 *   the group; each receiving host draws its own loss. The sending host gets a copy only when
 *   the sending port's loopback mode is on; a TTL of 0 keeps it on the sending host.
 * - **Broadcast** (`255.255.255.255`, after `setBroadcastAllowed(true)`) reaches every port on
 *   that number bound to all interfaces, on every host.
 * - Datagrams between hosts of a partition (`partition(a, b)`) are dropped until `heal()`.
 * - Datagrams within one host (loopback, or to its own IP) are never lost and take no time —
 *   but they still arrive on a later clock step, never inside `write`.
 * - **TCP** (`listenTCP` / `connectTCP`): a connection takes a round trip (the server accepts
 *   half a round trip later); its bytes arrive in order after the latency, a lost segment is
 *   retransmitted (loss shows up as delay), a partition stalls the data until it heals or TCP
 *   gives up, a connect to nobody times out, to a closed port is refused, across a rejecting
 *   partition fails with `NoRouteError`; {@link reset} resets connections; the receiver's
 *   window and the sender's buffer make producers pause and resume as on a real socket.
 *
 * Drive it with {@link run} (event by event, so replies sent during the span arrive within it)
 * or {@link runUntilIdle}; `network.clock.advance(s)` jumps in one step instead.
 *
 * @example
 * const network = new VirtualNetwork({ seed: 1, latency: 0.05, loss: 0.1 });
 * const a = network.addHost('10.0.0.1');
 * const b = network.addHost('10.0.0.2');
 * b.listenUDP(9999, new Echo());
 * const client = new Client();
 * a.listenUDP(0, client);
 * client.transport.write(Buffer.from('ping'), ['10.0.0.2', 9999]);
 * network.run(1);        // 0.1 s round trip, unless the loss draw says otherwise
 * network.stats();       // { sent: 2, delivered: 2, lost: 0, ... }
 */
export class VirtualNetwork {
  /** The clock that drives every host and link of the network. */
  readonly clock: Clock;
  /** The seed of {@link random}. */
  readonly seed: number;
  /** The PRNG behind loss, duplication and reordering (tests may draw from it too, deterministically). */
  readonly random: SeededRandom;
  /** Every send, delivery and drop, when the network was made with `{ trace: true }`. */
  readonly trace: TraceEvent[] | undefined;

  readonly #hosts = new Map<string, VirtualHost>();
  readonly #names = new Map<string, string>();
  readonly #links: NetworkLinks;
  readonly #carrier: DatagramCarrier;
  readonly #streams: StreamCarrier;
  readonly #stats: NetworkStats = {
    sent: 0,
    delivered: 0,
    lost: 0,
    duplicated: 0,
    reordered: 0,
    partitioned: 0,
    unreachable: 0,
    refused: 0,
    bytesSent: 0,
    bytesDelivered: 0,
  };

  constructor(options: VirtualNetworkOptions = {}) {
    const checked = checkConditions(options, 'options', OPTION_KEYS) as VirtualNetworkOptions;
    const {
      seed = 0,
      clock = new Clock(),
      trace = false,
      latency = 0,
      loss = 0,
      duplicate = 0,
      reorder = 0,
    } = checked;
    // Duck-typed rather than `instanceof`, so a Clock from the other build (ESM vs CommonJS) works.
    const c = clock as Partial<Clock> | null;
    if (
      c === null ||
      typeof c !== 'object' ||
      typeof c.rightNow !== 'number' ||
      typeof c.advance !== 'function' ||
      typeof c.callLater !== 'function' ||
      typeof c.getDelayedCalls !== 'function'
    ) {
      throw invalidArgType('options.clock', 'a Clock', clock);
    }
    if (typeof trace !== 'boolean') throw invalidArgType('options.trace', 'of type boolean', trace);
    this.random = new SeededRandom(seed);
    this.seed = seed;
    this.clock = clock;
    this.trace = trace ? [] : undefined;
    this.#links = new NetworkLinks({ latency, loss, duplicate, reorder, reorderDelay: checked.reorderDelay });
    this.#carrier = new DatagramCarrier({
      clock,
      random: this.random,
      hosts: this.#hosts,
      links: this.#links,
      stats: this.#stats,
      trace: this.trace,
    });
    this.#streams = new StreamCarrier({
      clock,
      random: this.random,
      links: this.#links,
      findHost: (ip) => this.#hosts.get(ip),
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Hosts and names

  /**
   * Adds a host with IP address `ip` (any IPv4 or IPv6 literal except loopback, wildcard and
   * multicast addresses; these are simulated, not real, addresses) and returns it.
   */
  addHost(ip: string, options: AddHostOptions = {}): VirtualHost {
    validateString(ip, 'ip');
    if (ipFamily(ip) === 0) throw invalidArgType('ip', 'an IP address literal', ip);
    if (isLoopbackAddress(ip) || isMulticastAddress(ip) || ip === '0.0.0.0' || ip === '::') {
      throw invalidArgValue(
        'ip',
        `A host needs a unicast address that is not loopback or a wildcard. Received ${inspect(ip)}`,
      );
    }
    if (this.#hosts.has(ip)) throw invalidArgValue('ip', `The network already has a host ${ip}.`);
    const names: unknown = readOptions(options, 'options', HOST_OPTION_KEYS).names ?? [];
    if (!Array.isArray(names)) throw invalidArgType('options.names', 'an array of strings', names);
    const host = new VirtualHost(this, ip);
    this.#hosts.set(ip, host);
    for (const name of names as unknown[]) this.registerName(name as string, ip);
    return host;
  }

  /** Every host, in the order they were added. */
  get hosts(): readonly VirtualHost[] {
    return [...this.#hosts.values()];
  }

  /** The host with this IP, or `undefined`. */
  findHost(ip: string): VirtualHost | undefined {
    return this.#hosts.get(ip);
  }

  /** Makes `resolve(name)` answer `ip` on every host of the network. */
  registerName(name: string, ip: string): void {
    validateString(name, 'name');
    validateString(ip, 'ip');
    if (ipFamily(ip) === 0) throw invalidArgType('ip', 'an IP address literal', ip);
    this.#names.set(name, ip);
  }

  /** @internal What `registerName` recorded for `name`. */
  lookupName(name: string): string | undefined {
    return this.#names.get(name);
  }

  #ip(ref: HostRef, name: string): string {
    if (ref instanceof VirtualHost) return ref.ip;
    if (typeof ref === 'string' && ipFamily(ref) !== 0) return ref;
    throw invalidArgType(name, 'a VirtualHost or an IP address literal', ref);
  }

  // ---------------------------------------------------------------------------------------------
  // Links and partitions

  /**
   * Sets the conditions of the link between `a` and `b`, in both directions, over the
   * network's defaults: e.g. `setLink(a, b, { latency: 0.2, loss: 0.3 })` for one bad path.
   */
  setLink(a: HostRef, b: HostRef, conditions: LinkConditions): void {
    const ipA = this.#ip(a, 'a');
    const ipB = this.#ip(b, 'b');
    this.#links.set(ipA, ipB, conditions);
  }

  /** The conditions from `a` to `b`: the link's own, or the network's defaults. */
  getLink(a: HostRef, b: HostRef): Required<Omit<LinkConditions, 'reorderDelay'>> & LinkConditions {
    return this.#links.get(this.#ip(a, 'a'), this.#ip(b, 'b'));
  }

  /**
   * Splits the network: datagrams between any host of `groupA` and any host of `groupB` are
   * dropped (counted as `partitioned`) until {@link heal}; datagrams already in flight arrive.
   * TCP across the split stalls: data waits (retransmitted with a doubling timeout) and arrives
   * after the heal, unless TCP gives up first (15 retransmissions, about 13 minutes:
   * `ConnectionLost` with ETIMEDOUT); connection attempts time out — or, with
   * `{ reject: true }` (a firewall that rejects rather than drops), fail at once with
   * `NoRouteError`.
   */
  partition(groupA: Iterable<HostRef>, groupB: Iterable<HostRef>, options: PartitionOptions = {}): void {
    const a = new Set([...groupA].map((h) => this.#ip(h, 'groupA')));
    const b = new Set([...groupB].map((h) => this.#ip(h, 'groupB')));
    const reject: unknown = readOptions(options, 'options', PARTITION_OPTION_KEYS).reject ?? false;
    if (typeof reject !== 'boolean') throw invalidArgType('options.reject', 'of type boolean', reject);
    this.#links.partition(a, b, reject);
  }

  /** Removes every partition. */
  heal(): void {
    this.#links.heal();
  }

  /** Whether a partition separates `a` and `b`. */
  isPartitioned(a: HostRef, b: HostRef): boolean {
    return this.#links.isPartitioned(this.#ip(a, 'a'), this.#ip(b, 'b'));
  }

  /** A copy of the datagram counters. */
  stats(): NetworkStats {
    return { ...this.#stats };
  }

  /** A copy of the TCP counters. */
  streamStats(): StreamStats {
    return { ...this.#streams.stats };
  }

  /**
   * Resets TCP connections, as a middlebox that sends both ends a reset: every open connection
   * between `a` and `b` (either way), every connection of `a` when `b` is left out, every
   * connection of the network when both are. Each end gets `connectionLost` with
   * `ConnectionLost` (ECONNRESET) on the next clock step. Returns how many were reset.
   */
  reset(a?: HostRef, b?: HostRef): number {
    const ipA = a === undefined ? undefined : this.#ip(a, 'a');
    const ipB = b === undefined ? undefined : this.#ip(b, 'b');
    return this.#streams.reset((client, server) => {
      if (ipA === undefined) return true;
      if (ipB === undefined) return client === ipA || server === ipA;
      return (client === ipA && server === ipB) || (client === ipB && server === ipA);
    });
  }

  /** @internal The TCP side of the network. */
  get streams(): StreamCarrier {
    return this.#streams;
  }

  // ---------------------------------------------------------------------------------------------
  // Running

  /**
   * Runs the simulation for `seconds` of simulated time, event by event: the clock moves to each
   * pending call in turn, so a reply sent at t + 0.1 to a request delivered at t arrives within
   * the span (a single `clock.advance(seconds)` would run the request handler at the end of the
   * span instead). Ends with the clock exactly `seconds` later.
   */
  run(seconds: number): void {
    validateNumber(seconds, 'seconds', 0);
    const target = this.clock.seconds() + seconds;
    for (;;) {
      const next = this.#nextTime();
      if (next > target) break;
      this.#stepTo(next);
    }
    this.#stepTo(target);
  }

  /**
   * Runs event by event until nothing is pending, or until `limit` simulated seconds have
   * passed (protocols with periodic timers never go idle). Returns true if it went idle.
   */
  runUntilIdle(limit = 3600): boolean {
    validateNumber(limit, 'limit', 0);
    const target = this.clock.seconds() + limit;
    for (;;) {
      const next = this.#nextTime();
      if (next === Infinity) return true;
      if (next > target) {
        this.#stepTo(target);
        return false;
      }
      this.#stepTo(next);
    }
  }

  #nextTime(): number {
    let next = Infinity;
    for (const call of this.clock.getDelayedCalls()) {
      const time = call.getTime();
      if (time < next) next = time;
    }
    return next;
  }

  #stepTo(time: number): void {
    // Set the time exactly rather than adding a difference: floating-point sums can fall short
    // of a due time by one ulp and leave the call pending forever.
    if (time > this.clock.rightNow) this.clock.rightNow = time;
    this.clock.advance(0);
  }

  /** @internal A port wrote `data` to `to`: carry it (datagram-carrier.ts). */
  transmit(from: VirtualUdpPort, data: Buffer, to: AddressTuple): void {
    this.#carrier.transmit(from, data, to);
  }
}
