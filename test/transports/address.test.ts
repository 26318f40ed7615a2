import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { IPv4Address, IPv6Address } from '../../src/transports/address.ts';
import { UNIXAddress } from '../../src/transports/address.ts';

describe('IPv4Address / IPv6Address', () => {
  it('read like Twisted’s repr', () => {
    expect(String(new IPv4Address('UDP', '127.0.0.1', 9999))).toBe(
      "IPv4Address(type='UDP', host='127.0.0.1', port=9999)",
    );
    expect(String(new IPv6Address('TCP', '::1', 80))).toBe("IPv6Address(type='TCP', host='::1', port=80)");
    expect(inspect(new IPv4Address('UDP', '0.0.0.0', 1))).toBe(
      "IPv4Address(type='UDP', host='0.0.0.0', port=1)",
    );
  });

  it('equals() compares class, type, host and port', () => {
    const a = new IPv4Address('UDP', '127.0.0.1', 9999);
    expect(a.equals(new IPv4Address('UDP', '127.0.0.1', 9999))).toBe(true);
    expect(a.equals(new IPv4Address('TCP', '127.0.0.1', 9999))).toBe(false);
    expect(a.equals(new IPv4Address('UDP', '127.0.0.2', 9999))).toBe(false);
    expect(a.equals(new IPv4Address('UDP', '127.0.0.1', 9998))).toBe(false);
    expect(a.equals(new IPv6Address('UDP', '127.0.0.1', 9999))).toBe(false);
    expect(a.equals({ type: 'UDP', host: '127.0.0.1', port: 9999 })).toBe(false);
    expect(new IPv6Address('UDP', '::1', 1).equals(new IPv6Address('UDP', '::1', 1))).toBe(true);
  });

  it('stay two classes: instanceof tells the family', () => {
    const v4 = new IPv4Address('UDP', '127.0.0.1', 1);
    const v6 = new IPv6Address('UDP', '::1', 1);
    expect(v4).toBeInstanceOf(IPv4Address);
    expect(v4).not.toBeInstanceOf(IPv6Address);
    expect(v6).toBeInstanceOf(IPv6Address);
    expect(v6).not.toBeInstanceOf(IPv4Address);
    expect(Object.keys(v6)).toEqual(['type', 'host', 'port']);
    expect(Object.isFrozen(v6)).toBe(true);
  });

  it('are immutable', () => {
    const a = new IPv4Address('UDP', '127.0.0.1', 9999);
    expect(() => {
      (a as { port: number }).port = 1;
    }).toThrow(TypeError);
  });
});

describe('UNIXAddress', () => {
  it("has type 'UNIX' and a name; Twisted's repr", () => {
    const a = new UNIXAddress('/tmp/echo.sock');
    expect([a.type, a.name]).toEqual(['UNIX', '/tmp/echo.sock']);
    expect(a.toString()).toBe("UNIXAddress('/tmp/echo.sock')");
    expect(new UNIXAddress(undefined).toString()).toBe('UNIXAddress(undefined)');
    expect(new UNIXAddress('\0abstract').toString()).toBe("UNIXAddress('\\x00abstract')");
  });

  it('equals() compares names, and only with UNIX addresses', () => {
    const a = new UNIXAddress('/tmp/a');
    expect(a.equals(new UNIXAddress('/tmp/a'))).toBe(true);
    expect(a.equals(new UNIXAddress('/tmp/b'))).toBe(false);
    expect(a.equals({ type: 'UNIX', name: '/tmp/a' })).toBe(false);
    expect(new UNIXAddress(undefined).equals(new UNIXAddress(undefined))).toBe(true);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(new UNIXAddress('/x'))).toBe(true);
  });
});
