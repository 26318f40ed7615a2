/**
 * Datagram limits (issue 12, points 4 and 6): `writeSequence` sends one datagram whatever the
 * number of pieces (the OS takes at most 1,024 in one sendmsg), and a datagram cut to
 * `maxPacketSize`, or held in a `datagrams()` buffer, keeps only its own bytes rather than the
 * 64 KiB it was read into. Real sockets on 127.0.0.1, inside the netns.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatagramProtocol, Reactor } from '../../src/index.ts';
import type { AddressTuple } from '../../src/interfaces.ts';
import { captureLog, until } from './helpers.ts';

let log: ReturnType<typeof captureLog>;
beforeEach(() => {
  log = captureLog();
});
afterEach(() => log.stop());

class Keeper extends DatagramProtocol {
  readonly got: Buffer[] = [];
  override datagramReceived(data: Buffer, _addr: AddressTuple): void {
    this.got.push(data);
  }
}

describe('writeSequence with many pieces (point 4)', () => {
  it.each([1024, 1025, 3000, 20_000])('%i one-byte pieces arrive as one datagram', async (pieces) => {
    const reactor = new Reactor();
    const receiver = new Keeper();
    const port = reactor.listenUDP(0, receiver, { interface: '127.0.0.1', maxPacketSize: 65536 });
    const sender = reactor.listenUDP(0, new DatagramProtocol(), '127.0.0.1');
    const parts = Array.from({ length: pieces }, (_, i) => Buffer.from([i % 251]));
    sender.writeSequence(parts, ['127.0.0.1', port.getHost().port]);
    await until(() => receiver.got.length === 1 || log.errors().length > 0, 'the datagram');
    expect(log.errors().map((e) => e.why)).toEqual([]);
    expect(receiver.got[0]).toEqual(Buffer.concat(parts));
    expect(sender.stats().errors).toBe(0);
    await Promise.all([port.stopListening(), sender.stopListening()]);
  });

  it('on a connected port too', async () => {
    const reactor = new Reactor();
    const receiver = new Keeper();
    const port = reactor.listenUDP(0, receiver, '127.0.0.1');
    const sender = reactor.listenUDP(0, new DatagramProtocol(), '127.0.0.1');
    sender.connect('127.0.0.1', port.getHost().port);
    const parts = Array.from({ length: 2000 }, () => Buffer.from('x'));
    sender.writeSequence(parts);
    await until(() => receiver.got.length === 1 || log.errors().length > 0, 'the datagram');
    expect(receiver.got[0]?.length).toBe(2000);
    await Promise.all([port.stopListening(), sender.stopListening()]);
  });
});

describe('a cut datagram keeps only its own bytes (point 6)', () => {
  it('a 60,000-byte datagram cut to maxPacketSize 100 holds 100 bytes, not 60,000', async () => {
    const reactor = new Reactor();
    const receiver = new Keeper();
    const port = reactor.listenUDP(0, receiver, { interface: '127.0.0.1', maxPacketSize: 100 });
    const sender = reactor.listenUDP(0, new DatagramProtocol(), '127.0.0.1');
    // One at a time: the receive buffer holds only three or four datagrams this size.
    for (let i = 1; i <= 10; i++) {
      sender.write(Buffer.alloc(60_000, i), ['127.0.0.1', port.getHost().port]);
      await until(() => receiver.got.length === i, `datagram ${i}`);
    }
    for (const data of receiver.got) {
      expect(data.length).toBe(100);
      // Its memory: the bytes delivered, never the 60,000 it was read into.
      expect(data.buffer.byteLength).toBe(100);
    }
    await Promise.all([port.stopListening(), sender.stopListening()]);
  });

  it('a datagram held in a datagrams() buffer keeps only its own bytes', async () => {
    const reactor = new Reactor();
    const port = reactor.listenUDP(0, new DatagramProtocol(), { interface: '127.0.0.1', maxPacketSize: 100 });
    const sender = reactor.listenUDP(0, new DatagramProtocol(), '127.0.0.1');
    const iterator = port.datagrams({ highWaterMark: 64 });
    for (let i = 1; i <= 10; i++) {
      sender.write(Buffer.alloc(60_000, i), ['127.0.0.1', port.getHost().port]);
      await until(() => port.stats().datagramsIn === i, `datagram ${i}`);
    }
    let held = 0;
    for (let i = 0; i < 10; i++) {
      const { value } = await iterator.next();
      const [data] = value as [Buffer, AddressTuple];
      expect(data.length).toBe(100);
      expect(data.buffer.byteLength).toBe(100);
      held++;
    }
    expect(held).toBe(10);
    await iterator.return?.();
    await Promise.all([port.stopListening(), sender.stopListening()]);
  });
});
