import { afterEach, describe, expect, it } from 'vitest';
import {
  CannotListenError,
  DNSLookupError,
  InvalidAddressError,
  MessageLengthError,
} from '../../src/errors.ts';
import { IPv4Address } from '../../src/transports/index.ts';
import { Clock, SeededRandom, VirtualNetwork } from '../../src/testing/index.ts';
import type { VirtualNetworkOptions } from '../../src/testing/index.ts';
import { Echo, Recorder, captureLog } from './fixtures/recorder.ts';

let log: ReturnType<typeof captureLog> | undefined;
afterEach(() => {
  log?.stop();
  log = undefined;
});

/** Two hosts, a recorder listening on b:9999 and a sending port on a. */
function pair(options: VirtualNetworkOptions = {}) {
  const network = new VirtualNetwork(options);
  const a = network.addHost('10.0.0.1');
  const b = network.addHost('10.0.0.2');
  const receiver = new Recorder(network.clock);
  b.listenUDP(9999, receiver);
  const sender = new Recorder(network.clock);
  const port = a.listenUDP(0, sender);
  const send = (text: string): void => port.write(Buffer.from(text), ['10.0.0.2', 9999]);
  return { network, a, b, receiver, sender, port, send };
}

/** Sends `count` numbered datagrams, one every `interval` seconds, and runs until all arrive. */
function burst(options: VirtualNetworkOptions, count: number, interval = 0) {
  const env = pair(options);
  for (let i = 0; i < count; i++) env.a.callLater(i * interval, env.send, String(i));
  env.network.runUntilIdle();
  return env;
}

describe('SeededRandom', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const take = (seed: number) =>
      Array.from(
        { length: 5 },
        (
          (r) => () =>
            r.next()
        )(new SeededRandom(seed)),
      );
    expect(take(7)).toEqual(take(7));
    expect(take(7)).not.toEqual(take(8));
    const r = new SeededRandom(3);
    let sum = 0;
    for (let i = 0; i < 10_000; i++) {
      const x = r.next();
      expect(x >= 0 && x < 1).toBe(true);
      sum += x;
    }
    expect(Math.abs(sum / 10_000 - 0.5)).toBeLessThan(0.02);
    expect(() => new SeededRandom(1.5)).toThrow(RangeError);
  });
});

