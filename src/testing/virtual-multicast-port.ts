/**
 * `VirtualMulticastPort`: a multicast port on a `VirtualHost`.
 *
 * @module
 */
import type { Deferred } from '../defer/index.ts';
import type { IMulticastTransport } from '../interfaces.ts';
import { checkLoopbackMode, checkTTL } from './checks.ts';
import { changeMembership, resolveOutgoingInterface } from './membership.ts';
import { VirtualUdpPort } from './virtual-udp-port.ts';

/**
 * A multicast port on a {@link VirtualHost}, made by `host.listenMulticast(...)`. Joined groups
 * work across the hosts of the network: a datagram sent to a group reaches every port, on every
 * host, that listens on the port number and joined the group — through each link's latency and
 * loss. The sender's own host gets it only when the sending port's loopback mode is on (the
 * default), and only its own host when the TTL is 0.
 *
 * Membership is per port, as on most systems; Linux also delivers a group's datagrams to ports
 * that did not join it when another socket on the host did (`IP_MULTICAST_ALL`), which the
 * simulation does not copy.
 */
export class VirtualMulticastPort extends VirtualUdpPort implements IMulticastTransport {
  readonly #groups: [group: string, iface: string][] = [];
  #ttl = 1;
  #loopback = true;
  #outgoingInterface: string | undefined;
  readonly #resolve = (name: string): Deferred<string> => this.virtualHost.resolve(name);

  /** The groups joined and not left, as `[group, interface]`. */
  get groups(): readonly (readonly [group: string, iface: string])[] {
    return this.#groups.map(([g, i]) => [g, i] as const);
  }

  /** @internal The TTL set with {@link setTTL}, for the network's delivery. */
  override get multicastTTL(): number {
    return this.#ttl;
  }

  /** @internal The mode set with {@link setLoopbackMode}, for the network's delivery. */
  override get multicastLoopback(): boolean {
    return this.#loopback;
  }

  /** @internal Whether this port joined `group` on any interface. */
  override isMember(group: string): boolean {
    return this.#groups.some(([g]) => g === group);
  }

  /**
   * Joins a group (host names resolve through the host's `resolve`). Errbacks with
   * `MulticastJoinError` for an address that is not a multicast group of this port's family,
   * or a group already joined on that interface (EADDRINUSE from the OS).
   */
  joinGroup(addr: string, iface = ''): Deferred<void> {
    return this.#membership(addr, iface, true);
  }

  /** Leaves a group; `MulticastJoinError` if it was not joined on that interface. */
  leaveGroup(addr: string, iface = ''): Deferred<void> {
    return this.#membership(addr, iface, false);
  }

  #membership(addr: string, iface: string, join: boolean): Deferred<void> {
    const listening = this.listening;
    return changeMembership(this.#groups, this.family, this.#resolve, { addr, iface, join, listening });
  }

  /** The multicast TTL (0–255, default 1). On the virtual network 0 keeps datagrams on the sending host. */
  setTTL(ttl: number): void {
    checkTTL(ttl);
    this.#ttl = ttl;
  }

  /** The multicast TTL (default 1). */
  getTTL(): number {
    return this.#ttl;
  }

  /** Whether the sending host receives its own multicast datagrams (default true). */
  setLoopbackMode(mode: boolean | 0 | 1): void {
    this.#loopback = checkLoopbackMode(mode);
  }

  /** Whether the sending host receives its own multicast datagrams (default true). */
  getLoopbackMode(): boolean {
    return this.#loopback;
  }

  /** Records the outgoing interface (an IP literal of this family, or a name to resolve). */
  setOutgoingInterface(addr: string): Deferred<void> {
    return resolveOutgoingInterface(addr, this.family, this.#resolve).addCallback((ip: string): undefined => {
      this.#outgoingInterface = ip;
      return undefined;
    });
  }

  /** What `setOutgoingInterface` set; `'0.0.0.0'` (or `'::'`) by default. */
  getOutgoingInterface(): string {
    return this.#outgoingInterface ?? (this.family === 6 ? '::' : '0.0.0.0');
  }
}
