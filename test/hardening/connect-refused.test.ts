/**
 * A `connect()` the OS refuses (issue 12, point 7) throws a typed error at once — with the OS's
 * code — and leaves the port as it was: unconnected, still listening, writing with an address.
 * No later write surfaces Node's internal errors. Inside the netns: 10.1.2.3 has no route there
 * (ENETUNREACH), and loopback's broadcast address needs SO_BROADCAST (EACCES); connect() sends
 * nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatagramProtocol, Reactor } from '../../src/index.ts';
import type { AddressTuple } from '../../src/interfaces.ts';
import { captureLog, inNetns, turns, until } from './helpers.ts';

let log: ReturnType<typeof captureLog>;
beforeEach(() => {
  log = captureLog();
});
afterEach(() => log.stop());

class Keeper extends DatagramProtocol {
  readonly got: string[] = [];
  override datagramReceived(data: Buffer, _addr: AddressTuple): void {
    this.got.push(data.toString());
  }
}

describe.skipIf(!inNetns)('connect() refused by the OS (point 7)', () => {
  it.each([
    ['10.1.2.3', 'ENETUNREACH'],
    ['127.255.255.255', 'EACCES'],
  ])('connect(%s) throws a typed error with code %s at once; the port is as it was', async (host, code) => {
    const reactor = new Reactor();
    const peer = new Keeper();
    const peerPort = reactor.listenUDP(0, peer, '127.0.0.1');
    const port = reactor.listenUDP(0, new DatagramProtocol(), '127.0.0.1');
    let thrown: unknown;
    try {
      port.connect(host, 9);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(Error);
    // The OS error itself, as Node reports a refused connect (net.connect's errors are the same).
    const error = thrown as Error & { code?: string; syscall?: string; address?: string; port?: number };
    expect(error.code).toBe(code);
    expect(error.syscall).toBe('connect');
    expect(error.address).toBe(host);
    expect(error.port).toBe(9);
    expect(error.message).toContain(host);
    // As it was: listening, not connected; a write needs an address and reaches its peer.
    expect(port.state).toBe('bound');
    expect(() => port.write(Buffer.from('no address'))).toThrow(/"addr"/);
    port.write(Buffer.from('still works'), ['127.0.0.1', peerPort.getHost().port]);
    await until(() => peer.got.length === 1, 'the datagram');
    await turns(3);
    // Nothing reported later: the refusal was the caller's to handle.
    expect(log.errors()).toEqual([]);
    expect(port.stats().errors).toBe(0);
    // And a connect that works still can.
    port.connect('127.0.0.1', peerPort.getHost().port);
    port.write(Buffer.from('connected'));
    await until(() => peer.got.length === 2, 'the connected datagram');
    await Promise.all([port.stopListening(), peerPort.stopListening()]);
  });
});
