// The public contract of /work/shared/API.md, checked on the BUILT package the way users load it:
// `twisted-ts` and `twisted-ts/testing` through the package's self-reference with require (the
// CommonJS build) and the ESM build's files with import. Every name and shape the contract
// promises is checked against both builds; transports on real sockets, on 127.0.0.1 only
// (multicast: joined on 127.0.0.1, sent from 127.0.0.1 with TTL 1, and only inside the netns).
// Run after `npm run build`:  .ci/netns.sh npx vitest run test/api-contract.test.ts
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import type * as Api from '../src/index.ts';
import type * as TestingApi from '../src/testing/index.ts';

type Pkg = typeof Api;
type TestingPkg = typeof TestingApi;

const root = resolve(import.meta.dirname, '..');
const requireFromHere = createRequire(import.meta.url);
const cjs = requireFromHere('twisted-ts') as Pkg;
const cjsTesting = requireFromHere('twisted-ts/testing') as TestingPkg;
const esm = (await import(pathToFileURL(resolve(root, 'dist/esm/index.js')).href)) as Pkg;
const esmTesting = (await import(
  pathToFileURL(resolve(root, 'dist/esm/testing/index.js')).href
)) as TestingPkg;

const inNetns = process.env.TWISTED_TS_IN_NETNS === '1';
const builds = [
  { name: 'esm', pkg: esm, testing: esmTesting },
  { name: 'cjs', pkg: cjs, testing: cjsTesting },
] as const;

