import { describe, expect, it } from 'vitest';
import {
  AlreadyListeningError,
  DNSLookupError,
  InvalidAddressError,
  MessageLengthError,
  MulticastJoinError,
} from '../../src/errors.ts';
import type { AddressTuple } from '../../src/interfaces.ts';
import { DatagramProtocol } from '../../src/protocols/index.ts';
import { IPv4Address, IPv6Address } from '../../src/transports/index.ts';
import { FakeDatagramTransport } from '../../src/testing/index.ts';
import { CountingProtocol } from '../support/counting-protocol.ts';

class Echo extends CountingProtocol {
  override datagramReceived(data: Buffer, addr: AddressTuple): void {
    this.transport.write(data, addr);
  }
}

describe('FakeDatagramTransport', () => {
  it('records writes as [datagram, addr] pairs, copying the bytes', () => {
    const t = new FakeDatagramTransport();
    const data = Buffer.from('hello');
    t.write(data, ['10.0.0.2', 53]);
    data[0] = 0x4a;
    t.writeSequence([Buffer.from('a'), new Uint8Array([0x62])], ['10.0.0.3', 54]);
    expect(t.written.map(([d, a]) => [d.toString(), a])).toEqual([
      ['hello', ['10.0.0.2', 53]],
      ['ab', ['10.0.0.3', 54]],
    ]);
  });

  it('works the Twisted way: protocol.makeConnection(transport)', () => {
    const proto = new Echo();
    const t = new FakeDatagramTransport();
    proto.makeConnection(t);
    expect(proto.transport).toBe(t);
    expect(proto.started).toBe(1);
    proto.datagramReceived(Buffer.from('x'), ['10.1.1.1', 7]);
    expect(t.written[0][1]).toEqual(['10.1.1.1', 7]);
  });

  it('reports the address it was given, or 0.0.0.0:0', () => {
    expect(new FakeDatagramTransport().getHost()).toEqual(new IPv4Address('UDP', '0.0.0.0', 0));
    expect(
      new FakeDatagramTransport({ host: '::1', port: 53 })
        .getHost()
        .equals(new IPv6Address('UDP', '::1', 53)),
    ).toBe(true);
    expect(() => new FakeDatagramTransport({ host: 'localhost' })).toThrow(TypeError);
    expect(() => new FakeDatagramTransport({ port: 70000 })).toThrow(RangeError);
  });

  it('refuses what the real port refuses, with the same errors', () => {
    const t = new FakeDatagramTransport();
    expect(() => t.write(Buffer.from('x'), ['example.com', 53])).toThrow(InvalidAddressError);
    expect(() => t.write(Buffer.from('x'), ['::1', 53])).toThrow(InvalidAddressError);
    expect(() => t.write(Buffer.alloc(65508), ['10.0.0.1', 53])).toThrow(MessageLengthError);
    expect(() => t.write(Buffer.alloc(65507), ['10.0.0.1', 53])).not.toThrow();
    expect(() => t.write(Buffer.from('x'), ['10.0.0.1', 0])).toThrow(RangeError);
    expect(() => t.write(Buffer.from('x'), ['10.0.0.1', 65536])).toThrow(RangeError);
    expect(() => t.write('x' as unknown as Buffer, ['10.0.0.1', 1])).toThrow(TypeError);
    expect(() => t.write(Buffer.from('x'))).toThrow(TypeError);
    const v6 = new FakeDatagramTransport({ host: '::' });
    expect(() => v6.write(Buffer.from('x'), ['127.0.0.1', 53])).toThrow(InvalidAddressError);
    expect(() => v6.write(Buffer.alloc(65528), ['::1', 53])).toThrow(MessageLengthError);
    expect(() => v6.write(Buffer.alloc(65527), ['::1', 53])).not.toThrow();
    expect(t.written).toHaveLength(1);
  });

  it('maps <broadcast> to 255.255.255.255 as Twisted does', () => {
    const t = new FakeDatagramTransport();
    t.write(Buffer.from('x'), ['<broadcast>', 9]);
    expect(t.written[0][1]).toEqual(['255.255.255.255', 9]);
  });

  it('connects once; writes then go to the peer, and only the peer is delivered', () => {
    const proto = new Echo();
    const t = new FakeDatagramTransport({ protocol: proto });
    t.startListening();
    t.connect('10.0.0.9', 4000);
    expect(t.state).toBe('connected');
    t.write(Buffer.from('a'));
    t.write(Buffer.from('b'), ['10.0.0.9', 4000]);
    expect(() => t.write(Buffer.from('c'), ['10.0.0.8', 4000])).toThrow(/connected to 10.0.0.9:4000/);
    expect(() => t.connect('10.0.0.8', 1)).toThrow(/already connected/);
    expect(() => new FakeDatagramTransport().connect('example.com', 1)).toThrow(InvalidAddressError);
    expect(t.deliver(Buffer.from('other'), ['10.0.0.8', 4000])).toBe(false);
    expect(t.deliver(Buffer.from('peer'), ['10.0.0.9', 4000])).toBe(true);
    expect(t.written.map(([d, a]) => [d.toString(), a])).toEqual([
      ['a', ['10.0.0.9', 4000]],
      ['b', ['10.0.0.9', 4000]],
      ['peer', ['10.0.0.9', 4000]],
    ]);
    t.refuse();
    expect(proto.refused).toBe(1);
  });

  it('cuts delivered datagrams to maxPacketSize', () => {
    const got: number[] = [];
    const proto = new (class extends DatagramProtocol {
      override datagramReceived(data: Buffer): void {
        got.push(data.length);
      }
    })();
    const t = new FakeDatagramTransport({ protocol: proto, maxPacketSize: 4 });
    t.startListening();
    t.deliver(Buffer.alloc(10), ['10.0.0.1', 1]);
    expect(got).toEqual([4]);
  });

  it('stopListening runs stopProtocol, fires at once, and is harmless twice', () => {
    const proto = new Echo();
    const t = new FakeDatagramTransport({ protocol: proto });
    t.startListening();
    const d = t.stopListening();
    expect(d.called).toBe(true);
    expect(proto.stopped).toBe(1);
    expect(proto.transport).toBeUndefined();
    expect(t.stopListening().called).toBe(true);
    expect(proto.stopped).toBe(1);
    expect(() => t.write(Buffer.from('x'), ['10.0.0.1', 1])).toThrow(/not listening/);
    expect(t.deliver(Buffer.from('x'), ['10.0.0.1', 1])).toBe(false);
    // The protocol may listen again on a new transport, as with a real port.
    const again = new FakeDatagramTransport({ protocol: proto });
    again.startListening();
    expect(proto.started).toBe(2);
  });

  it('refuses to start a protocol that already has a transport', () => {
    const proto = new Echo();
    new FakeDatagramTransport({ protocol: proto }).startListening();
    expect(() => new FakeDatagramTransport({ protocol: proto }).startListening()).toThrow(
      AlreadyListeningError,
    );
  });

  it('tracks multicast groups and options so multicast protocols run on it', async () => {
    const t = new FakeDatagramTransport();
    await t.joinGroup('228.0.0.5');
    await t.joinGroup('228.0.0.6', '127.0.0.1');
    expect(t.groups).toEqual([
      ['228.0.0.5', ''],
      ['228.0.0.6', '127.0.0.1'],
    ]);
    await expect(t.joinGroup('228.0.0.5').asPromise()).rejects.toBeInstanceOf(MulticastJoinError);
    await expect(t.joinGroup('10.0.0.1').asPromise()).rejects.toBeInstanceOf(MulticastJoinError);
    await expect(t.joinGroup('ff02::1').asPromise()).rejects.toBeInstanceOf(MulticastJoinError);
    await expect(t.joinGroup('mdns.local').asPromise()).rejects.toBeInstanceOf(DNSLookupError);
    await t.leaveGroup('228.0.0.5');
    await expect(t.leaveGroup('228.0.0.5').asPromise()).rejects.toBeInstanceOf(MulticastJoinError);
    expect(t.groups).toEqual([['228.0.0.6', '127.0.0.1']]);

    expect(t.getTTL()).toBe(1);
    t.setTTL(0);
    expect(t.getTTL()).toBe(0);
    expect(() => t.setTTL(256)).toThrow(RangeError);
    expect(t.getLoopbackMode()).toBe(true);
    t.setLoopbackMode(0);
    expect(t.getLoopbackMode()).toBe(false);
    expect(() => t.setLoopbackMode('yes' as unknown as boolean)).toThrow(TypeError);
    expect(t.getOutgoingInterface()).toBe('0.0.0.0');
    await t.setOutgoingInterface('127.0.0.1');
    expect(t.getOutgoingInterface()).toBe('127.0.0.1');
    expect(t.getBroadcastAllowed()).toBe(false);
    t.setBroadcastAllowed(true);
    expect(t.getBroadcastAllowed()).toBe(true);
  });
});
