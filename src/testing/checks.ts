/**
 * The checks a fake or virtual port makes before it "sends": the real `UdpPort`'s own checks and
 * coded errors (src/transports/udp/checks.ts), so that a test on a fake fails where production
 * would, with the same message.
 *
 * @internal
 * @module
 */
import type { AddressTuple } from '../interfaces.ts';
import {
  alreadyConnected,
  checkConnectAddress,
  checkWritePort,
  formatAddr,
  notADatagram,
  notAnAddressTuple,
  notTheConnectedAddr,
  writeDestination,
} from '../transports/udp/checks.ts';
import {
  byteLengthOf,
  datagramTooLong,
  maxDatagramSize,
  sequencePieces,
} from '../transports/udp/datagram-size.ts';
import { invalidArgType, ipFamily, validateInteger } from '../validate.ts';

export { formatAddr, notRunning } from '../transports/udp/checks.ts';

/** An IP family. */
export type Family = 4 | 6;

/** The family a port on `iface` has: an IPv6 literal makes an IPv6 port, anything else IPv4. */
export function familyOf(iface: string): Family {
  return ipFamily(iface) === 6 ? 6 : 4;
}

/** A Node-style system error, as `dgram` would report it (for `CannotListenError`). */
export function systemError(
  code: string,
  errno: number,
  syscall: string,
  address: string,
  port: number,
): Error & { code: string; errno: number; syscall: string; address: string; port: number } {
  return Object.assign(new Error(`${syscall} ${code} ${formatAddr([address, port])}`), {
    code,
    errno,
    syscall,
    address,
    port,
  });
}

/** Checks one datagram and returns a copy of it (what was sent cannot change afterwards). */
export function checkDatagram(datagram: unknown, family: Family): Buffer {
  const length = byteLengthOf(datagram);
  if (length === -1) throw notADatagram(datagram);
  if (length > maxDatagramSize(family)) throw datagramTooLong(length, family);
  return Buffer.from(datagram as Uint8Array);
}

/** Checks the pieces of `writeSequence` and returns them joined into one datagram. */
export function checkSequence(datagrams: unknown, family: Family): Buffer {
  const { pieces, length } = sequencePieces(datagrams);
  if (length > maxDatagramSize(family)) throw datagramTooLong(length, family);
  return Buffer.concat(pieces, length);
}

/**
 * Checks the address of an unconnected write and returns it as sent: `'<broadcast>'` (Python's
 * spelling, which Twisted accepts) becomes `'255.255.255.255'`.
 */
export function checkDestination(addr: unknown, family: Family): AddressTuple {
  if (!Array.isArray(addr)) throw notAnAddressTuple(addr);
  const destination = writeDestination(addr[0], family);
  const port: unknown = addr[1];
  checkWritePort(port);
  return [destination, port];
}

/**
 * Checks the address of a write and returns where the datagram goes: on an unconnected port the
 * checked `addr` ({@link checkDestination}); on a port connected to `peer`, the peer, `addr`
 * being left out or that same address ({@link checkConnectedAddr}).
 */
export function checkWriteAddress(
  addr: unknown,
  peer: AddressTuple | undefined,
  family: Family,
): AddressTuple {
  if (peer === undefined) return checkDestination(addr, family);
  if (addr !== undefined && addr !== null) checkConnectedAddr(addr, peer);
  return peer;
}

/**
 * Checks a `connect(host, port)` on a port of `family` whose current peer is `peer` (the real
 * port's checks, in its order: connecting twice first, then the arguments) and returns the new
 * peer.
 */
export function checkConnect(
  peer: AddressTuple | undefined,
  host: unknown,
  port: unknown,
  family: Family,
): AddressTuple {
  if (peer !== undefined) throw alreadyConnected(peer);
  checkConnectAddress(host, port, family);
  return [host, port as number];
}

/** On a connected port, `addr` may only repeat the connected address. */
export function checkConnectedAddr(addr: unknown, peer: AddressTuple): void {
  if (Array.isArray(addr) && addr[1] === peer[1] && addr[0] === peer[0]) return;
  throw notTheConnectedAddr(addr, peer);
}

/** Whether `host` is a multicast address: 224.0.0.0/4 or ff00::/8. */
export function isMulticastAddress(host: string): boolean {
  const family = ipFamily(host);
  if (family === 4) {
    const first = Number(host.split('.')[0]);
    return first >= 224 && first <= 239;
  }
  if (family === 6) return /^ff/i.test(host);
  return false;
}

/** Whether `host` is a loopback address (127.0.0.0/8 or ::1). */
export function isLoopbackAddress(host: string): boolean {
  return host === '::1' || (ipFamily(host) === 4 && host.startsWith('127.'));
}

/** A multicast TTL (hop limit): an integer 0–255. */
export function checkTTL(ttl: unknown): asserts ttl is number {
  validateInteger(ttl, 'ttl', 0, 255);
}

/** A loopback mode: a boolean, or 0 / 1 as Twisted's code passes it. */
export function checkLoopbackMode(mode: unknown): boolean {
  if (typeof mode === 'boolean') return mode;
  if (mode === 0 || mode === 1) return mode === 1;
  throw invalidArgType('mode', 'of type boolean (or 0 or 1)', mode);
}
