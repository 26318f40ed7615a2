/**
 * Endpoint addresses (Twisted's `twisted.internet.address.IPv4Address`, `IPv6Address` and `UNIXAddress`).
 *
 * @module
 */
import { inspect } from 'node:util';
import type { IAddress, IUNIXAddress } from '../interfaces.ts';

/** The transport type an address belongs to. */
export type AddressType = 'UDP' | 'TCP';

/**
 * What {@link IPv4Address} and {@link IPv6Address} share: the frozen `{ type, host, port }`
 * shape, equality and Twisted's repr. The two stay separate classes, as in Twisted, so that
 * `instanceof IPv6Address` tells the family.
 *
 * @internal
 */
abstract class IPAddress implements IAddress {
  /** `'UDP'` for the ports of this package. */
  readonly type: AddressType;
  /** The IP address. */
  readonly host: string;
  /** The port number. */
  readonly port: number;

  // No private or protected member here: either would make the classes nominal in their typings,
  // and the public shape is the plain `{ type, host, port }` with three methods.

  /** A frozen address, e.g. `new IPv4Address('UDP', '127.0.0.1', 9999)`. */
  constructor(type: AddressType, host: string, port: number) {
    this.type = type;
    this.host = host;
    this.port = port;
    Object.freeze(this);
  }

  /** Same class, type, host and port. */
  equals(other: unknown): boolean {
    return (
      other instanceof IPAddress &&
      className(other) === className(this) &&
      other.type === this.type &&
      other.host === this.host &&
      other.port === this.port
    );
  }

  /** Twisted's repr: `IPv4Address(type='UDP', host='127.0.0.1', port=9999)`. */
  toString(): string {
    return `${className(this)}(type='${this.type}', host='${this.host}', port=${this.port})`;
  }

  /** Shows the repr in `console.log` and `util.inspect`. */
  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * An IPv4 endpoint, as `getHost()` returns it.
 *
 * @example
 * port.getHost().toString(); // "IPv4Address(type='UDP', host='127.0.0.1', port=9999)"
 */
export class IPv4Address extends IPAddress {
  /** A dotted-quad IPv4 address (`'0.0.0.0'` for a port on all interfaces). */
  declare readonly host: string;
}

/**
 * An IPv6 endpoint, as `getHost()` returns it for a port listening on an IPv6 interface.
 *
 * @example
 * port.getHost().toString(); // "IPv6Address(type='UDP', host='::1', port=9999)"
 */
export class IPv6Address extends IPAddress {
  /** An IPv6 address, possibly with a `%scope`. */
  declare readonly host: string;
}

/**
 * The class name Twisted's repr starts with, and what `equals` compares: written out rather
 * than read from `constructor.name`, which bundlers rename. A subclass of either class keeps
 * its parent's name, as `instanceof` does.
 */
function className(address: IPAddress): 'IPv4Address' | 'IPv6Address' {
  return address instanceof IPv6Address ? 'IPv6Address' : 'IPv4Address';
}

/**
 * A UNIX socket address (Twisted's `twisted.internet.address.UNIXAddress`), as `getHost()` and
 * `getPeer()` return it on UNIX connections: `name` is the socket's path, a name starting with
 * `'\0'` in Linux's abstract namespace, or `undefined` for an unnamed socket (a client's end).
 *
 * @example
 * port.getHost().toString(); // "UNIXAddress('/tmp/echo.sock')"
 */
export class UNIXAddress implements IUNIXAddress {
  /** Always `'UNIX'`. */
  readonly type = 'UNIX' as const;
  /** The path or abstract name; `undefined` when the socket has none. */
  readonly name: string | undefined;

  /** A frozen address: `new UNIXAddress('/tmp/echo.sock')`. */
  constructor(name: string | undefined) {
    this.name = name;
    Object.freeze(this);
  }

  /** Whether `other` is a `UNIXAddress` with the same name. */
  equals(other: unknown): boolean {
    return other instanceof UNIXAddress && other.name === this.name;
  }

  /** Twisted's repr: `UNIXAddress('/tmp/echo.sock')`, `UNIXAddress(undefined)` for an unnamed socket. */
  toString(): string {
    return `UNIXAddress(${this.name === undefined ? 'undefined' : inspect(this.name)})`;
  }

  /** Shows the repr in `console.log` and `util.inspect`. */
  [inspect.custom](): string {
    return this.toString();
  }
}
