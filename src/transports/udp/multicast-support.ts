/**
 * The platform knowledge `MulticastPort` needs: which socket options make `listenMultiple`
 * behave as Twisted's on each OS, what a multicast group is, how an interface argument becomes
 * what `node:dgram` (libuv) understands, and what an OS refusal usually means.
 *
 * @internal
 * @module
 */
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { ipFamily } from '../../validate.ts';

/**
 * Whether `listenMultiple` must ask dgram for `reusePort` (SO_REUSEPORT) besides `reuseAddr` to
 * set the options Twisted sets (SO_REUSEADDR and, where it exists, SO_REUSEPORT).
 *
 * libuv maps `reuseAddr` to SO_REUSEADDR on Linux, Solaris, AIX and Windows, but to SO_REUSEPORT
 * on macOS and the BSDs (where that is what shares a port between processes), and it refuses
 * `reusePort` with ENOTSUP on macOS, OpenBSD, NetBSD and Windows (FreeBSD gets SO_REUSEPORT_LB,
 * a load-balancing group Twisted never asks for). So only Linux, Solaris and AIX need both.
 */
export function listenMultipleNeedsReusePort(platform: NodeJS.Platform = process.platform): boolean {
  return platform === 'linux' || platform === 'android' || platform === 'sunos' || platform === 'aix';
}

/** `true` for an IPv4 address in 224.0.0.0/4 or an IPv6 address in ff00::/8 (a scope suffix is ignored). */
export function isMulticastAddress(addr: string): boolean {
  const family = ipFamily(addr);
  if (family === 4) {
    const first = Number(addr.slice(0, addr.indexOf('.')));
    return first >= 224 && first <= 239;
  }
  if (family === 6) return /^ff[0-9a-f]{2}:/i.test(addr);
  return false;
}

/** An interface argument that cannot be used, with the reason (becomes part of the error message). */
export class InterfaceProblem {
  /** Why the interface cannot be used, for the error message. */
  readonly reason: string;
  /** The OS-style error code to report (`ENODEV`, `EADDRNOTAVAIL`…). */
  readonly code: string;
  constructor(code: string, reason: string) {
    this.code = code;
    this.reason = reason;
  }
}

/**
 * What dgram receives for an IPv4 interface argument: `undefined` for `''` (the OS picks, by its
 * multicast route) or the IP literal. The family has been checked by the caller.
 */
export function ipv4InterfaceArgument(iface: string): string | undefined {
  return iface === '' || iface === '0.0.0.0' ? undefined : iface;
}

/**
 * Turns an IPv6 interface argument into what libuv understands: a `::%<zone>` string, or
 * `undefined` for "any interface". libuv reads only the zone (the part after `%`) of the address
 * it is given, and an unknown zone silently becomes "any interface" — so every zone is checked
 * here first:
 *
 * - `''` or `'::'`: any interface (the OS picks by route);
 * - an interface index (a number, or a numeric zone such as `'::%3'`): on Unix libuv wants a
 *   name, so on Linux the index is mapped through `/proc/self/net`; on Windows it is used as is;
 * - a scoped address (`'::%eth0'`, `'fe80::1%eth0'`): the name must exist (on Windows, zones
 *   are numeric);
 * - an IPv6 address of this host (`'fd00::1'`): the interface that has it.
 */
export function ipv6InterfaceArgument(
  iface: string | number,
  platform: NodeJS.Platform = process.platform,
): string | undefined | InterfaceProblem {
  if (typeof iface === 'number') return zoneArgument(String(iface), platform);
  if (iface === '' || iface === '::') return undefined;
  const percent = iface.indexOf('%');
  if (percent !== -1) return zoneArgument(iface.slice(percent + 1), platform);
  return ownAddressArgument(iface, platform);
}

function zoneArgument(zone: string, platform: NodeJS.Platform): string | undefined | InterfaceProblem {
  const numeric = /^\d+$/.test(zone);
  if (numeric && Number(zone) === 0) return undefined; // index 0: any interface, as in the socket API
  if (platform === 'win32') {
    if (numeric) return `::%${zone}`;
    return new InterfaceProblem(
      'ENODEV',
      `on Windows an IPv6 interface is given by its index ('::%12' or 12; see \`netsh interface ipv6 show interfaces\`), not by the name ${JSON.stringify(zone)}`,
    );
  }
  if (numeric) {
    const index = Number(zone);
    const name = interfaceNameOfIndex(index, platform);
    if (typeof name === 'string') return `::%${name}`;
    return name;
  }
  if (!interfaceExists(zone, platform)) {
    return new InterfaceProblem(
      'ENODEV',
      `this host has no network interface named ${JSON.stringify(zone)} (known: ${knownInterfaces(platform).join(', ') || 'none'})`,
    );
  }
  return `::%${zone}`;
}

function ownAddressArgument(addr: string, platform: NodeJS.Platform): string | InterfaceProblem {
  const wanted = canonicalIPv6(addr);
  for (const [name, entries] of Object.entries(networkInterfaces())) {
    for (const entry of entries ?? []) {
      if (entry.family !== 'IPv6' || canonicalIPv6(entry.address) !== wanted) continue;
      if (platform !== 'win32') return `::%${name}`;
      // Windows zones are indexes: a link-local address of the same interface carries it.
      const scoped = (entries ?? []).find(
        (e) => e.family === 'IPv6' && e.scopeid !== undefined && e.scopeid > 0,
      );
      if (scoped !== undefined) return `::%${scoped.scopeid}`;
      return new InterfaceProblem(
        'ENODEV',
        `the interface of ${addr} (${name}) has no link-local address to read its index from; give the index instead`,
      );
    }
  }
  return new InterfaceProblem(
    'EADDRNOTAVAIL',
    `${addr} is not an IPv6 address of this host; give the interface as '::%<name>' (e.g. '::%eth0'), its index, or one of its addresses`,
  );
}

