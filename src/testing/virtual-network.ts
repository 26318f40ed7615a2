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
  validateNumber,
  validateObject,
  validateString,
} from '../validate.ts';
import { familyOf, isLoopbackAddress, isMulticastAddress } from './checks.ts';
import type {
  AddHostOptions,
  LinkConditions,
  NetworkStats,
  TraceEvent,
  TraceKind,
  VirtualNetworkOptions,
} from './network-types.ts';
import { SeededRandom } from './seeded-random.ts';
import { VirtualHost } from './virtual-host.ts';
import type { VirtualUdpPort } from './virtual-udp-port.ts';

type Conditions = Required<Omit<LinkConditions, 'reorderDelay'>> & { reorderDelay: number | undefined };

const CONDITION_KEYS = new Set(['latency', 'loss', 'duplicate', 'reorder', 'reorderDelay']);
const OPTION_KEYS = new Set([...CONDITION_KEYS, 'seed', 'clock', 'trace']);

/** A host or its IP, wherever the network takes one. */
export type HostRef = VirtualHost | string;

function checkConditions(conditions: LinkConditions, name: string, keys: Set<string>): void {
  validateObject(conditions, name);
  for (const key of Object.keys(conditions)) {
    if (!keys.has(key)) {
      throw invalidArgType(
        name,
        `an object with only the keys ${[...keys].join(', ')}; "${key}" is not one of them`,
        conditions,
      );
    }
  }
  const c = conditions;
  if (c.latency !== undefined) validateNumber(c.latency, `${name}.latency`, 0);
  if (c.loss !== undefined) validateNumber(c.loss, `${name}.loss`, 0, 1);
  if (c.duplicate !== undefined) validateNumber(c.duplicate, `${name}.duplicate`, 0, 1);
  if (c.reorder !== undefined) validateNumber(c.reorder, `${name}.reorder`, 0, 1);
  if (c.reorderDelay !== undefined) validateNumber(c.reorderDelay, `${name}.reorderDelay`, 0);
}

