/**
 * Multicast group membership for the fake and the virtual multicast ports: the same checks, the
 * same `MulticastJoinError`s and the same bookkeeping, so the two fakes cannot disagree.
 *
 * @internal
 * @module
 */
import { inspect } from 'node:util';
import type { Deferred } from '../defer/index.ts';
import { MulticastJoinError } from '../errors.ts';
import { validateString } from '../validate.ts';
import { familyOf, isMulticastAddress, notRunning } from './checks.ts';
import type { Family } from './checks.ts';

/** The memberships of one port: `[group, interface]` pairs, in joining order. */
export type GroupList = [group: string, iface: string][];

/** What a `joinGroup` / `leaveGroup` call asks of a port. */
export interface MembershipChange {
  /** The group as given: an IP literal or a name to resolve. */
  readonly addr: unknown;
  /** The interface as given (`''`: the default one). */
  readonly iface: unknown;
  /** `true` for `joinGroup`, `false` for `leaveGroup`. */
  readonly join: boolean;
  /** Whether the port is still listening; a stopped port throws as the real one does. */
  readonly listening: boolean;
}

/**
 * Joins or leaves a group on a port of `family`: checks the arguments (a stopped port throws),
 * resolves the group through `resolve`, then records the change in `groups`. The returned
 * Deferred errbacks with `MulticastJoinError` for an address that is not a multicast group of
 * this family, a group already joined on that interface (the OS says EADDRINUSE) or, when
 * leaving, one not joined there.
 */
export function changeMembership(
  groups: GroupList,
  family: Family,
  resolve: (name: string) => Deferred<string>,
  change: MembershipChange,
): Deferred<void> {
  const { addr, iface, join } = change;
  validateString(addr, 'addr');
  validateString(iface, 'iface');
  if (!change.listening) throw notRunning(join ? 'joinGroup()' : 'leaveGroup()');
  return resolve(addr).addCallback((group: string): undefined => {
    if (!isMulticastAddress(group) || familyOf(group) !== family) {
      throw new MulticastJoinError(
        group,
        iface,
        `${inspect(addr)} is not an IPv${family} multicast address (${family === 6 ? 'ff00::/8' : '224.0.0.0/4'})`,
      );
    }
    const index = groups.findIndex(([g, i]) => g === group && i === iface);
    const where = iface === '' ? 'the default interface' : iface;
    if (join) {
      if (index !== -1)
        throw new MulticastJoinError(group, iface, `already a member of ${group} on ${where}`);
      groups.push([group, iface]);
    } else {
      if (index === -1) throw new MulticastJoinError(group, iface, `not a member of ${group} on ${where}`);
      groups.splice(index, 1);
    }
    return undefined;
  });
}

/**
 * Resolves the address given to `setOutgoingInterface` on a port of `family`; the Deferred
 * errbacks with `MulticastJoinError` when it is not an interface address of that family.
 */
export function resolveOutgoingInterface(
  addr: unknown,
  family: Family,
  resolve: (name: string) => Deferred<string>,
): Deferred<string> {
  validateString(addr, 'addr');
  return resolve(addr).addCallback((ip: string): string => {
    if (familyOf(ip) !== family) {
      throw new MulticastJoinError('', ip, `${inspect(addr)} is not an IPv${family} interface address`);
    }
    return ip;
  });
}
