import { describe, expect, it } from 'vitest';
import {
  AlreadyListeningError,
  DNSLookupError,
  InvalidAddressError,
  ReactorAlreadyRunning,
  ReactorNotRunning,
} from '../../src/errors.ts';
import type { AddressTuple } from '../../src/interfaces.ts';
import { DatagramProtocol } from '../../src/protocols/index.ts';
import { IPv4Address, IPv6Address } from '../../src/transports/index.ts';
import { FakeDatagramTransport, MemoryReactor, MemoryReactorClock } from '../../src/testing/index.ts';

class Echo extends DatagramProtocol {
  started = 0;
  override startProtocol(): void {
    this.started += 1;
  }
  override datagramReceived(data: Buffer, addr: AddressTuple): void {
    this.transport.write(data, addr);
  }
}

describe('MemoryReactor: UDP', () => {
  it('records listenUDP as [port, protocol, interface, maxPacketSize], in every argument form', () => {
    const r = new MemoryReactor();
    const a = new Echo();
    const b = new Echo();
    const c = new Echo();
    const d = new Echo();
    r.listenUDP(9999, a);
    r.listenUDP(53, b, '127.0.0.1', 512);
    r.listenUDP(0, c, { interface: '::1', maxPacketSize: 1500, reusePort: true });
    r.listenUDP(7, d, { interface: '10.0.0.1' }, 100);
    expect(r.udpServers).toEqual([
      [9999, a, '', 8192],
      [53, b, '127.0.0.1', 512],
      [0, c, '::1', 1500],
      [7, d, '10.0.0.1', 100],
    ]);
  });

  it('returns a started fake port that reports the asked port', () => {
    const r = new MemoryReactor();
    const proto = new Echo();
    const port = r.listenUDP(9999, proto, '127.0.0.1');
    expect(port).toBeInstanceOf(FakeDatagramTransport);
    expect(proto.transport).toBe(port);
    expect(proto.started).toBe(1);
    expect(port.getHost()).toEqual(new IPv4Address('UDP', '127.0.0.1', 9999));
    expect(r.listenUDP(53, new Echo()).getHost()).toEqual(new IPv4Address('UDP', '0.0.0.0', 53));
    expect(r.listenUDP(53, new Echo(), '::').getHost()).toEqual(new IPv6Address('UDP', '::', 53));
    port.deliver(Buffer.from('hi'), ['10.0.0.2', 5000]);
    expect(port.written.map(([data, addr]) => [data.toString(), addr])).toEqual([['hi', ['10.0.0.2', 5000]]]);
    expect(r.getListeningPorts()).toHaveLength(3);
    port.stopListening();
    expect(r.getListeningPorts()).toHaveLength(2);
  });

  it('validates its arguments as the real reactor does', () => {
    const r = new MemoryReactor();
    expect(() => r.listenUDP(-1, new Echo())).toThrow(RangeError);
    expect(() => r.listenUDP(65536, new Echo())).toThrow(RangeError);
    expect(() => r.listenUDP('80' as unknown as number, new Echo())).toThrow(TypeError);
    expect(() => r.listenUDP(1, {} as Echo)).toThrow(TypeError);
    expect(() => r.listenUDP(1, new Echo(), 'localhost')).toThrow(InvalidAddressError);
    expect(() => r.listenUDP(1, new Echo(), { interfac: '' } as never)).toThrow(TypeError);
    expect(() => r.listenUDP(1, new Echo(), { maxPacketSize: 0 })).toThrow(RangeError);
    const busy = new Echo();
    r.listenUDP(1, busy);
    expect(() => r.listenUDP(2, busy)).toThrow(AlreadyListeningError);
    expect(r.udpServers).toHaveLength(1);
  });

  it('stops a port when its signal aborts', () => {
    const r = new MemoryReactor();
    const controller = new AbortController();
    const proto = new Echo();
    const port = r.listenUDP(1, proto, { signal: controller.signal });
    controller.abort();
    expect(port.state).toBe('closed');
    expect(proto.transport).toBeUndefined();
    expect(() => r.listenUDP(1, new Echo(), { signal: controller.signal })).toThrow(/aborted/);
  });
});

