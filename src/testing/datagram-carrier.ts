/**
 * `DatagramCarrier`: how a `VirtualNetwork` carries a datagram from the port that wrote it to the
 * ports that receive it — unicast, multicast and broadcast, loopback, partitions, the loss,
 * reordering and duplication draws, port-unreachable back to a connected sender — and counts and
 * traces each step.
 *
 * @internal
 * @module
 */
import type { AddressTuple } from '../interfaces.ts';
import type { Clock } from '../task/index.ts';
import { familyOf, isLoopbackAddress, isMulticastAddress } from './checks.ts';
import type { NetworkLinks } from './network-links.ts';
import { pickBySource } from './port-table.ts';
import type { NetworkStats, TraceEvent, TraceKind } from './network-types.ts';
import type { SeededRandom } from './seeded-random.ts';
import type { VirtualHost } from './virtual-host.ts';
import type { VirtualUdpPort } from './virtual-udp-port.ts';

/** What a carrier works with: the network's own pieces, shared with it. */
export interface CarrierParts {
  /** The network's clock: every arrival is a call on it. */
  readonly clock: Clock;
  /** The network's PRNG: a fixed number of draws per copy sent across a link. */
  readonly random: SeededRandom;
  /** The network's hosts by IP (the network adds to it). */
  readonly hosts: ReadonlyMap<string, VirtualHost>;
  /** The link conditions and partitions. */
  readonly links: NetworkLinks;
  /** The counters `network.stats()` copies. */
  readonly stats: NetworkStats;
  /** `network.trace`, when tracing. */
  readonly trace: TraceEvent[] | undefined;
}

/** Carries the datagrams of one network (see the rules on `VirtualNetwork`). */
export class DatagramCarrier {
  readonly #clock: Clock;
  readonly #random: SeededRandom;
  readonly #hosts: ReadonlyMap<string, VirtualHost>;
  readonly #links: NetworkLinks;
  readonly #stats: NetworkStats;
  readonly #trace: TraceEvent[] | undefined;

  /** A carrier over the network's `parts`. */
  constructor(parts: CarrierParts) {
    this.#clock = parts.clock;
    this.#random = parts.random;
    this.#hosts = parts.hosts;
    this.#links = parts.links;
    this.#stats = parts.stats;
    this.#trace = parts.trace;
  }

  /** A port wrote `data` to `to`: carry it. */
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
      this.#clock.callLater(0, () => this.#arrive(sender, from, source, data, to, family));
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
    if (this.#links.isPartitioned(sender.ip, receiver.ip)) {
      this.#drop('partition', source, to, bytes);
      return;
    }
    const link = this.#links.get(sender.ip, receiver.ip);
    const random = this.#random;
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
    this.#clock.callLater(delay, arrive);
    if (duplicateDraw < link.duplicate) {
      this.#stats.duplicated += 1;
      this.#record('duplicate', source, to, bytes);
      this.#clock.callLater(delay, arrive);
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
        if (from.multicastLoopback) this.#clock.callLater(0, deliverAll, host);
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
    const port = pickBySource(top, source);
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
    if (host !== sender && this.#links.isPartitioned(host.ip, sender.ip)) return;
    const delay = host === sender ? 0 : this.#links.get(host.ip, sender.ip).latency;
    this.#clock.callLater(delay, () => {
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
    this.#trace?.push({ time: this.#clock.seconds(), kind, from, to, bytes });
  }
}

function isWildcard(port: VirtualUdpPort): boolean {
  return port.boundAddress === '0.0.0.0' || port.boundAddress === '::';
}

function samePeer(a: AddressTuple, b: AddressTuple): boolean {
  return a[0] === b[0] && a[1] === b[1];
}