function canonicalIPv6(addr: string): string {
  try {
    return new URL(`http://[${addr}]/`).hostname;
  } catch {
    return addr.toLowerCase();
  }
}

/**
 * Linux: the interfaces of this process's network namespace, name → index (-1 when unknown),
 * from /proc/self/net (igmp6 and if_inet6 carry indexes, dev every name). /sys/class/net is not
 * used: it shows the namespace sysfs was mounted in, which after `unshare --net` is not ours.
 */
function linuxInterfaces(): Map<string, number> | undefined {
  const found = new Map<string, number>();
  let readAny = false;
  const read = (file: string, each: (fields: string[]) => void): void => {
    let text: string;
    try {
      text = readFileSync(`/proc/self/net/${file}`, 'utf8');
    } catch {
      return; // no IPv6, or not mounted
    }
    readAny = true;
    for (const line of text.split('\n')) {
      const fields = line.trim().split(/\s+/);
      if (fields.length > 1) each(fields);
    }
  };
  // "<index> <name> <group> ..." (decimal index); every IPv6 interface is in ff02::1.
  read('igmp6', (f) => found.set(f[1], Number(f[0])));
  // "<address> <index, hex> <prefix> <scope> <flags> <name>".
  read('if_inet6', (f) => found.set(f[5], Number.parseInt(f[1], 16)));
  // "<name>: <counters...>" after two header lines.
  read('dev', (f) => {
    const name = f[0].endsWith(':') ? f[0].slice(0, -1) : undefined;
    if (name !== undefined && !found.has(name)) found.set(name, -1);
  });
  return readAny ? found : undefined;
}

function interfaceExists(name: string, platform: NodeJS.Platform): boolean {
  // An interface without addresses is missing from os.networkInterfaces(); /proc lists it.
  const linux = platform === 'linux' || platform === 'android' ? linuxInterfaces() : undefined;
  if (linux !== undefined) return linux.has(name);
  return Object.hasOwn(networkInterfaces(), name);
}

function knownInterfaces(platform: NodeJS.Platform): string[] {
  const linux = platform === 'linux' || platform === 'android' ? linuxInterfaces() : undefined;
  if (linux !== undefined) return [...linux.keys()];
  return Object.keys(networkInterfaces());
}

function interfaceNameOfIndex(index: number, platform: NodeJS.Platform): string | InterfaceProblem {
  const linux = platform === 'linux' || platform === 'android' ? linuxInterfaces() : undefined;
  if (linux !== undefined) {
    for (const [name, i] of linux) if (i === index) return name;
    return new InterfaceProblem('ENODEV', `this host has no IPv6 network interface with index ${index}`);
  }
  return new InterfaceProblem(
    'ENODEV',
    `Node cannot map an interface index to a name on ${platform}; give the interface as '::%<name>' (e.g. '::%en0')`,
  );
}

// What an OS refusal of a membership or interface change usually means, and what fixes it.
const membershipHints: Record<string, string> = {
  ENODEV:
    'no such interface, or no multicast route for the group: pass the IP address of the interface ' +
    "to join on (e.g. '127.0.0.1'), or add a multicast route (Linux: ip route add 224.0.0.0/4 dev <interface>)",
  EADDRNOTAVAIL:
    'the interface address is not an address of this host, or (when leaving) the group or source ' +
    'was not joined on that interface',
  EADDRINUSE: 'this port has already joined the group on that interface',
  EINVAL:
    'the address is not a multicast group, or the interface is of the other address family than the port',
  ENOBUFS:
    'too many memberships on this socket (Linux: sysctl net.ipv4.igmp_max_memberships, default 20; ' +
    'use several ports or fewer groups)',
  ENOSYS: 'source-specific multicast is not supported on this platform',
  ENOTSUP: 'this operation is not supported on this platform',
  ENOPROTOOPT: 'this operation is not supported on this platform',
  EPROTONOSUPPORT: 'this platform does not support IGMPv3/MLDv2 source-specific joins',
};

/**
 * A short explanation and fix for an OS error code from a membership call, if one is known.
 * Linux reuses codes across calls (leaving what was never joined is EADDRNOTAVAIL for a group
 * but EINVAL for a source; a second source-specific join is EADDRNOTAVAIL), hence the context.
 */
export function explainMembershipError(
  code: string | undefined,
  context: { leave?: boolean; sourceSpecific?: boolean } = {},
): string | undefined {
  if (code === undefined) return undefined;
  if (context.leave === true && (code === 'EADDRNOTAVAIL' || code === 'EINVAL')) {
    return `the ${context.sourceSpecific === true ? 'source' : 'group'} was not joined on that interface`;
  }
  if (context.sourceSpecific === true && context.leave !== true && code === 'EADDRNOTAVAIL') {
    return (
      'this port has already joined that source for the group on that interface, or the interface ' +
      'address is not an address of this host'
    );
  }
  return membershipHints[code];
}