describe('MemoryReactor: multicast', () => {
  it('records listenMulticast with listenMultiple, positional or options', async () => {
    const r = new MemoryReactor();
    const a = new Echo();
    const b = new Echo();
    const c = new Echo();
    const port = r.listenMulticast(1900, a, '', 8192, true);
    r.listenMulticast(5353, b, { listenMultiple: true, interface: '0.0.0.0' });
    r.listenMulticast(5000, c);
    expect(r.multicastServers).toEqual([
      [1900, a, '', 8192, true],
      [5353, b, '0.0.0.0', 8192, true],
      [5000, c, '', 8192, false],
    ]);
    expect(() => r.listenMulticast(1, new Echo(), { reusePort: true } as never)).toThrow(TypeError);
    expect(() => r.listenMulticast(1, new Echo(), '', 8192, 1 as unknown as boolean)).toThrow(TypeError);
    r.names.set('ssdp.example', '239.255.255.250');
    await port.joinGroup('ssdp.example');
    expect(port.groups).toEqual([['239.255.255.250', '']]);
  });
});

describe('MemoryReactor: lifecycle, as Twisted records it', () => {
  it('run() runs the whenRunning hooks, then stops', async () => {
    const r = new MemoryReactor();
    const seen: string[] = [];
    r.callWhenRunning((x: string) => seen.push(x), 'hook');
    expect(r.whenRunningHooks).toHaveLength(1);
    expect(r.hasRun).toBe(false);
    await r.run();
    expect(seen).toEqual(['hook']);
    expect(r.hasRun).toBe(true);
    expect(r.hasStopped).toBe(true);
    expect(r.running).toBe(false);
  });

  it('a hook that stops the reactor ends the run; stop() when not running throws', async () => {
    const r = new MemoryReactor();
    r.callWhenRunning(() => {
      expect(r.running).toBe(true);
      expect(() => r.run()).toThrow(ReactorAlreadyRunning);
      r.callWhenRunning(() => undefined); // running: called at once, not recorded
      r.stop();
    });
    await r.run();
    expect(r.whenRunningHooks).toHaveLength(1);
    expect(r.hasStopped).toBe(true);
    expect(() => r.stop()).toThrow(ReactorNotRunning);
  });

  it('crash() is recorded', () => {
    const r = new MemoryReactor();
    r.crash();
    expect(r.hasCrashed).toBe(true);
    expect(r.running).toBe(false);
  });

  it('keeps triggers by phase and event type; remove and fire work', () => {
    const r = new MemoryReactor();
    const order: string[] = [];
    const after = r.addSystemEventTrigger('after', 'shutdown', () => order.push('after'));
    r.addSystemEventTrigger('during', 'shutdown', () => order.push('during'));
    r.addSystemEventTrigger('before', 'shutdown', (x: number) => order.push(`before ${x}`), 1);
    const dropped = r.addSystemEventTrigger('before', 'shutdown', () => order.push('dropped'));
    expect(Object.keys(r.triggers).sort()).toEqual(['after', 'before', 'during']);
    expect(r.triggers.before?.shutdown).toHaveLength(2);
    r.removeSystemEventTrigger(dropped);
    expect(() => r.removeSystemEventTrigger(dropped)).toThrow(TypeError);
    expect(() => r.addSystemEventTrigger('later' as never, 'x', () => 1)).toThrow(TypeError);
    r.fireSystemEvent('shutdown');
    expect(order).toEqual(['before 1', 'during', 'after']);
    expect(r.firedEvents).toEqual(['shutdown']);
    expect(() => r.removeSystemEventTrigger(after)).toThrow(TypeError);
    r.fireSystemEvent('shutdown'); // triggers were consumed
    expect(order).toHaveLength(3);
  });

  it('resolves IP literals and known names, nothing else', async () => {
    const r = new MemoryReactor();
    expect(await r.resolve('10.0.0.1')).toBe('10.0.0.1');
    expect(await r.resolve('')).toBe('0.0.0.0');
    r.names.set('db.internal', '10.0.0.9');
    expect(await r.resolve('db.internal')).toBe('10.0.0.9');
    await expect(r.resolve('example.com').asPromise()).rejects.toBeInstanceOf(DNSLookupError);
  });
});

describe('MemoryReactorClock', () => {
  it('schedules on simulated time', () => {
    const r = new MemoryReactorClock();
    const proto = new Echo();
    const port = r.listenUDP(0, proto);
    r.callLater(5, () => port.write(Buffer.from('tick'), ['10.0.0.1', 9]));
    r.callLater(10, () => port.write(Buffer.from('tock'), ['10.0.0.1', 9]));
    expect(r.getDelayedCalls().map((c) => c.getTime())).toEqual([5, 10]);
    r.advance(4.9);
    expect(port.written).toHaveLength(0);
    r.advance(0.1);
    expect(port.written).toHaveLength(1);
    r.pump([1, 1, 3]);
    expect(r.seconds()).toBe(10);
    expect(port.written.map(([d]) => d.toString())).toEqual(['tick', 'tock']);
    expect(r.getDelayedCalls()).toHaveLength(0);
  });
});