/** A small stable string hash (FNV-1a), to spread unicast datagrams over ports sharing a number. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * A simulated IP network: hosts (`addHost(ip)`) whose ports exchange datagrams through links
 * that delay them by `latency` seconds and lose, duplicate or reorder them with the given
 * probabilities — on a {@link Clock} (`network.clock`) and with a seeded PRNG, so that a run
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
  readonly #defaults: Conditions;
  readonly #links = new Map<string, Conditions>();
  #partitions: [Set<string>, Set<string>][] = [];
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
    checkConditions(options, 'options', OPTION_KEYS);
    const {
      seed = 0,
      clock = new Clock(),
      trace = false,
      latency = 0,
      loss = 0,
      duplicate = 0,
      reorder = 0,
    } = options;
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
    this.#defaults = { latency, loss, duplicate, reorder, reorderDelay: options.reorderDelay };
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
    validateObject(options, 'options');
    const names: unknown = options.names ?? [];
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
    checkConditions(conditions, 'conditions', CONDITION_KEYS);
    const merged: Conditions = { ...(this.#links.get(`${ipA}|${ipB}`) ?? this.#defaults) };
    for (const [key, value] of Object.entries(conditions)) {
      if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
    }
    this.#links.set(`${ipA}|${ipB}`, merged);
    this.#links.set(`${ipB}|${ipA}`, merged);
  }

  /** The conditions from `a` to `b`: the link's own, or the network's defaults. */
  getLink(a: HostRef, b: HostRef): Required<Omit<LinkConditions, 'reorderDelay'>> & LinkConditions {
    const link = this.#links.get(`${this.#ip(a, 'a')}|${this.#ip(b, 'b')}`) ?? this.#defaults;
    return { ...link, reorderDelay: link.reorderDelay ?? (link.latency > 0 ? link.latency : 0.01) };
  }

  /**
   * Splits the network: datagrams between any host of `groupA` and any host of `groupB` are
   * dropped (counted as `partitioned`) until {@link heal}. Datagrams already in flight arrive.
   */
  partition(groupA: Iterable<HostRef>, groupB: Iterable<HostRef>): void {
    const a = new Set([...groupA].map((h) => this.#ip(h, 'groupA')));
    const b = new Set([...groupB].map((h) => this.#ip(h, 'groupB')));
    this.#partitions.push([a, b]);
  }

  /** Removes every partition. */
  heal(): void {
    this.#partitions = [];
  }

  /** Whether a partition separates `a` and `b`. */
  isPartitioned(a: HostRef, b: HostRef): boolean {
    const ipA = this.#ip(a, 'a');
    const ipB = this.#ip(b, 'b');
    return this.#partitions.some(([x, y]) => (x.has(ipA) && y.has(ipB)) || (x.has(ipB) && y.has(ipA)));
  }

  /** A copy of the counters. */
  stats(): NetworkStats {
    return { ...this.#stats };
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

  // ---------------------------------------------------------------------------------------------
  // Carrying datagrams (called by the ports)

  /** @internal A port wrote `data` to `to`: carry it. */
  transmit(from: VirtualUdpPort, data: Buffer, to: AddressTuple): void {
    const stats = this.#stats;
    stats.sent += 1;
    stats.bytesSent += data.length;
    const sender = from.virtualHost;
    const source = this.#sourceAddress(from, to[0]);
    this.#record('send', source, to, data.length);
    const destination = to[0];
    const family = familyOf(destination);
    if (isMulticastAddress(destination)) {
      this.#fanOut(
        from,
        source,
        data,
        to,
        (p) => p.isMember(destination) && (isWildcard(p) || p.boundAddress === destination),
      );
      return;
    }
    if (destination === '255.255.255.255') {
      this.#fanOut(from, source, data, to, isWildcard);
      return;
    }
    if (isLoopbackAddress(destination) || destination === sender.ip) {
      this.clock.callLater(0, () => this.#arrive(sender, from, source, data, to, family));
      return;
    }
    const receiver = this.#hosts.get(destination);
    if (receiver === undefined || isLoopbackAddress(source[0])) {
      // No such host (or a loopback-bound port writing off-host, which the OS refuses to route).
      this.#drop('unreachable', source, to, data.length);
      return;
    }
    this.#carry(sender, receiver, source, to, data.length, () =>
      this.#arrive(receiver, from, source, data, to, family),
    );
  }

  /** The address the receiver sees as the sender's. */
  #sourceAddress(port: VirtualUdpPort, destination: string): AddressTuple {
    const number = port.getHost().port;
    const bound = port.boundAddress;
    if (isLoopbackAddress(destination)) return [port.family === 6 ? '::1' : '127.0.0.1', number];
    if (isLoopbackAddress(bound)) return [bound, number];
    return [port.family === port.virtualHost.family ? port.virtualHost.ip : bound, number];
  }

  /**
   * One copy across the link from `sender` to `receiver`: partition, loss, reordering and
   * duplication are decided now, with a fixed number of draws per copy so that one datagram's
   * fate never shifts the draws of the next.
   */
  #carry(
    sender: VirtualHost,
    receiver: VirtualHost,
    source: AddressTuple,
    to: AddressTuple,
    bytes: number,
    arrive: () => void,
  ): void {
    if (this.isPartitioned(sender, receiver)) {
      this.#drop('partition', source, to, bytes);
      return;
    }
    const link = this.getLink(sender, receiver);
    const random = this.random;
    const lossDraw = random.next();
    const reorderDraw = random.next();
    const delayDraw = random.next();
    const duplicateDraw = random.next();
    if (lossDraw < link.loss) {
      this.#drop('lose', source, to, bytes);
      return;
    }
    let delay = link.latency;
    if (reorderDraw < link.reorder) {
      // (0, reorderDelay]: never 0, so the held-back copy always lands after undelayed ones.
      delay += (1 - delayDraw) * (link.reorderDelay as number);
      this.#stats.reordered += 1;
      this.#record('reorder', source, to, bytes);
    }
    this.clock.callLater(delay, arrive);
    if (duplicateDraw < link.duplicate) {
      this.#stats.duplicated += 1;
      this.#record('duplicate', source, to, bytes);
      this.clock.callLater(delay, arrive);
    }
  }

  /** Multicast and broadcast: a copy to every host with a receiving port. */
  #fanOut(
    from: VirtualUdpPort,
    source: AddressTuple,
    data: Buffer,
    to: AddressTuple,
    receives: (port: VirtualUdpPort) => boolean,
  ): void {
    const sender = from.virtualHost;
    const family = familyOf(to[0]);
    const deliverAll = (host: VirtualHost): void => {
      for (const port of host.portsOn(to[1], family)) {
        if (receives(port)) this.#deliver(port, data, source, to);
      }
    };
    for (const host of this.#hosts.values()) {
      if (!host.portsOn(to[1], family).some(receives)) continue;
      if (host === sender) {
        if (from.multicastLoopback) this.clock.callLater(0, deliverAll, host);
      } else if (from.multicastTTL > 0) {
        this.#carry(sender, host, source, to, data.length, () => deliverAll(host));
      }
    }
  }

  /** A unicast copy reached `host`: hand it to the port listening there, or refuse it. */
  #arrive(
    host: VirtualHost,
    from: VirtualUdpPort,
    source: AddressTuple,
    data: Buffer,
    to: AddressTuple,
    family: 4 | 6,
  ): void {
    const candidates = host
      .portsOn(to[1], family)
      .filter(
        (p) =>
          (isWildcard(p) || p.boundAddress === to[0]) && (p.peer === undefined || samePeer(p.peer, source)),
      );
    if (candidates.length === 0) {
      this.#drop('unreachable', source, to, data.length);
      this.#refuse(host, from, source, to);
      return;
    }
    // As the kernel does: a connected or specifically bound port wins over a wildcard one; ports
    // sharing the number (reusePort) split the traffic by a hash of the source.
    const score = (p: VirtualUdpPort): number => (p.peer !== undefined ? 2 : 0) + (isWildcard(p) ? 0 : 1);
    const best = Math.max(...candidates.map(score));
    const top = candidates.filter((p) => score(p) === best);
    const port = top.length === 1 ? top[0] : top[hash(`${source[0]}|${source[1]}`) % top.length];
    this.#deliver(port, data, source, to);
  }

  #deliver(port: VirtualUdpPort, data: Buffer, source: AddressTuple, to: AddressTuple): void {
    const bytes = port.deliver(data, source);
    if (bytes < 0) return;
    this.#stats.delivered += 1;
    this.#stats.bytesDelivered += bytes;
    this.#record('deliver', source, to, bytes);
  }

  /** Port-unreachable back to a connected sender, after the latency of the way back. */
  #refuse(host: VirtualHost, from: VirtualUdpPort, source: AddressTuple, to: AddressTuple): void {
    if (from.peer === undefined || !samePeer(from.peer, to)) return;
    const sender = from.virtualHost;
    if (host !== sender && this.isPartitioned(host, sender)) return;
    const delay = host === sender ? 0 : this.getLink(host, sender).latency;
    this.clock.callLater(delay, () => {
      if (from.refused(to)) {
        this.#stats.refused += 1;
        this.#record('refuse', to, source, 0);
      }
    });
  }

  #drop(
    kind: 'lose' | 'partition' | 'unreachable',
    source: AddressTuple,
    to: AddressTuple,
    bytes: number,
  ): void {
    if (kind === 'lose') this.#stats.lost += 1;
    else if (kind === 'partition') this.#stats.partitioned += 1;
    else this.#stats.unreachable += 1;
    this.#record(kind, source, to, bytes);
  }

  #record(kind: TraceKind, from: AddressTuple, to: AddressTuple, bytes: number): void {
    this.trace?.push({ time: this.clock.seconds(), kind, from, to, bytes });
  }
}

function isWildcard(port: VirtualUdpPort): boolean {
  return port.boundAddress === '0.0.0.0' || port.boundAddress === '::';
}

function samePeer(a: AddressTuple, b: AddressTuple): boolean {
  return a[0] === b[0] && a[1] === b[1];
}
