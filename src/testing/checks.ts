/**
 * The checks a fake or virtual port makes before it "sends": the same errors, with the same
 * messages, as the real `UdpPort`, so that a test on a fake fails where production would.
 *
 * @internal
 * @module
 */
import { inspect } from 'node:util';
import { InvalidAddressError } from '../errors.ts';
import type { AddressTuple, Datagram } from '../interfaces.ts';
import { datagramTooLong, maxDatagramSize, sequenceLength } from '../transports/udp/datagram-size.ts';
import { invalidArgType, ipFamily, validateInteger, validatePort } from '../validate.ts';

/** An IP family. */
export type Family = 4 | 6;

/** The family a port on `iface` has: an IPv6 literal makes an IPv6 port, anything else IPv4. */
export function familyOf(iface: string): Family {
  return ipFamily(iface) === 6 ? 6 : 4;
}

/** `host:port`, with brackets around IPv6 hosts. */
export function formatAddr(addr: AddressTuple): string {
  return addr[0].includes(':') ? `[${addr[0]}]:${addr[1]}` : `${addr[0]}:${addr[1]}`;
}

/** The error the real port throws when used after it stopped. */
export function notRunning(what: string): Error & { code: string } {
  return Object.assign(new Error(`${what}: the port is not listening (it was stopped)`), {
    code: 'ERR_SOCKET_DGRAM_NOT_RUNNING',
  });
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
  if (!(datagram instanceof Uint8Array)) {
    throw invalidArgType('datagram', 'an instance of Buffer or Uint8Array', datagram);
  }
  if (datagram.byteLength > maxDatagramSize(family)) throw datagramTooLong(datagram.byteLength, family);
  return Buffer.from(datagram);
}

/** Checks the pieces of `writeSequence` and returns them joined into one datagram. */
export function checkSequence(datagrams: unknown, family: Family): Buffer {
  const length = sequenceLength(datagrams);
  if (length > maxDatagramSize(family)) throw datagramTooLong(length, family);
  return Buffer.concat(datagrams as Datagram[]);
}

/**
 * Checks the address of an unconnected write and returns it as sent: `'<broadcast>'` (Python's
 * spelling, which Twisted accepts) becomes `'255.255.255.255'`.
 */
export function checkDestination(addr: unknown, family: Family): AddressTuple {
  if (!Array.isArray(addr)) {
    throw invalidArgType('addr', 'a [host, port] tuple (this port is not connected)', addr);
  }
  const host: unknown = addr[0];
  if (typeof host !== 'string') throw invalidArgType('addr[0]', 'of type string', host);
  const destination = host === '<broadcast>' ? '255.255.255.255' : host;
  const hostFamily = ipFamily(destination);
  if (hostFamily === 0) {
    throw new InvalidAddressError(
      host,
      `write() only accepts IP addresses, not host names: ${inspect(host)} (resolve it first, e.g. with reactor.resolve)`,
    );
  }
  if (hostFamily === 4 && family === 6) {
    throw new InvalidAddressError(
      host,
      `IPv6 port write() called with IPv4 or broadcast address ${inspect(host)}`,
    );
  }
  if (hostFamily === 6 && family === 4) {
    throw new InvalidAddressError(host, `IPv4 port write() called with IPv6 address ${inspect(host)}`);
  }
  const port: unknown = addr[1];
  validatePort(port, 'addr[1]', false);
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
  if (typeof host !== 'string') throw invalidArgType('host', 'of type string', host);
  const hostFamily = ipFamily(host);
  if (hostFamily === 0) {
    throw new InvalidAddressError(
      host,
      `connect() only accepts IP addresses, not host names: ${inspect(host)}`,
    );
  }
  if ((hostFamily === 6) !== (family === 6)) {
    throw new InvalidAddressError(
      host,
      `${family === 6 ? 'IPv6' : 'IPv4'} port connect() called with IPv${hostFamily} address ${inspect(host)}`,
    );
  }
  validatePort(port, 'port', false);
  return [host, port];
}

/** The error for connecting a port twice, as the real port throws it. */
function alreadyConnected(peer: AddressTuple): Error & { code: string } {
  return Object.assign(
    new Error(
      `already connected to ${formatAddr(peer)}; reconnecting is not supported (as in Twisted): listen on a new port instead`,
    ),
    { code: 'ERR_SOCKET_DGRAM_IS_CONNECTED' },
  );
}

/** On a connected port, `addr` may only repeat the connected address. */
export function checkConnectedAddr(addr: unknown, peer: AddressTuple): void {
  if (Array.isArray(addr) && addr[1] === peer[1] && addr[0] === peer[0]) return;
  throw Object.assign(
    new TypeError(
      `The argument "addr" is invalid. This port is connected to ${formatAddr(peer)}; write() takes no address ` +
        `or exactly that one. Received ${inspect(addr)}`,
    ),
    { code: 'ERR_INVALID_ARG_VALUE' },
  );
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