describe('VirtualNetwork: delivery', () => {
  it('delivers across hosts after the latency, to the clock tick, with the sender address', () => {
    const { network, receiver, send, port } = pair({ latency: 0.05 });
    send('ping');
    network.clock.advance(0.049);
    expect(receiver.received).toEqual([]);
    network.clock.advance(0.001);
    expect(receiver.received).toEqual([[0.05, 'ping', ['10.0.0.1', port.getHost().port]]]);
    expect(network.stats()).toMatchObject({
      sent: 1,
      delivered: 1,
      lost: 0,
      bytesSent: 4,
      bytesDelivered: 4,
    });
  });

  it('never delivers inside write(), even with no latency', () => {
    const { network, receiver, send } = pair();
    send('x');
    expect(receiver.received).toEqual([]);
    network.clock.advance(0);
    expect(receiver.payloads()).toEqual(['x']);
  });

  it('run() steps event by event, so a reply sent during the span arrives in it', () => {
    const network = new VirtualNetwork({ latency: 0.1 });
    const a = network.addHost('10.0.0.1');
    const b = network.addHost('10.0.0.2');
    b.listenUDP(7, new Echo());
    const client = new Recorder(network.clock);
    a.listenUDP(0, client).write(Buffer.from('hi'), ['10.0.0.2', 7]);
    network.run(0.5);
    expect(client.received.map(([t, p, from]) => [t, p, from])).toEqual([[0.2, 'hi', ['10.0.0.2', 7]]]);
    expect(network.clock.seconds()).toBe(0.5);

    // A single advance jumps instead: the echo is sent at the end of the span, and arrives later.
    const jumpy = new VirtualNetwork({ latency: 0.1 });
    const c = jumpy.addHost('10.0.0.1');
    jumpy.addHost('10.0.0.2').listenUDP(7, new Echo());
    const late = new Recorder(jumpy.clock);
    c.listenUDP(0, late).write(Buffer.from('hi'), ['10.0.0.2', 7]);
    jumpy.clock.advance(0.5);
    expect(late.received).toEqual([]);
    jumpy.clock.advance(0.1);
    expect(late.received).toHaveLength(1);
  });

  it('per-link conditions override the network defaults, in both directions', () => {
    const network = new VirtualNetwork({ latency: 0.01 });
    const a = network.addHost('10.0.0.1');
    const b = network.addHost('10.0.0.2');
    const c = network.addHost('10.0.0.3');
    network.setLink(a, '10.0.0.3', { latency: 0.3 });
    expect(network.getLink(c, a).latency).toBe(0.3);
    expect(network.getLink(a, b).latency).toBe(0.01);
    const rb = new Recorder(network.clock);
    const rc = new Recorder(network.clock);
    b.listenUDP(1, rb);
    c.listenUDP(1, rc);
    const port = a.listenUDP(0, new Recorder());
    port.write(Buffer.from('b'), ['10.0.0.2', 1]);
    port.write(Buffer.from('c'), ['10.0.0.3', 1]);
    network.runUntilIdle();
    expect(rb.received[0][0]).toBe(0.01);
    expect(rc.received[0][0]).toBe(0.3);
    expect(() => network.setLink(a, b, { loss: 2 })).toThrow(RangeError);
    expect(() => network.setLink(a, b, { lag: 1 } as never)).toThrow(TypeError);
  });

  it('cuts datagrams to maxPacketSize and logs (and survives) protocol exceptions', () => {
    log = captureLog();
    const network = new VirtualNetwork();
    const a = network.addHost('10.0.0.1');
    const b = network.addHost('10.0.0.2');
    const sizes: number[] = [];
    const proto = new Recorder();
    proto.datagramReceived = (data: Buffer) => {
      sizes.push(data.length);
      if (sizes.length === 1) throw new Error('boom');
    };
    b.listenUDP(5, proto, { maxPacketSize: 10 });
    const port = a.listenUDP(0, new Recorder());
    port.write(Buffer.alloc(100), ['10.0.0.2', 5]);
    port.write(Buffer.alloc(3), ['10.0.0.2', 5]);
    network.runUntilIdle();
    expect(sizes).toEqual([10, 3]);
    expect(log.errors().map((e) => e.why)).toEqual([
      expect.stringMatching(/datagramReceived \(from 10.0.0.1:/),
    ]);
  });

  it('checks writes as the real port does', () => {
    const { port } = pair();
    expect(() => port.write(Buffer.from('x'), ['node-2', 9999])).toThrow(InvalidAddressError);
    expect(() => port.write(Buffer.from('x'), ['::1', 9999])).toThrow(InvalidAddressError);
    expect(() => port.write(Buffer.alloc(65508), ['10.0.0.2', 9999])).toThrow(MessageLengthError);
    expect(() => port.write(Buffer.from('x'), ['10.0.0.2', 0])).toThrow(RangeError);
    expect(() => port.write(Buffer.from('x'))).toThrow(TypeError);
  });

  it('loopback stays on the host: 127.0.0.1 is reachable only from there', () => {
    const network = new VirtualNetwork({ latency: 1, loss: 1 });
    const a = network.addHost('10.0.0.1');
    const b = network.addHost('10.0.0.2');
    const local = new Recorder(network.clock);
    a.listenUDP(53, local, '127.0.0.1');
    const client = a.listenUDP(0, new Recorder());
    client.write(Buffer.from('local'), ['127.0.0.1', 53]);
    b.listenUDP(0, new Recorder()).write(Buffer.from('remote'), ['10.0.0.1', 53]);
    network.runUntilIdle();
    // Loopback is never lost and takes no time, whatever the links do.
    expect(local.received).toEqual([[0, 'local', ['127.0.0.1', client.getHost().port]]]);
    expect(network.stats()).toMatchObject({ sent: 2, delivered: 1, lost: 1 });
  });

  it('resolves IP literals and registered names, on every host', async () => {
    const network = new VirtualNetwork();
    const a = network.addHost('10.0.0.1', { names: ['alpha'] });
    network.addHost('fd00::2', { names: ['beta'] });
    network.registerName('router', '10.0.0.254');
    expect(await a.resolve('beta')).toBe('fd00::2');
    expect(await network.findHost('fd00::2')?.resolve('alpha')).toBe('10.0.0.1');
    expect(await a.resolve('router')).toBe('10.0.0.254');
    expect(await a.resolve('10.9.9.9')).toBe('10.9.9.9');
    await expect(a.resolve('example.com').asPromise()).rejects.toBeInstanceOf(DNSLookupError);
    expect(() => network.addHost('10.0.0.1')).toThrow(/already has a host/);
    expect(() => network.addHost('127.0.0.1')).toThrow(TypeError);
    expect(() => network.addHost('alpha')).toThrow(TypeError);
  });

  it('carries IPv6 between IPv6 hosts', () => {
    const network = new VirtualNetwork({ latency: 0.01 });
    const a = network.addHost('fd00::1');
    const b = network.addHost('fd00::2');
    const r = new Recorder(network.clock);
    b.listenUDP(9, r, '::');
    const port = a.listenUDP(0, new Recorder(), '::');
    port.write(Buffer.from('six'), ['fd00::2', 9]);
    network.runUntilIdle();
    expect(r.received).toEqual([[0.01, 'six', ['fd00::1', port.getHost().port]]]);
  });

  it('tracks each host’s own delayed calls', () => {
    const network = new VirtualNetwork();
    const a = network.addHost('10.0.0.1');
    const b = network.addHost('10.0.0.2');
    const call = a.callLater(5, () => undefined);
    b.callLater(1, () => undefined);
    expect(a.getDelayedCalls()).toEqual([call]);
    expect(a.seconds()).toBe(0);
    network.run(2);
    expect(b.getDelayedCalls()).toEqual([]);
    expect(a.getDelayedCalls()).toHaveLength(1);
    call.cancel();
    expect(a.getDelayedCalls()).toEqual([]);
  });

  it('accepts a clock of its own', () => {
    const clock = new Clock();
    const network = new VirtualNetwork({ clock });
    expect(network.clock).toBe(clock);
    expect(() => new VirtualNetwork({ clock: {} as Clock })).toThrow(TypeError);
    expect(() => new VirtualNetwork({ loss: -0.1 })).toThrow(RangeError);
  });
});

describe('VirtualNetwork: determinism', () => {
  const lossy = { seed: 42, latency: 0.02, loss: 0.2, duplicate: 0.1, reorder: 0.2 };

  it('the same seed gives the identical delivery sequence', () => {
    const first = burst(lossy, 300, 0.001);
    const second = burst(lossy, 300, 0.001);
    expect(first.receiver.received.length).toBeGreaterThan(200);
    expect(second.receiver.received).toEqual(first.receiver.received);
    expect(second.network.stats()).toEqual(first.network.stats());
  });

  it('a different seed gives a different one', () => {
    const first = burst(lossy, 300, 0.001);
    const other = burst({ ...lossy, seed: 43 }, 300, 0.001);
    expect(other.receiver.received).not.toEqual(first.receiver.received);
  });

  it('records a trace when asked, identical for identical runs', () => {
    const a = burst({ ...lossy, trace: true }, 50);
    const b = burst({ ...lossy, trace: true }, 50);
    expect(a.network.trace?.length).toBeGreaterThan(100);
    expect(b.network.trace).toEqual(a.network.trace);
    expect(new Set(a.network.trace?.map((e) => e.kind))).toEqual(
      new Set(['send', 'deliver', 'lose', 'duplicate', 'reorder']),
    );
  });
});

describe('VirtualNetwork: loss, duplication, reordering', () => {
  it('loses 10 % of 10,000 datagrams, within a 5-sigma band', () => {
    const n = 10_000;
    const p = 0.1;
    const { network, receiver } = burst({ seed: 9, loss: p }, n);
    const { sent, lost, delivered } = network.stats();
    expect(sent).toBe(n);
    expect(lost + delivered).toBe(n);
    expect(receiver.received).toHaveLength(delivered);
    const sigma = Math.sqrt(n * p * (1 - p)); // 30
    expect(Math.abs(lost - n * p)).toBeLessThan(5 * sigma);
  });

  it('loses nothing at loss 0 and everything at loss 1', () => {
    expect(burst({ loss: 0 }, 500).receiver.received).toHaveLength(500);
    expect(burst({ loss: 1 }, 500).receiver.received).toHaveLength(0);
  });

  it('duplicates observably, and counts each extra copy', () => {
    const { network, receiver } = burst({ seed: 5, duplicate: 0.2 }, 2000);
    const counts = new Map<string, number>();
    for (const p of receiver.payloads()) counts.set(p, (counts.get(p) ?? 0) + 1);
    const twice = [...counts.values()].filter((c) => c === 2).length;
    expect(counts.size).toBe(2000);
    expect(twice).toBe(network.stats().duplicated);
    expect(Math.abs(twice - 400)).toBeLessThan(5 * Math.sqrt(2000 * 0.2 * 0.8));
  });

  it('reorders observably; without reorder the order is kept', () => {
    const inOrder = burst({ seed: 1, latency: 0.05 }, 200, 0.001).receiver.payloads().map(Number);
    expect(inOrder).toEqual([...inOrder].sort((x, y) => x - y));
    const { network, receiver } = burst({ seed: 1, latency: 0.05, reorder: 0.25 }, 200, 0.001);
    const got = receiver.payloads().map(Number);
    expect(got).toHaveLength(200);
    expect(got).not.toEqual([...got].sort((x, y) => x - y));
    const overtaken = got.filter((x, i) => i > 0 && x < got[i - 1]).length;
    expect(overtaken).toBeGreaterThan(0);
    expect(network.stats().reordered).toBeGreaterThan(20);
    // A held-back datagram arrives after the latency plus at most reorderDelay (= latency).
    for (const [t] of receiver.received) expect(t).toBeLessThanOrEqual(0.199 + 0.1 + 1e-9);
  });
});

describe('VirtualNetwork: multicast', () => {
  function group(options: VirtualNetworkOptions = {}) {
    const network = new VirtualNetwork({ latency: 0.01, ...options });
    const hosts = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'].map((ip) => network.addHost(ip));
    const recorders = hosts.map(() => new Recorder(network.clock));
    const ports = hosts.map((h, i) => h.listenMulticast(5000, recorders[i], { listenMultiple: true }));
    ports.slice(0, 3).forEach((p) => p.joinGroup('228.0.0.5'));
    return { network, hosts, recorders, ports };
  }

  it('fans out to every member port on every host, the sender included (loopback)', () => {
    const { network, recorders, ports } = group();
    ports[0].write(Buffer.from('hello'), ['228.0.0.5', 5000]);
    network.runUntilIdle();
    expect(recorders.map((r) => r.payloads())).toEqual([['hello'], ['hello'], ['hello'], []]);
    expect(recorders[1].received[0]).toEqual([0.01, 'hello', ['10.0.0.1', 5000]]);
    expect(recorders[0].received[0][0]).toBe(0); // its own copy does not cross the network
    expect(network.stats()).toMatchObject({ sent: 1, delivered: 3 });
  });

  it('respects loopback mode, TTL 0 and leaveGroup', async () => {
    const { network, recorders, ports } = group();
    ports[0].setLoopbackMode(false);
    ports[0].write(Buffer.from('a'), ['228.0.0.5', 5000]);
    network.runUntilIdle();
    expect(recorders.map((r) => r.payloads().length)).toEqual([0, 1, 1, 0]);
    ports[0].setLoopbackMode(true);
    ports[0].setTTL(0);
    ports[0].write(Buffer.from('b'), ['228.0.0.5', 5000]);
    network.runUntilIdle();
    expect(recorders.map((r) => r.payloads().length)).toEqual([1, 1, 1, 0]);
    await ports[2].leaveGroup('228.0.0.5');
    ports[1].write(Buffer.from('c'), ['228.0.0.5', 5000]);
    network.runUntilIdle();
    expect(recorders.map((r) => r.payloads())).toEqual([['b', 'c'], ['a', 'c'], ['a'], []]);
  });

  it('shares a port between several listenMultiple ports on one host; each gets a copy', () => {
    const { network, hosts, ports } = group();
    const second = new Recorder(network.clock);
    const extra = hosts[1].listenMulticast(5000, second, '', 8192, true);
    extra.joinGroup('228.0.0.5');
    ports[0].write(Buffer.from('x'), ['228.0.0.5', 5000]);
    network.runUntilIdle();
    expect(second.payloads()).toEqual(['x']);
    expect(() => hosts[1].listenMulticast(5000, new Recorder())).toThrow(CannotListenError);
  });

  it('draws loss per receiving host', () => {
    const network = new VirtualNetwork({ seed: 3, loss: 0.5 });
    const hosts = Array.from({ length: 20 }, (_, i) => network.addHost(`10.0.1.${i + 1}`));
    const recorders = hosts.map(() => new Recorder());
    hosts.forEach((h, i) => h.listenMulticast(6000, recorders[i]).joinGroup('239.1.1.1'));
    hosts[0].listenUDP(0, new Recorder()).write(Buffer.from('m'), ['239.1.1.1', 6000]);
    network.runUntilIdle();
    const got = recorders.filter((r) => r.received.length === 1).length;
    expect(got).toBeGreaterThan(2);
    expect(got).toBeLessThan(19);
    expect(network.stats().lost + got).toBe(20); // the sender's own copy is never lost
  });

  it('broadcast needs setBroadcastAllowed, then reaches wildcard ports on every host', () => {
    log = captureLog();
    const network = new VirtualNetwork();
    const hosts = ['10.0.0.1', '10.0.0.2'].map((ip) => network.addHost(ip));
    const recorders = hosts.map(() => new Recorder());
    hosts.forEach((h, i) => h.listenUDP(67, recorders[i]));
    const port = hosts[0].listenUDP(0, new Recorder());
    port.write(Buffer.from('no'), ['<broadcast>', 67]);
    expect(log.errors()[0]?.why).toMatch(/EACCES/);
    port.setBroadcastAllowed(true);
    port.write(Buffer.from('yes'), ['<broadcast>', 67]);
    network.runUntilIdle();
    expect(recorders.map((r) => r.payloads())).toEqual([['yes'], ['yes']]);
  });
});

describe('VirtualNetwork: partitions', () => {
  it('drops datagrams between the sides until heal()', () => {
    const network = new VirtualNetwork({ latency: 0.01 });
    const [a, b, c] = ['10.0.0.1', '10.0.0.2', '10.0.0.3'].map((ip) => network.addHost(ip));
    const rb = new Recorder();
    const rc = new Recorder();
    b.listenUDP(1, rb);
    c.listenUDP(1, rc);
    const port = a.listenUDP(0, new Recorder());
    network.partition([a], ['10.0.0.2']);
    expect(network.isPartitioned(b, a)).toBe(true);
    port.write(Buffer.from('1'), ['10.0.0.2', 1]);
    port.write(Buffer.from('1'), ['10.0.0.3', 1]);
    network.runUntilIdle();
    expect(rb.payloads()).toEqual([]);
    expect(rc.payloads()).toEqual(['1']);
    expect(network.stats().partitioned).toBe(1);
    network.heal();
    port.write(Buffer.from('2'), ['10.0.0.2', 1]);
    network.runUntilIdle();
    expect(rb.payloads()).toEqual(['2']);
  });
});

describe('VirtualNetwork: unreachable ports and connected UDP', () => {
  it('a datagram to a port nobody listens on vanishes; a connected sender is refused', () => {
    const network = new VirtualNetwork({ latency: 0.05 });
    const a = network.addHost('10.0.0.1');
    network.addHost('10.0.0.2');
    const connected = new Recorder(network.clock);
    const port = a.listenUDP(0, connected);
    port.connect('10.0.0.2', 9);
    port.write(Buffer.from('anyone?'));
    network.run(0.099);
    expect(connected.refused).toBe(0);
    network.run(0.001);
    expect(connected.refused).toBe(1); // after the way there and the way back
    const plain = new Recorder();
    a.listenUDP(0, plain).write(Buffer.from('x'), ['10.0.0.2', 9]);
    a.listenUDP(0, new Recorder()).write(Buffer.from('x'), ['10.9.9.9', 9]); // no such host
    network.runUntilIdle();
    expect(plain.refused).toBe(0);
    expect(network.stats()).toMatchObject({ unreachable: 3, refused: 1, delivered: 0 });
  });

  it('a connected port only hears its peer', () => {
    const network = new VirtualNetwork();
    const [a, b, c] = ['10.0.0.1', '10.0.0.2', '10.0.0.3'].map((ip) => network.addHost(ip));
    const r = new Recorder();
    const port = a.listenUDP(4000, r);
    port.connect('10.0.0.2', 5000);
    b.listenUDP(5000, new Recorder()).write(Buffer.from('peer'), ['10.0.0.1', 4000]);
    c.listenUDP(5000, new Recorder()).write(Buffer.from('stranger'), ['10.0.0.1', 4000]);
    network.runUntilIdle();
    expect(r.payloads()).toEqual(['peer']);
  });
});

describe('VirtualNetwork: binding', () => {
  it('refuses a taken port with EADDRINUSE unless both sides share', () => {
    const network = new VirtualNetwork();
    const a = network.addHost('10.0.0.1');
    a.listenUDP(53, new Recorder());
    let error: unknown;
    try {
      a.listenUDP(53, new Recorder(), '10.0.0.1');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CannotListenError);
    expect((error as CannotListenError).socketError.code).toBe('EADDRINUSE');
    a.listenUDP(53, new Recorder(), '::'); // the other family is free
    a.listenUDP(80, new Recorder(), { reusePort: true });
    a.listenUDP(80, new Recorder(), { reusePort: true });
    a.listenMulticast(1900, new Recorder(), { listenMultiple: true });
    expect(() => a.listenMulticast(1900, new Recorder())).toThrow(CannotListenError);
    expect(() => a.listenUDP(1900, new Recorder(), { reusePort: true })).not.toThrow();
  });

  it('refuses an interface the host does not have (EADDRNOTAVAIL)', () => {
    const network = new VirtualNetwork();
    const a = network.addHost('10.0.0.1');
    let error: unknown;
    try {
      a.listenUDP(1, new Recorder(), '10.0.0.2');
    } catch (e) {
      error = e;
    }
    expect((error as CannotListenError).socketError.code).toBe('EADDRNOTAVAIL');
    expect(() => a.listenUDP(1, new Recorder(), 'localhost')).toThrow(InvalidAddressError);
  });

  it('gives ephemeral ports deterministically, and frees a port when it stops', async () => {
    const network = new VirtualNetwork();
    const a = network.addHost('10.0.0.1');
    const p1 = a.listenUDP(0, new Recorder());
    const p2 = a.listenUDP(0, new Recorder());
    expect(p1.getHost()).toEqual(new IPv4Address('UDP', '0.0.0.0', 32768));
    expect(p2.getHost().port).toBe(32769);
    const proto = new Recorder();
    const fixed = a.listenUDP(7000, proto);
    await fixed.stopListening();
    expect(proto.stopped).toBe(1);
    expect(a.getListeningPorts()).toEqual([p1, p2]);
    expect(() => a.listenUDP(7000, new Recorder())).not.toThrow();
  });

  it('spreads unicast over ports sharing a number (reusePort) by source', () => {
    const network = new VirtualNetwork();
    const server = network.addHost('10.0.0.100');
    const workers = [new Recorder(), new Recorder()];
    workers.forEach((w) => server.listenUDP(53, w, { reusePort: true }));
    for (let i = 1; i <= 40; i++) {
      network.addHost(`10.0.0.${i}`).listenUDP(0, new Recorder()).write(Buffer.from('q'), ['10.0.0.100', 53]);
    }
    network.runUntilIdle();
    expect(workers[0].received.length + workers[1].received.length).toBe(40);
    expect(workers[0].received.length).toBeGreaterThan(0);
    expect(workers[1].received.length).toBeGreaterThan(0);
  });
});
