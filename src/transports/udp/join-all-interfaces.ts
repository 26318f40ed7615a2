/**
 * `joinGroupOnAllInterfaces`: joins a multicast group on every network interface of this host,
 * as mDNS and SSDP responders do (one `joinGroup` per interface, since a membership belongs to
 * one interface).
 *
 * @module
 */
import { networkInterfaces } from 'node:os';
import type { NetworkInterfaceInfo } from 'node:os';
import type { Deferred } from '../../defer/deferred.ts';
import { succeed } from '../../defer/shortcuts.ts';
import { invalidArgType, readOptions, validateString } from '../../validate.ts';
import type { MulticastPort } from './multicast-port.ts';

const JOIN_ALL_KEYS: ReadonlySet<string> = new Set(['filter']);
/** Options of {@link joinGroupOnAllInterfaces}. */
export interface JoinAllInterfacesOptions {
  /**
   * Decides, per interface, whether to join on it (default: every interface with an address of
   * the port's family, loopback included). Receives the interface name and its addresses.
   */
  filter?: (name: string, addresses: readonly NetworkInterfaceInfo[]) => boolean;
}

/** What {@link joinGroupOnAllInterfaces} did. */
export interface JoinAllInterfacesResult {
  /** The interface arguments joined on, ready for `leaveGroup(group, iface)`. */
  joined: string[];
  /** One error per interface that could not join (usually `MulticastJoinError`). */
  failed: Error[];
}

/**
 * Joins `group` on every interface of this host that has an address of the port's family (as
 * listed by `os.networkInterfaces()`): on an IPv4 port through each interface's first IPv4
 * address, on an IPv6 port as `'::%<name>'` (on Windows `'::%<index>'`). One interface failing
 * does not stop the others; the result says which joined and which failed. Interfaces that come
 * up later are not joined: call it again (joining twice on one interface fails with EADDRINUSE,
 * which is harmless and shows up in `failed`).
 *
 * @example
 * const { joined, failed } = await joinGroupOnAllInterfaces(port, '224.0.0.251');
 * for (const err of failed) log.err(err, 'mDNS: could not join');
 * // later: for (const iface of joined) port.leaveGroup('224.0.0.251', iface);
 */
export function joinGroupOnAllInterfaces(
  port: MulticastPort,
  group: string,
  options: JoinAllInterfacesOptions = {},
): Deferred<JoinAllInterfacesResult> {
  validateString(group, 'group');
  const filter: unknown = readOptions(options, 'options', JOIN_ALL_KEYS).filter;
  if (filter !== undefined && typeof filter !== 'function') {
    throw invalidArgType('options.filter', 'of type function', filter);
  }
  const result: JoinAllInterfacesResult = { joined: [], failed: [] };
  let chain: Deferred<unknown> = succeed(undefined);
  for (const iface of interfaceArguments(
    port.socketType === 'udp6' ? 'IPv6' : 'IPv4',
    filter as JoinAllInterfacesOptions['filter'],
  )) {
    chain = chain.addCallback(() =>
      port.joinGroup(group, iface).addCallbacks(
        () => {
          result.joined.push(iface);
        },
        (failure) => {
          result.failed.push(failure.value);
        },
      ),
    );
  }
  return chain.addCallback(() => result);
}

function interfaceArguments(family: 'IPv4' | 'IPv6', filter: JoinAllInterfacesOptions['filter']): string[] {
  const found: string[] = [];
  for (const [name, entries] of Object.entries(networkInterfaces())) {
    const addresses = (entries ?? []).filter((e) => e.family === family);
    if (addresses.length === 0) continue;
    if (filter !== undefined && !filter(name, entries ?? [])) continue;
    if (family === 'IPv4') {
      found.push(addresses[0].address);
    } else if (process.platform === 'win32') {
      // Windows zones are interface indexes; a link-local address carries it as its scope id.
      const scoped = addresses.find((e) => e.scopeid !== undefined && e.scopeid > 0);
      if (scoped !== undefined) found.push(`::%${scoped.scopeid}`);
    } else {
      found.push(`::%${name}`);
    }
  }
  return found;
}