/** Waits (polling) until `check` holds; the contract is about behaviour, never about timing. */
async function waitFor(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Ports opened by a test, stopped after it whatever happens. */
const opened: { stopListening(): unknown }[] = [];
afterEach(async () => {
  for (const p of opened.splice(0)) await (p.stopListening() as PromiseLike<void>);
});

function track<P extends { stopListening(): unknown }>(port: P): P {
  opened.push(port);
  return port;
}

test('the package resolves to the built files, with type declarations for both entry points', () => {
  expect(requireFromHere.resolve('twisted-ts')).toBe(resolve(root, 'dist/cjs/index.js'));
  expect(requireFromHere.resolve('twisted-ts/testing')).toBe(resolve(root, 'dist/cjs/testing/index.js'));
  for (const f of [
    'dist/esm/index.d.ts',
    'dist/cjs/index.d.ts',
    'dist/esm/testing/index.d.ts',
    'dist/cjs/testing/index.d.ts',
  ]) {
    expect(existsSync(resolve(root, f)), f).toBe(true);
  }
  // The builds are distinct copies, as users get them.
  expect(esm.Deferred).not.toBe(cjs.Deferred);
  expect(esm.reactor).not.toBe(cjs.reactor);
});

test('plain Node loads both entry points from ESM (self-reference) and CommonJS', () => {
  const code = `
    const a = await import('twisted-ts');
    const b = await import('twisted-ts/testing');
    const { createRequire } = await import('node:module');
    const req = createRequire(process.cwd() + '/x.js');
    const c = req('twisted-ts');
    const d = req('twisted-ts/testing');
    console.log([typeof a.reactor.listenUDP, typeof b.VirtualNetwork, typeof c.reactor.listenUDP,
      typeof d.MemoryReactor, a.Deferred === c.Deferred].join(' '));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], {
    cwd: root,
    encoding: 'utf8',
  });
  expect(out.trim()).toBe('function function function function false');
});

describe.each(builds)('$name build', ({ pkg, testing }) => {
  const {
    AbstractDatagramProtocol,
    ConnectedDatagramProtocol,
    DatagramProtocol,
    Deferred,
    Failure,
    Reactor,
    reactor,
  } = pkg;

  /** A protocol that records what happens to it. */
  class Recorder extends DatagramProtocol {
    received: [Buffer, readonly [string, number]][] = [];
    starts = 0;
    stops = 0;
    override startProtocol(): void {
      this.starts++;
    }
    override stopProtocol(): void {
      this.stops++;
    }
    override datagramReceived(datagram: Buffer, addr: readonly [string, number]): void {
      this.received.push([datagram, addr]);
    }
  }

  /** Collects log events while `fn` runs (and until the returned stop is called). */
  function captureLog(): { events: Api.log.LogEvent[]; stop: () => void } {
    const events: Api.log.LogEvent[] = [];
    const observer = (e: Api.log.LogEvent) => void events.push(e);
    pkg.log.addObserver(observer);
    return { events, stop: () => pkg.log.removeObserver(observer) };
  }

  const text = (events: Api.log.LogEvent[]) => events.map((e) => pkg.log.textFromEventDict(e) ?? '');

  describe('exports', () => {
    test('every class, function and instance API.md names', () => {
      const classes = [
        'Reactor',
        'AbstractDatagramProtocol',
        'DatagramProtocol',
        'ConnectedDatagramProtocol',
        'UdpPort',
        'MulticastPort',
        'IPv4Address',
        'IPv6Address',
        'Deferred',
        'DeferredList',
        'DeferredLock',
        'DeferredSemaphore',
        'DeferredQueue',
        'Failure',
        'Clock',
        'LoopingCall',
        'DelayedCall',
      ] as const;
      const functions = [
        'succeed',
        'fail',
        'maybeDeferred',
        'gatherResults',
        'race',
        'ensureDeferred',
        'deferLater',
        'react',
      ] as const;
      for (const name of [...classes, ...functions]) expect(typeof pkg[name], name).toBe('function');
      for (const name of classes) expect(pkg[name].name, name).toBe(name);
      expect(reactor).toBeInstanceOf(Reactor);
      expect(new Reactor()).not.toBe(reactor);
      expect(typeof pkg.Deferred.fromPromise).toBe('function');
      for (const name of [
        'msg',
        'err',
        'startLogging',
        'addObserver',
        'removeObserver',
        'textFromEventDict',
      ] as const) {
        expect(typeof pkg.log[name], `log.${name}`).toBe('function');
      }
      for (const name of [
        'MemoryReactor',
        'MemoryReactorClock',
        'FakeDatagramTransport',
        'VirtualNetwork',
      ] as const) {
        expect(typeof testing[name], name).toBe('function');
        expect(testing[name].name).toBe(name);
      }
      // The testing helpers are not part of the main entry point.
      expect((pkg as Record<string, unknown>).MemoryReactor).toBeUndefined();
      expect((pkg as Record<string, unknown>).VirtualNetwork).toBeUndefined();
    });

    test('every error class, with a stable string code and its own name', () => {
      const errors = {
        CannotListenError: new pkg.CannotListenError(
          '127.0.0.1',
          9,
          Object.assign(new Error('x'), { code: 'EADDRINUSE' }),
        ),
        MessageLengthError: new pkg.MessageLengthError('m'),
        InvalidAddressError: new pkg.InvalidAddressError('example.com', 'm'),
        ConnectionRefusedError: new pkg.ConnectionRefusedError('m'),
        MulticastJoinError: new pkg.MulticastJoinError('239.1.1.1', '', 'm'),
        AlreadyCalled: new pkg.AlreadyCalled('m'),
        AlreadyCancelled: new pkg.AlreadyCancelled('m'),
        ReactorNotRunning: new pkg.ReactorNotRunning('m'),
        ReactorAlreadyRunning: new pkg.ReactorAlreadyRunning('m'),
        ReactorNotRestartable: new pkg.ReactorNotRestartable('m'),
        AlreadyCalledError: new pkg.AlreadyCalledError('m'),
        CancelledError: new pkg.CancelledError('m'),
        TimeoutError: new pkg.TimeoutError('m'),
      };
      const codes = new Set<string>();
      for (const [name, e] of Object.entries(errors)) {
        const cls = (pkg as unknown as Record<string, new (...a: never[]) => Error>)[name];
        expect(e, name).toBeInstanceOf(cls);
        expect(e, name).toBeInstanceOf(Error);
        expect(e, name).toBeInstanceOf(pkg.TwistedError);
        expect(e.name).toBe(name);
        expect(typeof (e as Error & { code: unknown }).code, name).toBe('string');
        expect((e as Error & { code: string }).code).toMatch(/^ERR_[A-Z_]+$/);
        codes.add((e as Error & { code: string }).code);
      }
      expect(codes.size).toBe(Object.keys(errors).length);
    });

    test('an error of one build is instanceof the class of the other build', () => {
      const other = pkg === esm ? cjs : esm;
      const e = new other.CannotListenError('127.0.0.1', 1, new Error('x'));
      expect(e).toBeInstanceOf(pkg.CannotListenError);
      expect(e).toBeInstanceOf(pkg.TwistedError);
      expect(e).not.toBeInstanceOf(pkg.MessageLengthError);
    });
  });

  describe('Reactor', () => {
    test('methods and running', () => {
      for (const m of [
        'run',
        'stop',
        'crash',
        'callLater',
        'callWhenRunning',
        'callFromThread',
        'addSystemEventTrigger',
        'removeSystemEventTrigger',
        'fireSystemEvent',
        'seconds',
        'getDelayedCalls',
        'resolve',
        'listenUDP',
        'listenMulticast',
      ] as const) {
        expect(typeof reactor[m], m).toBe('function');
      }
      expect(reactor.running).toBe(false);
      expect(new Reactor().running).toBe(false);
    });

    test('callLater (seconds), getDelayedCalls, seconds, callFromThread', async () => {
      const r = new Reactor();
      const now = r.seconds();
      expect(Math.abs(now - Date.now() / 1000)).toBeLessThan(5); // epoch seconds, not ms
      const calls: unknown[] = [];
      const dc = r.callLater(0, (a: number, b: string) => calls.push(a, b), 1, 'x');
      expect(dc).toBeInstanceOf(pkg.DelayedCall);
      expect(r.getDelayedCalls()).toContain(dc);
      expect(dc.getTime()).toBeGreaterThanOrEqual(now);
      const far = r.callLater(3600, () => calls.push('far'));
      expect(far.getTime() - r.seconds()).toBeGreaterThan(3500); // seconds, not milliseconds
      far.cancel();
      r.callFromThread((v: string) => calls.push(v), 'thread');
      expect(calls).toEqual([]); // never inside the call
      await waitFor(() => calls.length === 3, 'delayed calls');
      expect(calls).toContain('thread');
      expect(calls).toEqual(expect.arrayContaining([1, 'x']));
      expect(r.getDelayedCalls()).toEqual([]);
    });

    test('an exception thrown by a delayed call is logged and the reactor goes on', async () => {
      const r = new Reactor();
      const log = captureLog();
      let after = false;
      try {
        r.callLater(0, () => {
          throw new Error('boom in delayed call');
        });
        r.callLater(0, () => (after = true));
        await waitFor(() => after, 'the second call');
        const errs = log.events.filter((e) => e.isError);
        expect(errs.some((e) => e.failure?.value.message === 'boom in delayed call')).toBe(true);
      } finally {
        log.stop();
      }
    });

    test('system event triggers: TriggerId, fire, remove', () => {
      const r = new Reactor();
      const order: string[] = [];
      const id = r.addSystemEventTrigger('during', 'custom', (x: string) => order.push(`during ${x}`), 'a');
      expect(id).toMatchObject({ phase: 'during', eventType: 'custom' });
      expect(typeof id.id).toBe('number');
      r.addSystemEventTrigger('before', 'custom', () => order.push('before'));
      r.addSystemEventTrigger('after', 'custom', () => order.push('after'));
      const removed = r.addSystemEventTrigger('during', 'custom', () => order.push('removed'));
      r.removeSystemEventTrigger(removed);
      r.fireSystemEvent('custom');
      expect(order).toEqual(['before', 'during a', 'after']);
    });

    test('run / stop / crash lifecycle and its errors', async () => {
      const r = new Reactor();
      expect(() => r.stop()).toThrow(pkg.ReactorNotRunning);
      const seen: string[] = [];
      r.addSystemEventTrigger('before', 'startup', () => seen.push('startup'));
      // A `before` trigger's Deferred holds the event until it fires.
      const gate = new Deferred<void>();
      r.addSystemEventTrigger('before', 'shutdown', () => {
        seen.push('shutdown');
        r.callLater(0, () => {
          seen.push('gate');
          gate.callback(undefined);
        });
        return gate;
      });
      r.addSystemEventTrigger('during', 'shutdown', () => seen.push('during'));
      r.callWhenRunning(() => seen.push('running'));
      const done = r.run({ installSignalHandlers: false });
      expect(done).toBeInstanceOf(Promise);
      expect(() => r.run({ installSignalHandlers: false })).toThrow(pkg.ReactorAlreadyRunning);
      await waitFor(() => r.running, 'running');
      expect(seen).toEqual(['startup', 'running']);
      const proto = new Recorder();
      r.listenUDP(0, proto, '127.0.0.1');
      // Scheduled while shutting down, due at once: it must never run once shutdown is done.
      r.addSystemEventTrigger('after', 'shutdown', () => r.callLater(0, () => seen.push('never')));
      r.stop();
      expect(seen).not.toContain('shutdown'); // shutdown starts after stop() returns
      await done;
      expect(seen).toEqual(['startup', 'running', 'shutdown', 'gate', 'during']);
      expect(r.running).toBe(false);
      expect(proto.stops).toBe(1); // every listening port was stopped
      expect(proto.transport).toBeUndefined();
      await new Promise((res) => setTimeout(res, 20));
      expect(seen).not.toContain('never');
      expect(() => r.run({ installSignalHandlers: false })).toThrow(pkg.ReactorNotRestartable);

      const c = new Reactor();
      const first = c.run({ installSignalHandlers: false });
      await waitFor(() => c.running, 'running');
      c.crash();
      await first;
      expect(c.running).toBe(false);
      const second = c.run({ installSignalHandlers: false }); // after crash it may run again
      await waitFor(() => c.running, 'running again');
      c.stop();
      await second;
    });

    test('resolve: name → IP address, as a Deferred', async () => {
      const d = reactor.resolve('127.0.0.1');
      expect(d).toBeInstanceOf(Deferred);
      expect(await d).toBe('127.0.0.1');
      expect(['127.0.0.1', '::1']).toContain(await reactor.resolve('localhost', 5));
    });
  });

  describe('listenUDP', () => {
    test('a string third argument is the interface; bound (getHost) when the call returns', () => {
      const proto = new Recorder();
      const port = track(reactor.listenUDP(0, proto, '127.0.0.1'));
      expect(port).toBeInstanceOf(pkg.UdpPort);
      const host = port.getHost();
      expect(host).toBeInstanceOf(pkg.IPv4Address);
      expect(host.type).toBe('UDP');
      expect(host.host).toBe('127.0.0.1');
      expect(host.port).toBeGreaterThan(0);
      expect(proto.starts).toBe(1); // startProtocol ran inside listenUDP
      expect(proto.transport).toBe(port);
      expect(proto.numPorts).toBe(1);
    });

    test('an options object, with maxPacketSize cutting longer datagrams', async () => {
      const proto = new Recorder();
      const port = track(reactor.listenUDP(0, proto, { interface: '127.0.0.1', maxPacketSize: 16 }));
      const sender = track(reactor.listenUDP(0, new Recorder(), { interface: '127.0.0.1' }));
      sender.write(Buffer.alloc(100, 7), ['127.0.0.1', port.getHost().port]);
      await waitFor(() => proto.received.length === 1, 'datagram');
      expect(proto.received[0][0]).toEqual(Buffer.alloc(16, 7));
      expect(proto.received[0][1]).toEqual(['127.0.0.1', sender.getHost().port]);
    });

    test('a positional maxPacketSize, as in Twisted', async () => {
      const proto = new Recorder();
      const port = track(reactor.listenUDP(0, proto, '127.0.0.1', 10));
      const sender = track(reactor.listenUDP(0, new Recorder(), '127.0.0.1'));
      sender.write(Buffer.from('0123456789abcdef'), ['127.0.0.1', port.getHost().port]);
      await waitFor(() => proto.received.length === 1, 'datagram');
      expect(proto.received[0][0].toString()).toBe('0123456789');
    });

    test('the default maxPacketSize is 8192', async () => {
      const proto = new Recorder();
      const port = track(reactor.listenUDP(0, proto, '127.0.0.1'));
      const sender = track(reactor.listenUDP(0, new Recorder(), '127.0.0.1'));
      sender.write(Buffer.alloc(9000, 1), ['127.0.0.1', port.getHost().port]);
      await waitFor(() => proto.received.length === 1, 'datagram');
      expect(proto.received[0][0].length).toBe(8192);
      expect(pkg.DEFAULT_MAX_PACKET_SIZE).toBe(8192);
    });

    test("interface '' (the default) is all IPv4 interfaces; '::' makes an IPv6 port", () => {
      const all = track(reactor.listenUDP(0, new Recorder()));
      expect(all.getHost()).toBeInstanceOf(pkg.IPv4Address);
      expect(all.getHost().host).toBe('0.0.0.0');
      const empty = track(reactor.listenUDP(0, new Recorder(), ''));
      expect(empty.getHost().host).toBe('0.0.0.0');
      const six = track(reactor.listenUDP(0, new Recorder(), { interface: '::' }));
      expect(six.getHost()).toBeInstanceOf(pkg.IPv6Address);
      expect(six.getHost().host).toBe('::');
    });

    test('an IPv6 literal makes an IPv6 port', () => {
      const port = track(reactor.listenUDP(0, new Recorder(), '::1'));
      const host = port.getHost();
      expect(host).toBeInstanceOf(pkg.IPv6Address);
      expect(host.host).toBe('::1');
      expect(host.type).toBe('UDP');
    });

    test('a bind failure throws CannotListenError synchronously; reusePort shares the port', () => {
      const first = track(reactor.listenUDP(0, new Recorder(), '127.0.0.1'));
      const n = first.getHost().port;
      let thrown: unknown;
      try {
        reactor.listenUDP(n, new Recorder(), '127.0.0.1');
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(pkg.CannotListenError);
      const e = thrown as Api.CannotListenError;
      expect(e.code).toBe('ERR_CANNOT_LISTEN');
      expect(e.interface).toBe('127.0.0.1');
      expect(e.port).toBe(n);
      expect(e.socketError.code).toBe('EADDRINUSE');
      expect(e.message).toContain('127.0.0.1');
      expect(e.message).toContain(String(n));
      expect(e.message).toContain('EADDRINUSE');
      // The OS error's fields are kept.
      expect(typeof e.errno).toBe('number');
      expect(e.syscall).toBe('bind');
      expect(e.address).toBe('127.0.0.1');
      expect(e.socketError).toBeInstanceOf(Error);
      const a = track(reactor.listenUDP(0, new Recorder(), { interface: '127.0.0.1', reusePort: true }));
      const b = track(
        reactor.listenUDP(a.getHost().port, new Recorder(), { interface: '127.0.0.1', reusePort: true }),
      );
      expect(b.getHost().port).toBe(a.getHost().port);
    });

    test('{ signal }: aborting stops the port', async () => {
      const proto = new Recorder();
      const ac = new AbortController();
      reactor.listenUDP(0, proto, { interface: '127.0.0.1', signal: ac.signal });
      ac.abort();
      await waitFor(() => proto.stops === 1, 'stopProtocol');
      expect(proto.transport).toBeUndefined();
    });

    test('bad arguments throw TypeError / RangeError naming the argument; nothing is coerced', () => {
      const p = new Recorder();
      expect(() => reactor.listenUDP('80' as unknown as number, p)).toThrow(TypeError);
      expect(() => reactor.listenUDP('80' as unknown as number, p)).toThrow(/port/);
      for (const bad of [-1, 65536, NaN, 1.5]) {
        expect(() => reactor.listenUDP(bad, p, '127.0.0.1'), String(bad)).toThrow(RangeError);
        expect(() => reactor.listenUDP(bad, p, '127.0.0.1'), String(bad)).toThrow(/port/);
        expect(() => reactor.listenMulticast(bad, p, '127.0.0.1'), String(bad)).toThrow(RangeError);
      }
      expect(p.transport).toBeUndefined(); // nothing was started
      expect(() => reactor.listenUDP(0, {} as Api.DatagramProtocol)).toThrow(TypeError);
      expect(() => reactor.listenUDP(0, p, 'localhost')).toThrow(pkg.InvalidAddressError);
      expect(() => reactor.callLater(1, 'x' as unknown as () => void)).toThrow(TypeError);
      expect(() => reactor.callLater(1, 'x' as unknown as () => void)).toThrow(/fn|callable|function/);
      expect(() => reactor.callLater(-1, () => {})).toThrow(RangeError);
      expect(() => reactor.callLater(-1, () => {})).toThrow(/delay/);
      expect(() => reactor.callLater('1' as unknown as number, () => {})).toThrow(TypeError);
      expect(() => new Deferred().addCallback('x' as unknown as () => void)).toThrow(TypeError);
      expect(() => reactor.callWhenRunning(null as unknown as () => void)).toThrow(TypeError);
    });
  });

  describe('listenMulticast', () => {
    test('string interface, options object, and Twisted positional maxPacketSize / listenMultiple', async () => {
      const a = track(reactor.listenMulticast(0, new Recorder(), '127.0.0.1'));
      expect(a).toBeInstanceOf(pkg.MulticastPort);
      expect(a).toBeInstanceOf(pkg.UdpPort);
      expect(a.getHost().host).toBe('127.0.0.1');
      const n = a.getHost().port;
      // Not shared: a second bind fails.
      expect(() => reactor.listenMulticast(n, new Recorder(), '127.0.0.1')).toThrow(pkg.CannotListenError);

      // Positional, as Twisted's signature: (port, protocol, interface, maxPacketSize, listenMultiple).
      const p1 = track(reactor.listenMulticast(0, new Recorder(), '127.0.0.1', 8192, true));
      const shared = p1.getHost().port;
      const p2 = track(
        reactor.listenMulticast(shared, new Recorder(), { interface: '127.0.0.1', listenMultiple: true }),
      );
      expect(p2.getHost().port).toBe(shared);
      const p3 = track(reactor.listenMulticast(shared, new Recorder(), '127.0.0.1', 8192, true));
      expect(p3.getHost().port).toBe(shared);
      // A socket that does not ask for sharing still cannot bind onto the shared port.
      expect(() => reactor.listenMulticast(shared, new Recorder(), '127.0.0.1', 8192, false)).toThrow(
        pkg.CannotListenError,
      );
      const small = new Recorder();
      const p5 = track(reactor.listenMulticast(0, small, '127.0.0.1', 8));
      const sender = track(reactor.listenUDP(0, new Recorder(), '127.0.0.1'));
      sender.write(Buffer.from('0123456789'), ['127.0.0.1', p5.getHost().port]);
      await waitFor(() => small.received.length === 1, 'datagram on the positional port');
      expect(small.received[0][0].toString()).toBe('01234567');

      const opts = new Recorder();
      const p4 = track(reactor.listenMulticast(0, opts, { interface: '127.0.0.1', maxPacketSize: 4 }));
      sender.write(Buffer.from('abcdefgh'), ['127.0.0.1', p4.getHost().port]);
      await waitFor(() => opts.received.length === 1, 'datagram on the options port');
      expect(opts.received[0][0].toString()).toBe('abcd');
    });

    test('{ signal }: aborting stops a multicast port', async () => {
      const proto = new Recorder();
      const ac = new AbortController();
      reactor.listenMulticast(0, proto, { interface: '127.0.0.1', signal: ac.signal });
      expect(proto.starts).toBe(1);
      ac.abort();
      await waitFor(() => proto.stops === 1, 'stopProtocol');
    });

    test.runIf(inNetns)('a multicast round trip on loopback (netns only)', async () => {
      const group = '239.255.74.17';
      const rx = new Recorder();
      const rxPort = track(reactor.listenMulticast(0, rx, { listenMultiple: true }));
      await rxPort.joinGroup(group, '127.0.0.1');
      const tx = track(reactor.listenMulticast(0, new Recorder(), '127.0.0.1'));
      await tx.setOutgoingInterface('127.0.0.1');
      tx.setTTL(1);
      tx.setLoopbackMode(true);
      tx.write(Buffer.from('hello group'), [group, rxPort.getHost().port]);
      await waitFor(() => rx.received.length === 1, 'multicast datagram');
      expect(rx.received[0][0].toString()).toBe('hello group');
      await rxPort.leaveGroup(group, '127.0.0.1');
    });
  });

  describe('DelayedCall', () => {
    test('members and errors', () => {
      const clock = new pkg.Clock();
      let ran = 0;
      const dc = clock.callLater(5, () => ran++);
      expect(dc.getTime()).toBe(5);
      expect(dc.active()).toBe(true);
      expect(dc.called).toBe(false);
      expect(dc.cancelled).toBe(false);
      dc.delay(2);
      expect(dc.getTime()).toBe(7);
      clock.advance(1);
      dc.reset(1);
      expect(dc.getTime()).toBe(2);
      clock.advance(1);
      expect(ran).toBe(1);
      expect(dc.called).toBe(true);
      expect(dc.active()).toBe(false);
      expect(() => dc.cancel()).toThrow(pkg.AlreadyCalled);
      const other = clock.callLater(1, () => ran++);
      other.cancel();
      expect(other.cancelled).toBe(true);
      expect(() => other.cancel()).toThrow(pkg.AlreadyCancelled);
      clock.advance(5);
      expect(ran).toBe(1);
      // [Symbol.dispose] cancels a pending call.
      const disposed = clock.callLater(1, () => ran++);
      disposed[Symbol.dispose]();
      expect(disposed.cancelled).toBe(true);
      clock.advance(2);
      expect(ran).toBe(1);
    });
  });

  describe('protocols', () => {
    test('AbstractDatagramProtocol / DatagramProtocol / ConnectedDatagramProtocol members', () => {
      for (const Cls of [AbstractDatagramProtocol, DatagramProtocol, ConnectedDatagramProtocol]) {
        const p = new Cls();
        expect(p.transport).toBeUndefined();
        expect(p.numPorts).toBe(0);
        expect(typeof p.noisy).toBe('boolean');
        for (const m of [
          'startProtocol',
          'stopProtocol',
          'datagramReceived',
          'doStart',
          'doStop',
          'makeConnection',
          'logPrefix',
        ] as const) {
          expect(typeof p[m], `${Cls.name}.${m}`).toBe('function');
        }
        expect(typeof p.logPrefix()).toBe('string');
      }
      expect(new DatagramProtocol()).toBeInstanceOf(AbstractDatagramProtocol);
      expect(typeof new ConnectedDatagramProtocol().connectionRefused).toBe('function');
    });

    test('one port at a time; after its port stops it may listen again', async () => {
      const proto = new Recorder();
      const port = reactor.listenUDP(0, proto, '127.0.0.1');
      expect(() => reactor.listenUDP(0, proto, '127.0.0.1')).toThrow();
      const d = port.stopListening();
      expect(d).toBeInstanceOf(Deferred);
      await d;
      expect(proto.stops).toBe(1); // stopListening fires once stopProtocol ran
      expect(proto.transport).toBeUndefined();
      expect(proto.numPorts).toBe(0);
      await port.stopListening(); // again: harmless
      const again = track(reactor.listenUDP(0, proto, '127.0.0.1'));
      expect(proto.starts).toBe(2);
      expect(proto.transport).toBe(again);
    });

    test('an exception thrown by datagramReceived is logged and the port goes on receiving', async () => {
      class Throws extends Recorder {
        override datagramReceived(datagram: Buffer, addr: readonly [string, number]): void {
          super.datagramReceived(datagram, addr);
          if (datagram.toString() === 'bad') throw new Error('bad datagram');
        }
      }
      const proto = new Throws();
      const log = captureLog();
      try {
        const port = track(reactor.listenUDP(0, proto, '127.0.0.1'));
        const to = ['127.0.0.1', port.getHost().port] as const;
        const sender = track(reactor.listenUDP(0, new Recorder(), '127.0.0.1'));
        sender.write(Buffer.from('bad'), to);
        await waitFor(() => proto.received.length === 1, 'first datagram');
        sender.write(Buffer.from('good'), to);
        await waitFor(() => proto.received.length === 2, 'second datagram');
        expect(log.events.some((e) => e.isError && e.failure?.value.message === 'bad datagram')).toBe(true);
      } finally {
        log.stop();
      }
    });

    test('connectionRefused when a connected port’s peer answers port-unreachable', async () => {
      let refused = 0;
      class Client extends ConnectedDatagramProtocol {
        override connectionRefused(): void {
          refused++;
        }
      }
      const closed = reactor.listenUDP(0, new Recorder(), '127.0.0.1');
      const deadPort = closed.getHost().port;
      await closed.stopListening();
      const client = track(reactor.listenUDP(0, new Client(), '127.0.0.1'));
      client.connect('127.0.0.1', deadPort);
      await waitFor(() => {
        if (refused === 0) client.write(Buffer.from('anyone?'));
        return refused > 0;
      }, 'connectionRefused');
    });
  });

  describe('UdpPort', () => {
    test('members', () => {
      const port = track(reactor.listenUDP(0, new Recorder(), '127.0.0.1'));
      for (const m of [
        'write',
        'writeSequence',
        'connect',
        'getHost',
        'stopListening',
        'loseConnection',
        'setBroadcastAllowed',
        'getBroadcastAllowed',
        'logPrefix',
        'datagrams',
        'stats',
      ] as const) {
        expect(typeof port[m], m).toBe('function');
      }
      expect(typeof port[Symbol.asyncDispose]).toBe('function');
      expect(typeof port.logPrefix()).toBe('string');
      expect(port.getBroadcastAllowed()).toBe(false);
      port.setBroadcastAllowed(true);
      expect(port.getBroadcastAllowed()).toBe(true);
      port.setBroadcastAllowed(false);
      expect(port.getBroadcastAllowed()).toBe(false);
      const stats = port.stats();
      expect(Object.keys(stats).sort()).toEqual(
        ['bytesIn', 'bytesOut', 'datagramsIn', 'datagramsOut', 'drops', 'errors', 'sendQueueSize'].sort(),
      );
      for (const v of Object.values(stats)) expect(v).toBe(0);
    });

    test('write, writeSequence (one datagram), stats, Uint8Array input', async () => {
      const rx = new Recorder();
      const port = track(reactor.listenUDP(0, rx, '127.0.0.1'));
      const sender = track(reactor.listenUDP(0, new Recorder(), '127.0.0.1'));
      const to = ['127.0.0.1', port.getHost().port] as const;
      sender.write(Buffer.from('one'), to);
      sender.writeSequence([Buffer.from('tw'), new Uint8Array([0x6f])], to);
      await waitFor(() => rx.received.length === 2, 'two datagrams');
      expect(rx.received.map(([d]) => d.toString()).sort()).toEqual(['one', 'two']);
      expect(Buffer.isBuffer(rx.received[0][0])).toBe(true);
      await waitFor(() => sender.stats().datagramsOut === 2, 'send counters');
      expect(sender.stats()).toMatchObject({ datagramsOut: 2, bytesOut: 6 });
      expect(port.stats()).toMatchObject({ datagramsIn: 2, bytesIn: 6, errors: 0, drops: 0 });
    });

    test('write errors: host name → InvalidAddressError; too long → MessageLengthError, synchronously', () => {
      const port = track(reactor.listenUDP(0, new Recorder(), '127.0.0.1'));
      expect(() => port.write(Buffer.from('x'), ['localhost', 9])).toThrow(pkg.InvalidAddressError);
      expect(() => port.write(Buffer.alloc(65508), ['127.0.0.1', 9])).toThrow(pkg.MessageLengthError);
      expect(pkg.MAX_IPV4_DATAGRAM).toBe(65507);
      const six = track(reactor.listenUDP(0, new Recorder(), '::1'));
      expect(() => six.write(Buffer.alloc(65528), ['::1', 9])).toThrow(pkg.MessageLengthError);
      expect(pkg.MAX_IPV6_DATAGRAM).toBe(65527);
    });

    test('connect: write without addr; the same addr is fine, another one and a second connect are errors', async () => {
      const rx = new Recorder();
      const server = track(reactor.listenUDP(0, rx, '127.0.0.1'));
      const n = server.getHost().port;
      const client = track(reactor.listenUDP(0, new Recorder(), '127.0.0.1'));
      client.connect('127.0.0.1', n);
      client.write(Buffer.from('a'));
      client.write(Buffer.from('b'), ['127.0.0.1', n]);
      expect(() => client.write(Buffer.from('c'), ['127.0.0.1', n === 65535 ? n - 1 : n + 1])).toThrow();
      expect(() => client.connect('127.0.0.1', n)).toThrow();
      await waitFor(() => rx.received.length === 2, 'connected writes');
      expect(rx.received.map(([d]) => d.toString()).sort()).toEqual(['a', 'b']);
    });

    test('starting and stopping are logged as in Twisted; loseConnection stops the port', async () => {
      const log = captureLog();
      const proto = new Recorder();
      try {
        const port = reactor.listenUDP(0, proto, '127.0.0.1');
        const n = port.getHost().port;
        // Twisted: `"%s starting on %s" % (protocol's logPrefix, port number)`.
        expect(text(log.events)).toContain(`${proto.logPrefix()} starting on ${n}`);
        port.loseConnection();
        await waitFor(() => proto.stops === 1, 'stopProtocol');
        await waitFor(() => text(log.events).includes(`(UDP Port ${n} Closed)`), 'the Closed line');
      } finally {
        log.stop();
      }
    });

    test('Symbol.asyncDispose stops the port', async () => {
      const proto = new Recorder();
      {
        await using port = reactor.listenUDP(0, proto, '127.0.0.1');
        expect(port.getHost().port).toBeGreaterThan(0);
      }
      expect(proto.stops).toBe(1);
      expect(proto.transport).toBeUndefined();
    });

    test('datagrams(): an async iterator of [datagram, addr], bounded, counting drops', async () => {
      const rx = new Recorder();
      const port = track(reactor.listenUDP(0, rx, '127.0.0.1'));
      const sender = track(reactor.listenUDP(0, new Recorder(), '127.0.0.1'));
      const it = port.datagrams({ highWaterMark: 2 });
      expect(typeof it[Symbol.asyncIterator]).toBe('function');
      for (const s of ['1', '2', '3', '4']) sender.write(Buffer.from(s), ['127.0.0.1', port.getHost().port]);
      await waitFor(() => rx.received.length === 4, 'four datagrams'); // the protocol sees all
      expect(port.stats().drops).toBe(2); // the two oldest were dropped from the iterator's buffer
      const first = await it.next();
      expect(first.done).toBe(false);
      const [data, addr] = first.value!;
      expect(data.toString()).toBe('3');
      expect(addr).toEqual(['127.0.0.1', sender.getHost().port]);
      expect((await it.next()).value![0].toString()).toBe('4');
      const ac = new AbortController();
      const aborted = port.datagrams({ signal: ac.signal });
      ac.abort();
      await expect(aborted.next()).rejects.toMatchObject({ name: 'AbortError' });
      const ending = it.next();
      await port.stopListening();
      expect((await ending).done).toBe(true); // the iteration ends when the port stops
    });
  });

  describe('MulticastPort', () => {
    test('members, defaults, setters, getters and argument checks', async () => {
      const port = track(reactor.listenMulticast(0, new Recorder(), '127.0.0.1'));
      for (const m of [
        'joinGroup',
        'leaveGroup',
        'joinSourceGroup',
        'leaveSourceGroup',
        'setLoopbackMode',
        'getLoopbackMode',
        'setTTL',
        'getTTL',
        'setOutgoingInterface',
        'getOutgoingInterface',
        'write',
        'writeSequence',
        'connect',
        'getHost',
        'stopListening',
        'loseConnection',
        'setBroadcastAllowed',
        'getBroadcastAllowed',
        'logPrefix',
        'datagrams',
        'stats',
      ] as const) {
        expect(typeof port[m], m).toBe('function');
      }
      expect(typeof port[Symbol.asyncDispose]).toBe('function');
      expect(Object.keys(port.stats()).sort()).toEqual(
        ['bytesIn', 'bytesOut', 'datagramsIn', 'datagramsOut', 'drops', 'errors', 'sendQueueSize'].sort(),
      );
      expect(port.getOutgoingInterface()).toBe('0.0.0.0');
      expect(port.getTTL()).toBe(1);
      expect(port.getLoopbackMode()).toBe(true);
      port.setTTL(0);
      expect(port.getTTL()).toBe(0);
      expect(() => port.setTTL(256)).toThrow(RangeError);
      expect(() => port.setTTL(256)).toThrow(/ttl/i);
      expect(() => port.setTTL('1' as unknown as number)).toThrow(TypeError);
      port.setLoopbackMode(false);
      expect(port.getLoopbackMode()).toBe(false);
      port.setLoopbackMode(1);
      expect(port.getLoopbackMode()).toBe(true);
      const d = port.setOutgoingInterface('127.0.0.1');
      expect(d).toBeInstanceOf(Deferred);
      await d;
      expect(port.getOutgoingInterface()).toBe('127.0.0.1');
      // Host names are resolved through the reactor (hence the Deferreds), as Twisted does.
      const other = track(reactor.listenMulticast(0, new Recorder(), '127.0.0.1'));
      await other.setOutgoingInterface('localhost');
      expect(other.getOutgoingInterface()).toBe('127.0.0.1');
    });

    test('joinGroup / leaveGroup / joinSourceGroup / leaveSourceGroup return Deferreds; MulticastJoinError', async () => {
      const port = track(
        reactor.listenMulticast(0, new Recorder(), { listenMultiple: true, interface: '127.0.0.1' }),
      );
      const join = port.joinGroup('239.255.74.18', '127.0.0.1');
      expect(join).toBeInstanceOf(Deferred);
      await join;
      await port.leaveGroup('239.255.74.18', '127.0.0.1');
      await port.joinSourceGroup('127.0.0.1', '232.74.1.2', '127.0.0.1');
      await port.leaveSourceGroup('127.0.0.1', '232.74.1.2', '127.0.0.1');
      let failure: unknown;
      await port.joinGroup('127.0.0.1', '127.0.0.1').then(
        () => undefined,
        (e: unknown) => (failure = e),
      );
      expect(failure).toBeInstanceOf(pkg.MulticastJoinError);
      expect((failure as Api.MulticastJoinError).code).toBe('ERR_MULTICAST_JOIN');
      expect((failure as Api.MulticastJoinError).group).toBe('127.0.0.1');
      // Errbacks receive a Failure wrapping it.
      const f = await new Promise<Api.Failure>((res) => {
        port.joinGroup('10.0.0.1', '127.0.0.1').addErrback((x: Api.Failure) => res(x));
      });
      expect(f).toBeInstanceOf(Failure);
      expect(f.check(pkg.MulticastJoinError)).toBe(pkg.MulticastJoinError);
    });

    test('an IPv6 port reports "::" as its default outgoing interface', () => {
      const port = track(reactor.listenMulticast(0, new Recorder(), '::1'));
      expect(port.getHost()).toBeInstanceOf(pkg.IPv6Address);
      expect(port.getOutgoingInterface()).toBe('::');
    });
  });

  describe('addresses', () => {
    test('type / host / port, equals, toString', () => {
      const a = new pkg.IPv4Address('UDP', '127.0.0.1', 9999);
      expect(a).toMatchObject({ type: 'UDP', host: '127.0.0.1', port: 9999 });
      expect(a.equals(new pkg.IPv4Address('UDP', '127.0.0.1', 9999))).toBe(true);
      expect(a.equals(new pkg.IPv4Address('UDP', '127.0.0.1', 9998))).toBe(false);
      expect(a.equals(new pkg.IPv4Address('TCP', '127.0.0.1', 9999))).toBe(false);
      expect(a.equals(new pkg.IPv6Address('UDP', '127.0.0.1', 9999))).toBe(false);
      expect(a.toString()).toContain('IPv4Address');
      expect(a.toString()).toContain('127.0.0.1');
      expect(a.toString()).toContain('9999');
      const b = new pkg.IPv6Address('UDP', '::1', 53);
      expect(b).toMatchObject({ type: 'UDP', host: '::1', port: 53 });
      expect(b.equals(new pkg.IPv6Address('UDP', '::1', 53))).toBe(true);
      expect(b.toString()).toContain('IPv6Address');
      expect(b.toString()).toContain('::1');
      expect(b.toString()).toContain('53');
    });
  });

  describe('Deferred', () => {
    test('members: callback chain, errback, addBoth, addCallbacks, called, paused, extra args', () => {
      const d = new Deferred<number>();
      for (const m of [
        'callback',
        'errback',
        'addCallback',
        'addErrback',
        'addBoth',
        'addCallbacks',
        'addTimeout',
        'cancel',
        'chainDeferred',
        'pause',
        'unpause',
        'then',
        'asPromise',
        'cancelOn',
      ] as const) {
        expect(typeof d[m], m).toBe('function');
      }
      const seen: unknown[] = [];
      expect(d.called).toBe(false);
      expect(d.paused).toBe(0); // Twisted's counter: 0 when not paused
      d.addCallback((v: number, k: number) => v * k, 10)
        .addCallbacks((v: number) => {
          seen.push(v);
          throw new Error('then fail');
        })
        .addErrback((f: Api.Failure, tag: string) => {
          seen.push(tag, f.getErrorMessage());
          return 'recovered';
        }, 'eb')
        .addBoth((r: unknown) => void seen.push(r));
      d.pause();
      expect(d.paused).toBe(1);
      d.callback(4);
      expect(d.called).toBe(true);
      expect(seen).toEqual([]);
      d.unpause();
      expect(seen).toEqual([40, 'eb', 'then fail', 'recovered']); // callbacks run synchronously
      expect(() => d.callback(1)).toThrow(pkg.AlreadyCalledError);
    });

    test('errback(err?) hands callbacks a Failure; await throws the underlying Error', async () => {
      const d = new Deferred<string>();
      const e = new Error('nope');
      d.errback(e);
      let f: Api.Failure | undefined;
      d.addErrback((x: Api.Failure) => {
        f = x;
        throw x.value;
      });
      expect(f).toBeInstanceOf(Failure);
      expect(f!.value).toBe(e);
      await expect(d).rejects.toBe(e);
    });

    test('errback() without an argument fails the Deferred (API.md: `errback(err?)`)', async () => {
      const bare = new Deferred() as unknown as Api.Deferred<unknown> & { errback(reason?: unknown): void };
      bare.errback();
      await expect(bare).rejects.toBeInstanceOf(Error);
    });

    test('then / await do not change the chain result; fromPromise; asPromise', async () => {
      const d = new Deferred<number>();
      d.callback(3);
      expect(await d).toBe(3);
      const after: number[] = [];
      d.addCallback((v: number) => void after.push(v));
      expect(after).toEqual([3]);
      const fp = Deferred.fromPromise(Promise.resolve('p'));
      expect(fp).toBeInstanceOf(Deferred);
      expect(await fp).toBe('p');
      const ok = new Deferred<string>();
      const promise = ok.asPromise();
      expect(promise).toBeInstanceOf(Promise);
      ok.callback('x');
      expect(await promise).toBe('x');
    });

    test('a callback returning a Deferred pauses the chain; deep chains do not overflow', () => {
      const inner = new Deferred<string>();
      const outer = new Deferred<number>();
      const got: unknown[] = [];
      outer.addCallback(() => inner).addCallback((v: string) => void got.push(v));
      outer.callback(1);
      expect(got).toEqual([]);
      inner.callback('inner');
      expect(got).toEqual(['inner']);
      // ds[i] waits on ds[i + 1]: firing the last one unwinds 10,000 levels.
      const n = 10_000;
      const ds = Array.from({ length: n + 1 }, () => new Deferred<number>());
      for (let i = 0; i < n; i++) ds[i].addCallback(() => ds[i + 1]);
      let result: unknown;
      ds[0].addCallback((v: unknown) => (result = v));
      for (let i = n - 1; i >= 0; i--) ds[i].callback(0);
      expect(result).toBeUndefined();
      ds[n].callback(7);
      expect(result).toBe(7);
    });

    test('cancel, canceller, CancelledError, addTimeout (TimeoutError), cancelOn, chainDeferred', () => {
      let cancelled = 0;
      const d = new Deferred<void>(() => cancelled++);
      let failure: Api.Failure | undefined;
      d.addErrback((f: Api.Failure) => void (failure = f));
      d.cancel();
      expect(cancelled).toBe(1);
      expect(failure!.value).toBeInstanceOf(pkg.CancelledError);

      const clock = new pkg.Clock();
      const slow = new Deferred<string>();
      let timedOut: Api.Failure | undefined;
      slow.addTimeout(5, clock).addErrback((f: Api.Failure) => void (timedOut = f));
      clock.advance(5);
      expect(timedOut!.value).toBeInstanceOf(pkg.TimeoutError);

      const custom = new Deferred<string>();
      let result: unknown;
      custom.addTimeout(1, clock, () => 'on timeout').addCallback((v: string) => (result = v));
      clock.advance(1);
      expect(result).toBe('on timeout');

      const ac = new AbortController();
      const c = new Deferred<number>().cancelOn(ac.signal);
      let cf: Api.Failure | undefined;
      c.addErrback((f: Api.Failure) => void (cf = f));
      ac.abort();
      expect(cf!.value).toBeInstanceOf(pkg.CancelledError);

      const a = new Deferred<number>();
      const b = new Deferred<number>();
      let chained: unknown;
      b.addCallback((v: number) => (chained = v));
      a.chainDeferred(b);
      a.callback(9);
      expect(chained).toBe(9);
    });

    test('an unhandled failure is reported in the log, never lost; an awaited one counts as handled', () => {
      // Reporting happens when the Deferred is garbage-collected: a child with --expose-gc.
      const entry = pkg === esm ? 'import' : 'require';
      const code = `
        const { Deferred, log } = ${entry === 'import' ? "await import('twisted-ts')" : "require('twisted-ts')"};
        const lines = [];
        log.addObserver((e) => lines.push(log.textFromEventDict(e)));
        (() => { new Deferred().errback(new Error('lost failure')); })();
        const awaited = new Deferred();
        awaited.errback(new Error('awaited failure'));
        awaited.then(() => {}, () => {});
        setTimeout(() => {
          globalThis.gc();
          setTimeout(() => { globalThis.gc(); setTimeout(() => console.log(JSON.stringify(lines)), 50); }, 50);
        }, 10);`;
      const res = spawnSync(
        process.execPath,
        ['--expose-gc', `--input-type=${entry === 'import' ? 'module' : 'commonjs'}`, '-e', code],
        { cwd: root, encoding: 'utf8', timeout: 15_000 },
      );
      expect(res.status).toBe(0);
      const all = (JSON.parse(res.stdout) as string[]).join('\n');
      expect(all).toContain('Unhandled error in Deferred');
      expect(all).toContain('lost failure');
      expect(all).not.toContain('awaited failure');
    });

    test('helpers: succeed, fail, maybeDeferred, DeferredList, gatherResults, race, ensureDeferred', async () => {
      expect(await pkg.succeed(1)).toBe(1);
      await expect(pkg.fail(new Error('f'))).rejects.toThrow('f');
      expect(await pkg.maybeDeferred((x: number) => x + 1, 1)).toBe(2);
      await expect(
        pkg.maybeDeferred(() => {
          throw new Error('sync');
        }),
      ).rejects.toThrow('sync');
      const list = await new pkg.DeferredList([pkg.succeed(1), pkg.fail(new Error('x'))], {
        consumeErrors: true,
      });
      expect(list[0]).toEqual([true, 1]);
      expect(list[1][0]).toBe(false);
      expect(list[1][1]).toBeInstanceOf(Failure);
      expect(await pkg.gatherResults([pkg.succeed(1), pkg.succeed(2)])).toEqual([1, 2]);
      const r1 = new Deferred<string>();
      const r2 = new Deferred<string>();
      const raced = pkg.race([r1, r2]);
      r2.callback('second');
      expect(await raced).toEqual([1, 'second']);
      const ed = pkg.ensureDeferred(Promise.resolve('e'));
      expect(ed).toBeInstanceOf(Deferred);
      expect(await ed).toBe('e');
    });

    test('DeferredLock, DeferredSemaphore, DeferredQueue', async () => {
      const lock = new pkg.DeferredLock();
      const l1 = lock.acquire();
      expect(lock.locked).toBe(true);
      const l2 = lock.acquire();
      expect(l2.called).toBe(false);
      await l1;
      lock.release();
      expect(l2.called).toBe(true);
      lock.release();
      const sem = new pkg.DeferredSemaphore(2);
      sem.acquire();
      sem.acquire();
      const third = sem.acquire();
      expect(third.called).toBe(false);
      sem.release();
      expect(third.called).toBe(true);
      const q = new pkg.DeferredQueue<number>(1);
      const got = q.get();
      q.put(5);
      expect(await got).toBe(5);
      q.put(6);
      expect(() => q.put(7)).toThrow(pkg.QueueOverflow);
    });
  });

  describe('Failure', () => {
    test('value, type, trap, check, getErrorMessage, getTraceback', () => {
      const e = new pkg.TimeoutError('too slow');
      const f = new Failure(e);
      expect(f.value).toBe(e);
      expect(f.type).toBe(pkg.TimeoutError);
      expect(f.check(pkg.CancelledError, pkg.TimeoutError)).toBe(pkg.TimeoutError);
      expect(f.check(pkg.CancelledError)).toBeUndefined();
      expect(f.trap(pkg.TimeoutError)).toBe(pkg.TimeoutError);
      expect(() => f.trap(pkg.CancelledError)).toThrow(e);
      expect(f.getErrorMessage()).toBe('too slow');
      expect(f.getTraceback()).toContain('too slow');
      expect(typeof f.getTraceback()).toBe('string');
    });
  });

  describe('task', () => {
    test('Clock: seconds, callLater, advance, pump, getDelayedCalls', () => {
      const clock = new pkg.Clock();
      expect(clock.seconds()).toBe(0);
      const at: number[] = [];
      clock.callLater(1, () => at.push(clock.seconds()));
      clock.callLater(2.5, () => at.push(clock.seconds()));
      expect(clock.getDelayedCalls()).toHaveLength(2);
      clock.advance(1);
      expect(at).toEqual([1]);
      clock.pump([0.5, 0.5, 0.5]);
      expect(at).toEqual([1, 2.5]);
      expect(clock.seconds()).toBe(2.5);
      expect(clock.getDelayedCalls()).toEqual([]);
    });

    test('LoopingCall: start(interval, now = true), stop, running, clock', () => {
      const clock = new pkg.Clock();
      let n = 0;
      const lc = new pkg.LoopingCall((step: number) => (n += step), 1);
      lc.clock = clock;
      expect(lc.clock).toBe(clock);
      expect(lc.running).toBe(false);
      const done = lc.start(2);
      expect(done).toBeInstanceOf(Deferred);
      expect(lc.running).toBe(true);
      expect(n).toBe(1); // now = true: called at once
      clock.advance(2);
      expect(n).toBe(2);
      let stopped: unknown = 'not yet';
      done.addCallback((v: unknown) => (stopped = v));
      lc.stop();
      expect(lc.running).toBe(false);
      expect(stopped).toBe(lc);
      const later = new pkg.LoopingCall(() => n++);
      later.clock = clock;
      later.start(1, false);
      expect(n).toBe(2);
      clock.advance(1);
      expect(n).toBe(3);
      later.stop();
      expect(() => new pkg.LoopingCall('x' as unknown as () => void)).toThrow(TypeError);
    });

    test('deferLater(clock, delay, fn?, ...args)', () => {
      const clock = new pkg.Clock();
      const d = pkg.deferLater(clock, 3, (a: number, b: number) => a + b, 1, 2);
      expect(d).toBeInstanceOf(Deferred);
      let got: unknown;
      d.addCallback((v: number) => (got = v));
      clock.advance(3);
      expect(got).toBe(3);
      let plain: unknown = 'unset';
      pkg.deferLater(clock, 1).addCallback((v: unknown) => (plain = v));
      clock.advance(1);
      expect(plain).toBeUndefined();
    });
  });

  describe('log', () => {
    test('msg / err events carry the documented fields; textFromEventDict; startLogging(stream)', () => {
      const log = captureLog();
      const chunks: string[] = [];
      const stream = new Writable({
        write(chunk, _enc, cb) {
          chunks.push(String(chunk));
          cb();
        },
      });
      const observer = pkg.log.startLogging(stream);
      try {
        pkg.log.msg('hello', 42);
        pkg.log.err(new Error('kaput'), 'while testing');
        pkg.log.err(new Failure(new Error('as failure')));
      } finally {
        log.stop();
        pkg.log.removeObserver(observer);
      }
      // startLogging logs "Log opened." (and, begun a second time, the beginner's warning) first.
      const [m, e, f] = log.events.filter(
        (ev) => ev.log_namespace === 'log_legacy' && ev.message[0] !== 'Log opened.',
      );
      expect(m.message).toEqual(['hello', 42]);
      expect(m.isError).toBe(false);
      expect(typeof m.system).toBe('string');
      expect(typeof m.time).toBe('number');
      expect(Math.abs(m.time - Date.now() / 1000)).toBeLessThan(60); // seconds
      expect(e.isError).toBe(true);
      expect(e.failure).toBeInstanceOf(Failure);
      expect(e.failure!.value.message).toBe('kaput');
      expect(e.why).toBe('while testing');
      expect(f.failure!.value.message).toBe('as failure');
      expect(pkg.log.textFromEventDict(m)).toContain('hello 42');
      expect(pkg.log.textFromEventDict(e)).toContain('while testing');
      const written = chunks.join('');
      expect(written).toContain('hello 42');
      expect(written).toContain('kaput');
    });

    test('errors reach stderr by default', () => {
      const entry = pkg === esm ? 'import' : 'require';
      const code = `
        const { log } = ${entry === 'import' ? "await import('twisted-ts')" : "require('twisted-ts')"};
        log.msg('quiet message');
        log.err(new Error('loud error'), 'while checking stderr');`;
      const res = spawnSync(
        process.execPath,
        [`--input-type=${entry === 'import' ? 'module' : 'commonjs'}`, '-e', code],
        { cwd: root, encoding: 'utf8', timeout: 15_000 },
      );
      expect(res.status).toBe(0);
      expect(res.stderr).toContain('loud error');
      expect(res.stderr).toContain('while checking stderr');
      expect(res.stderr).not.toContain('quiet message');
    });
  });

  describe('react', () => {
    test('runs main with the reactor and ends the process with its exit code', () => {
      const entry = pkg === esm ? 'import' : 'require';
      const code =
        entry === 'import'
          ? `import { react, SystemExit } from 'twisted-ts';
             react((r, a) => { console.log(typeof r.callLater, a); throw new SystemExit(3); }, ['arg']);`
          : `const { react, SystemExit } = require('twisted-ts');
             react((r, a) => { console.log(typeof r.callLater, a); throw new SystemExit(3); }, ['arg']);`;
      const res = spawnSync(
        process.execPath,
        [`--input-type=${entry === 'import' ? 'module' : 'commonjs'}`, '-e', code],
        { cwd: root, encoding: 'utf8', timeout: 15_000 },
      );
      expect(res.stdout.trim()).toBe('function arg');
      expect(res.status).toBe(3);
    });
  });

  describe('twisted-ts/testing', () => {
    test('MemoryReactor records plain udpServers / multicastServers tuples; fake ports report the asked port', () => {
      const mr = new testing.MemoryReactor();
      const p1 = new Recorder();
      const t1 = mr.listenUDP(1234, p1, '127.0.0.1', 512);
      expect(mr.udpServers).toEqual([[1234, p1, '127.0.0.1', 512]]);
      expect(t1.getHost().port).toBe(1234);
      expect(p1.starts).toBe(1);
      expect(p1.transport).toBe(t1);
      const p2 = new Recorder();
      mr.listenUDP(99, p2);
      expect(mr.udpServers[1]).toEqual([99, p2, '', 8192]);
      const p3 = new Recorder();
      const t3 = mr.listenMulticast(5353, p3, { listenMultiple: true });
      expect(mr.multicastServers).toEqual([[5353, p3, '', 8192, true]]);
      expect(t3.getHost().port).toBe(5353);
      const p4 = new Recorder();
      mr.listenMulticast(1900, p4, '127.0.0.1', 100, false);
      expect(mr.multicastServers[1]).toEqual([1900, p4, '127.0.0.1', 100, false]);
      expect(Array.isArray(mr.udpServers[0])).toBe(true);
      expect(() => mr.listenUDP(-1, new Recorder())).toThrow(RangeError);
    });

    test('MemoryReactorClock: callLater, advance, pump, getDelayedCalls', () => {
      const mrc = new testing.MemoryReactorClock();
      expect(mrc).toBeInstanceOf(testing.MemoryReactor);
      const seen: number[] = [];
      mrc.callLater(1, () => seen.push(mrc.seconds()));
      mrc.callLater(2, () => seen.push(mrc.seconds()));
      expect(mrc.getDelayedCalls()).toHaveLength(2);
      mrc.advance(1);
      expect(seen).toEqual([1]);
      mrc.pump([0.5, 0.5]);
      expect(seen).toEqual([1, 2]);
      expect(mrc.getDelayedCalls()).toEqual([]);
    });

    test('FakeDatagramTransport.written is a list of [datagram, addr] pairs', () => {
      const mr = new testing.MemoryReactor();
      const t = mr.listenUDP(1, new Recorder());
      t.write(Buffer.from('a'), ['127.0.0.1', 9]);
      t.writeSequence([Buffer.from('b'), Buffer.from('c')], ['127.0.0.1', 10]);
      expect(t.written).toEqual([
        [Buffer.from('a'), ['127.0.0.1', 9]],
        [Buffer.from('bc'), ['127.0.0.1', 10]],
      ]);
      const direct = new testing.FakeDatagramTransport();
      expect(direct.written).toEqual([]);
      expect(direct.getHost().port).toBe(0);
    });

    test('VirtualNetwork: options, addHost (reactor-like), latency, partition / heal, stats, determinism', () => {
      const runOnce = (seed: number) => {
        const net = new testing.VirtualNetwork({
          seed,
          loss: 0.3,
          duplicate: 0.1,
          reorder: 0.1,
          latency: 0.01,
        });
        expect(net.clock).toBeInstanceOf(testing.Clock);
        const a = net.addHost('10.0.0.1');
        const b = net.addHost('10.0.0.2');
        for (const m of ['listenUDP', 'listenMulticast', 'callLater', 'seconds', 'resolve'] as const) {
          expect(typeof a[m], m).toBe('function');
        }
        const rx = new Recorder();
        const server = b.listenUDP(7, rx);
        const client = a.listenUDP(0, new Recorder());
        for (let i = 0; i < 50; i++)
          client.write(Buffer.from(String(i)), ['10.0.0.2', server.getHost().port]);
        net.clock.advance(1);
        return { net, received: rx.received.map(([d]) => d.toString()), stats: net.stats() };
      };
      const one = runOnce(1);
      const same = runOnce(1);
      expect(same.received).toEqual(one.received);
      expect(same.stats).toEqual(one.stats);
      expect(one.stats).toMatchObject({ sent: 50 });
      for (const k of ['sent', 'delivered', 'lost', 'duplicated'] as const)
        expect(typeof one.stats[k]).toBe('number');
      expect(one.stats.lost).toBeGreaterThan(0);
      expect(one.stats.delivered).toBe(one.received.length);

      const net = new testing.VirtualNetwork({ latency: 0.5 });
      const a = net.addHost('10.0.0.1');
      const b = net.addHost('10.0.0.2');
      const rx = new Recorder();
      b.listenUDP(7, rx);
      const client = a.listenUDP(0, new Recorder());
      client.write(Buffer.from('x'), ['10.0.0.2', 7]);
      net.clock.advance(0.4);
      expect(rx.received).toHaveLength(0); // arrives after latency seconds
      net.clock.advance(0.1);
      expect(rx.received).toHaveLength(1);
      net.partition([a], [b]);
      client.write(Buffer.from('y'), ['10.0.0.2', 7]);
      net.clock.advance(1);
      expect(rx.received).toHaveLength(1);
      net.heal();
      client.write(Buffer.from('z'), ['10.0.0.2', 7]);
      net.clock.advance(1);
      expect(rx.received.map(([d]) => d.toString())).toEqual(['x', 'z']);
      expect(rx.received[0][1]).toEqual(['10.0.0.1', client.getHost().port]);
    });
  });
});
