/**
 * Endpoint addresses (Twisted's `twisted.internet.address.IPv4Address` / `IPv6Address`).
 *
 * @module
 */
import { inspect } from 'node:util';
import type { IAddress } from '../interfaces.ts';

/** The transport type an address belongs to. */
export type AddressType = 'UDP' | 'TCP';

function equalAddresses(a: IAddress, b: unknown, ctor: abstract new (...args: never[]) => IAddress): boolean {
  return b instanceof ctor && a.type === b.type && a.host === b.host && a.port === b.port;
}

/**
 * An IPv4 endpoint, as `getHost()` returns it.
 *
 * @example
 * port.getHost().toString(); // "IPv4Address(type='UDP', host='127.0.0.1', port=9999)"
 */
export class IPv4Address implements IAddress {
  readonly type: AddressType;
  /** A dotted-quad IPv4 address (`'0.0.0.0'` for a port on all interfaces). */
  readonly host: string;
  readonly port: number;

  constructor(type: AddressType, host: string, port: number) {
    this.type = type;
    this.host = host;
    this.port = port;
    Object.freeze(this);
  }

  /** Same class, type, host and port. */
  equals(other: unknown): boolean {
    return equalAddresses(this, other, IPv4Address);
  }

  /** Twisted's repr: `IPv4Address(type='UDP', host='127.0.0.1', port=9999)`. */
  toString(): string {
    return `IPv4Address(type='${this.type}', host='${this.host}', port=${this.port})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * An IPv6 endpoint, as `getHost()` returns it for a port listening on an IPv6 interface.
 *
 * @example
 * port.getHost().toString(); // "IPv6Address(type='UDP', host='::1', port=9999)"
 */
export class IPv6Address implements IAddress {
  readonly type: AddressType;
  /** An IPv6 address, possibly with a `%scope`. */
  readonly host: string;
  readonly port: number;

  constructor(type: AddressType, host: string, port: number) {
    this.type = type;
    this.host = host;
    this.port = port;
    Object.freeze(this);
  }

  /** Same class, type, host and port. */
  equals(other: unknown): boolean {
    return equalAddresses(this, other, IPv6Address);
  }

  /** Twisted's repr: `IPv6Address(type='UDP', host='::1', port=9999)`. */
  toString(): string {
    return `IPv6Address(type='${this.type}', host='${this.host}', port=${this.port})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}
