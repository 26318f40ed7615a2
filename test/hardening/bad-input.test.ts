/**
 * Bad input, by property: every public entry point fed values of every JS type either works or
 * fails with a typed error (TypeError, RangeError, a twisted-ts error, or a coded Node-style one)
 * whose message names the argument — never a crash, a hang, a non-Error throw, an unhandled
 * Deferred failure or a silent coercion ('80' is not a port). Runs on loopback in the netns.
 */
import { isIP } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Deferred } from '../../src/defer/deferred.ts';
import { DatagramProtocol } from '../../src/protocols/datagram-protocol.ts';
import { Reactor } from '../../src/reactor/reactor.ts';
import { Clock } from '../../src/task/clock.ts';
import { LoopingCall } from '../../src/task/looping-call.ts';
import { VirtualNetwork } from '../../src/testing/virtual-network.ts';
import { listenMulticast } from '../../src/transports/udp/listen-multicast.ts';
import { listenUDP } from '../../src/transports/udp/listen.ts';
import type { MulticastPort } from '../../src/transports/udp/multicast-port.ts';
import type { UdpPort } from '../../src/transports/udp/udp-port.ts';
import {
  anything,
  datagramLike,
  edge,
  groupLike,
  hostLike,
  ifaceLike,
  numbers,
  value,
} from './arbitraries.ts';
import { FC_SEED, LiteralOwner, RUNS, captureLog, expectOutcome, outcome, tried } from './helpers.ts';

const params = { seed: FC_SEED, numRuns: RUNS };

const isPort = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65535;
const isSendPort = (v: unknown): boolean => isPort(v) && v !== 0;
const isIface = (v: unknown): boolean => typeof v === 'string' && (v === '' || isIP(v) !== 0);
const isPositiveInt = (v: unknown): boolean =>
  Number.isInteger(v) && (v as number) >= 1 && (v as number) <= Number.MAX_SAFE_INTEGER;
const isDelay = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isPlainOptions = (v: unknown): boolean => v !== null && typeof v === 'object' && !Array.isArray(v);
/** A bind can fail for reasons that are not the caller's: the port is taken, or the address is not ours. */
const bindRefusal = (e: Error): boolean => e.name === 'CannotListenError';

const owner = new LiteralOwner();
let log: ReturnType<typeof captureLog>;
beforeAll(() => {
  log = captureLog();
});
afterAll(async () => {
  await owner.stopAll();
  log.stop();
  // The figure quoted in docs/security.md.
  console.log(`bad-input: ${tried.inputs} inputs tried`);
});

function stopIfPort(o: ReturnType<typeof outcome>): void {
  if (o.ok && o.value !== null && typeof o.value === 'object' && 'stopListening' in o.value) {
    (o.value as UdpPort).stopListening();
  }
}

describe('listenUDP', () => {
  const NAMES =
    /"(port|protocol|interface|options(\.\w+)?|maxPacketSize)"|Couldn't listen|host names|aborted/;

  it('port: only integers 0–65535 ("80", -1, 65536, NaN, 1.5 refused)', () => {
    fc.assert(
      fc.property(fc.oneof(value, fc.integer({ min: 0, max: 65535 })), (port) => {
        const o = outcome(() => listenUDP(owner, port as number, new DatagramProtocol(), '127.0.0.1'));
        stopIfPort(o);
        expectOutcome(o, isPort(port), NAMES, bindRefusal);
      }),
      params,
    );
    for (const bad of [-1, 65536, NaN, '80', 1.5, Infinity, null, 80n]) {
      const o = outcome(() => listenUDP(owner, bad as number, new DatagramProtocol()));
      expect(o.ok).toBe(false);
      expect(String((o as { error: Error }).error.message)).toMatch(/"port"/);
    }
  });

  it('protocol: only a datagram protocol', () => {
    fc.assert(
      fc.property(value, (protocol) => {
        const o = outcome(() => listenUDP(owner, 0, protocol as DatagramProtocol, '127.0.0.1'));
        stopIfPort(o);
        expectOutcome(o, false, NAMES);
      }),
      params,
    );
  });

  it('interface or options, and maxPacketSize', () => {
    const options = fc.oneof(
      value,
      hostLike,
      fc.record(
        {
          interface: fc.oneof(fc.constantFrom('127.0.0.1', '::1', '192.0.2.1'), hostLike),
          maxPacketSize: fc.oneof(fc.integer({ min: 1, max: 65536 }), value),
          reusePort: fc.oneof(fc.boolean(), value),
          signal: fc.constantFrom<unknown>(
            undefined,
            new AbortController().signal,
            AbortSignal.abort(),
            {},
            'signal',
          ),
          maxSendQueue: fc.oneof(fc.integer({ min: 1, max: 1 << 20 }), value),
          extra: value,
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(
        options,
        fc.oneof(fc.constant(undefined), fc.integer({ min: 1, max: 65536 }), value),
        (opts, max) => {
          let valid: boolean;
          if (opts === undefined) valid = true;
          else if (typeof opts === 'string') valid = isIface(opts);
          else if (!isPlainOptions(opts)) valid = false;
          else {
            const o = opts as Record<string, unknown>;
            valid =
              Object.keys(o).every((k) =>
                ['interface', 'maxPacketSize', 'reusePort', 'signal', 'maxSendQueue'].includes(k),
              ) &&
              (o.maxSendQueue === undefined || isPositiveInt(o.maxSendQueue)) &&
              (o.interface === undefined || isIface(o.interface)) &&
              (o.maxPacketSize === undefined || isPositiveInt(o.maxPacketSize)) &&
              (o.reusePort === undefined || typeof o.reusePort === 'boolean') &&
              (o.signal === undefined || (o.signal instanceof AbortSignal && !o.signal.aborted));
          }
          valid &&= max === undefined || isPositiveInt(max);
          const res = outcome(() =>
            listenUDP(owner, 0, new DatagramProtocol(), opts as string, max as number),
          );
          stopIfPort(res);
          expectOutcome(res, valid, NAMES, bindRefusal);
        },
      ),
      params,
    );
  });
});

describe('listenMulticast', () => {
  const NAMES =
    /"(port|protocol|interface|options(\.\w+)?|maxPacketSize|listenMultiple)"|Couldn't listen|host names|aborted/;

  it('port, options and the positional listenMultiple', () => {
    const options = fc.oneof(
      fc.constant(undefined),
      hostLike,
      fc.record(
        {
          interface: fc.oneof(fc.constantFrom('', '127.0.0.1'), hostLike),
          maxPacketSize: fc.oneof(fc.integer({ min: 1, max: 65536 }), value),
          listenMultiple: fc.oneof(fc.boolean(), value),
          maxSendQueue: fc.oneof(fc.integer({ min: 1, max: 1 << 20 }), value),
          extra: value,
        },
        { requiredKeys: [] },
      ),
      value,
    );
    fc.assert(
      fc.property(
        fc.oneof(fc.constant(0), value),
        options,
        fc.oneof(fc.constant(undefined), value),
        fc.oneof(fc.constant(undefined), fc.boolean(), value),
        (port, opts, max, multiple) => {
          let valid = isPort(port);
          if (typeof opts === 'string') valid &&= isIface(opts);
          else if (opts !== undefined) {
            if (!isPlainOptions(opts)) valid = false;
            else {
              const o = opts as Record<string, unknown>;
              valid &&=
                Object.keys(o).every((k) =>
                  ['interface', 'maxPacketSize', 'listenMultiple', 'signal', 'maxSendQueue'].includes(k),
                ) &&
                (o.interface === undefined || isIface(o.interface)) &&
                (o.maxPacketSize === undefined || isPositiveInt(o.maxPacketSize)) &&
                (o.listenMultiple === undefined || typeof o.listenMultiple === 'boolean') &&
                (o.maxSendQueue === undefined || isPositiveInt(o.maxSendQueue));
            }
          }
          valid &&= max === undefined || isPositiveInt(max);
          valid &&= multiple === undefined || typeof multiple === 'boolean';
          const res = outcome(() =>
            listenMulticast(
              owner,
              port as number,
              new DatagramProtocol(),
              opts as string,
              max as number,
              multiple as boolean,
            ),
          );
          stopIfPort(res);
          expectOutcome(res, valid, NAMES, bindRefusal);
        },
      ),
      params,
    );
  });
});

describe('UdpPort methods', () => {
  let port: UdpPort;
  let sink: UdpPort;
  beforeAll(() => {
    port = listenUDP(owner, 0, new DatagramProtocol(), '127.0.0.1');
    sink = listenUDP(owner, 0, new DatagramProtocol(), '127.0.0.1');
  });

  const addrLike = () =>
    fc.oneof(
      fc.tuple(
        hostLike,
        fc.oneof(fc.constant(sink.getHost().port), fc.integer({ min: -10, max: 70_000 }), value),
      ),
      fc.tuple(fc.constant('127.0.0.1'), fc.constant(sink.getHost().port)),
      value,
    );
  // Only loopback is a valid destination here; anything else valid-looking is refused by pre().
  const validAddr = (addr: unknown): boolean =>
    Array.isArray(addr) && addr[0] === '127.0.0.1' && isSendPort(addr[1]);
  const safe = (addr: unknown): boolean =>
    !(Array.isArray(addr) && typeof addr[0] === 'string' && isIP(addr[0]) === 4 && addr[0] !== '127.0.0.1') &&
    !(Array.isArray(addr) && addr[0] === '<broadcast>');
  const validDatagram = (d: unknown): boolean => d instanceof Uint8Array && d.byteLength <= 65507;
  const NAMES =
    /"(datagram|datagrams(\[\d+\])?|addr|addr\[[01]\])"|message too long|host names|IPv4 port write|write\(\)/;

  it('write(datagram, addr)', () => {
    fc.assert(
      fc.property(datagramLike, addrLike(), (datagram, addr) => {
        fc.pre(safe(addr));
        const o = outcome(() => port.write(datagram as Uint8Array, addr as [string, number]));
        expectOutcome(o, validDatagram(datagram) && validAddr(addr), NAMES);
      }),
      params,
    );
  });

  it('writeSequence(datagrams, addr)', () => {
    const pieces = fc.oneof(
      fc.array(datagramLike, { maxLength: 4 }),
      fc.array(fc.uint8Array({ maxLength: 16 }), { maxLength: 4 }),
      value,
    );
    fc.assert(
      fc.property(pieces, addrLike(), (datagrams, addr) => {
        fc.pre(safe(addr));
        const valid =
          Array.isArray(datagrams) &&
          datagrams.every((d) => d instanceof Uint8Array) &&
          (datagrams as Uint8Array[]).reduce((n, d) => n + d.byteLength, 0) <= 65507 &&
          validAddr(addr);
        const o = outcome(() => port.writeSequence(datagrams as Uint8Array[], addr as [string, number]));
        expectOutcome(o, valid, NAMES);
      }),
      params,
    );
  });

  it('connect(host, port)', () => {
    fc.assert(
      fc.property(hostLike, fc.oneof(fc.integer({ min: -10, max: 70_000 }), value), (host, peerPort) => {
        fc.pre(!(typeof host === 'string' && isIP(host) === 4 && host !== '127.0.0.1'));
        const fresh = listenUDP(owner, 0, new DatagramProtocol(), '127.0.0.1');
        try {
          const o = outcome(() => fresh.connect(host as string, peerPort as number));
          expectOutcome(
            o,
            host === '127.0.0.1' && isSendPort(peerPort),
            /"(host|port)"|host names|IPv4 port connect/,
          );
        } finally {
          fresh.stopListening();
        }
      }),
      { ...params, numRuns: 200 },
    );
  });

  it('setBroadcastAllowed(enabled)', () => {
    // A port of its own, which writes nothing: broadcast must never be enabled on a port that sends.
    const other = listenUDP(owner, 0, new DatagramProtocol(), '127.0.0.1');
    fc.assert(
      fc.property(fc.oneof(fc.boolean(), value), (enabled) => {
        expectOutcome(
          outcome(() => other.setBroadcastAllowed(enabled as boolean)),
          typeof enabled === 'boolean',
          /"enabled"/,
        );
      }),
      params,
    );
    other.stopListening();
  });
});

describe('MulticastPort methods', () => {
  let port: MulticastPort;
  beforeAll(() => {
    port = listenMulticast(owner, 0, new DatagramProtocol(), { listenMultiple: true });
  });
  // A typed MulticastJoinError (the OS refused, e.g. a second join of one group) is not the
  // caller's mistake when the arguments were right.
  const joinRefusal = (e: Error): boolean => e.name === 'MulticastJoinError';
  const NAMES = /"(addr|iface|group|source)"|Could not (join|leave)|resolve host names/;
  // Network safety: a join that reaches the OS is made on 127.0.0.1 only — never on the default
  // interface ('', '0.0.0.0', index 0, or the parameter left out) or another IPv4 address, which
  // outside the netns would send IGMP reports to a real network.
  const joinSafe = (i: unknown): boolean =>
    i !== undefined && i !== '' && i !== 0 && !(typeof i === 'string' && isIP(i) === 4 && i !== '127.0.0.1');
  const isGroup = (g: unknown): boolean =>
    typeof g === 'string' &&
    isIP(g) === 4 &&
    Number(g.split('.')[0]) >= 224 &&
    Number(g.split('.')[0]) <= 239;

  it('joinGroup / leaveGroup (throw or errback, typed; never unhandled)', () => {
    fc.assert(
      fc.property(groupLike, ifaceLike, fc.boolean(), (group, iface, join) => {
        fc.pre(joinSafe(iface));
        const o = outcome(() =>
          join
            ? port.joinGroup(group as string, iface as string)
            : port.leaveGroup(group as string, iface as string),
        );
        // A second join, or a leave of a group never joined, is refused by the OS (EADDRINUSE,
        // EADDRNOTAVAIL): with a group, either outcome is fine; without one it must fail.
        expectOutcome(o, isGroup(group) ? undefined : false, NAMES, joinRefusal);
      }),
      params,
    );
  });

  it('joinSourceGroup / leaveSourceGroup', () => {
    fc.assert(
      fc.property(hostLike, groupLike, ifaceLike, fc.boolean(), (source, group, iface, join) => {
        fc.pre(joinSafe(iface));
        const o = outcome(() =>
          join
            ? port.joinSourceGroup(source as string, group as string, iface as string)
            : port.leaveSourceGroup(source as string, group as string, iface as string),
        );
        expectOutcome(o, isGroup(group) ? undefined : false, NAMES, joinRefusal);
      }),
      params,
    );
  });

  it('setTTL: an integer 0–255 (256 is a RangeError)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -5, max: 300 }), value), (ttl) => {
        const valid = Number.isInteger(ttl) && (ttl as number) >= 0 && (ttl as number) <= 255;
        expectOutcome(
          outcome(() => port.setTTL(ttl as number)),
          valid,
          /"ttl"/,
        );
        if (valid) expect(port.getTTL()).toBe(ttl);
      }),
      params,
    );
    expect(() => port.setTTL(256)).toThrow(RangeError);
    expect(() => port.setTTL('1' as unknown as number)).toThrow(TypeError);
    port.setTTL(1);
  });

  it('setLoopbackMode: booleans, or 0/1', () => {
    fc.assert(
      fc.property(fc.oneof(fc.boolean(), fc.constantFrom(0, 1, 2, -1, '1', 'true'), value), (mode) => {
        const valid = typeof mode === 'boolean' || mode === 0 || mode === 1;
        expectOutcome(
          outcome(() => port.setLoopbackMode(mode as boolean)),
          valid,
          /"mode"/,
        );
        if (valid) expect(port.getLoopbackMode()).toBe(mode === true || mode === 1);
      }),
      params,
    );
  });

  it('setOutgoingInterface', () => {
    fc.assert(
      fc.property(ifaceLike, (iface) => {
        // Setting the outgoing interface sends nothing; still, no IPv4 address but loopback's.
        fc.pre(
          !(typeof iface === 'string' && isIP(iface) === 4 && iface !== '127.0.0.1' && iface !== '0.0.0.0'),
        );
        const valid =
          iface === '127.0.0.1' || iface === '' || iface === '0.0.0.0'
            ? true
            : typeof iface === 'string' || typeof iface === 'number'
              ? undefined
              : false;
        const o = outcome(() => port.setOutgoingInterface(iface as string));
        expectOutcome(o, valid, /"addr"|setOutgoingInterface|resolve host names/);
      }),
      params,
    );
    port.setOutgoingInterface('127.0.0.1');
    expect(port.getOutgoingInterface()).toBe('127.0.0.1');
  });
});

describe('the reactor', () => {
  const reactor = new Reactor();

  it('callLater(delay, fn): delay a finite number >= 0 in seconds, fn a function', () => {
    fc.assert(
      fc.property(
        fc.oneof(numbers, value),
        fc.oneof(
          fc.constant(() => undefined),
          value,
        ),
        (delay, fn) => {
          const o = outcome(() => reactor.callLater(delay as number, fn as () => void));
          if (o.ok) (o.value as { cancel(): void }).cancel();
          expectOutcome(o, isDelay(delay) && typeof fn === 'function', /"(delay|fn)"/);
        },
      ),
      params,
    );
    expect(reactor.getDelayedCalls()).toEqual([]);
  });

  it('DelayedCall.delay / reset', () => {
    fc.assert(
      fc.property(fc.oneof(numbers, value), fc.boolean(), (seconds, reset) => {
        const call = reactor.callLater(100, () => undefined);
        const o = outcome(() => (reset ? call.reset(seconds as number) : call.delay(seconds as number)));
        call.cancel();
        const valid = typeof seconds === 'number' && Number.isFinite(seconds) && (!reset || seconds >= 0);
        expectOutcome(o, valid, /"seconds"/);
      }),
      params,
    );
  });

  it('addSystemEventTrigger(phase, eventType, fn)', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom('before', 'during', 'after', 'Before', 'startup'), value),
        fc.oneof(fc.constantFrom('startup', 'shutdown', 'custom'), value),
        fc.oneof(
          fc.constant(() => undefined),
          value,
        ),
        (phase, eventType, fn) => {
          const o = outcome(() =>
            reactor.addSystemEventTrigger(phase as 'before', eventType as string, fn as () => void),
          );
          if (o.ok) reactor.removeSystemEventTrigger(o.value as never);
          const valid =
            ['before', 'during', 'after'].includes(phase as string) &&
            typeof eventType === 'string' &&
            typeof fn === 'function';
          expectOutcome(o, valid, /"(phase|eventType|fn)"/);
        },
      ),
      params,
    );
  });

  it('removeSystemEventTrigger and fireSystemEvent', () => {
    fc.assert(
      fc.property(value, (id) => {
        expectOutcome(
          outcome(() => reactor.removeSystemEventTrigger(id as never)),
          false,
          /"id"/,
        );
        expectOutcome(
          outcome(() => reactor.fireSystemEvent(id as string)),
          typeof id === 'string',
          /"eventType"/,
        );
      }),
      params,
    );
  });

  it('run(options)', () => {
    fc.assert(
      fc.property(value, (options) => {
        // Only invalid options reach here with effect: a valid run is stopped at once by crash().
        const fresh = new Reactor();
        const o = outcome(() => fresh.run(options as never));
        if (o.ok) fresh.crash();
        const valid =
          options === undefined ||
          (isPlainOptions(options) &&
            [undefined, true, false].includes(
              (options as Record<string, unknown>).installSignalHandlers as boolean,
            ));
        expectOutcome(o, valid ? undefined : false, /"options(\.installSignalHandlers)?"/);
      }),
      { ...params, numRuns: 100 },
    );
  });
});

describe('Deferred', () => {
  const fnOr = fc.oneof(
    fc.constant((x: unknown) => x),
    value,
  );

  it('constructor, addCallback, addErrback, addBoth', () => {
    fc.assert(
      fc.property(fnOr, fc.constantFrom('new', 'addCallback', 'addErrback', 'addBoth'), (fn, method) => {
        const d = new Deferred<unknown>();
        const o = outcome(() => {
          if (method === 'new') return void new Deferred(fn as never);
          (d[method as 'addCallback'] as (f: unknown) => unknown)(fn);
          return undefined;
        });
        const valid = typeof fn === 'function' || (method === 'new' && (fn === undefined || fn === null));
        expectOutcome(o, valid, /"(canceller|callback|errback)"/);
      }),
      params,
    );
  });

  it('addCallbacks(callback, errback, callbackArgs, errbackArgs)', () => {
    fc.assert(
      fc.property(
        fnOr,
        fc.oneof(fc.constant(undefined), fnOr),
        fc.oneof(fc.constant(undefined), fc.array(value), value),
        (cb, eb, args) => {
          const d = new Deferred<unknown>();
          const o = outcome(() => void d.addCallbacks(cb as never, eb as never, args as never));
          const valid =
            typeof cb === 'function' &&
            (eb === undefined || eb === null || typeof eb === 'function') &&
            (args === undefined || Array.isArray(args));
          expectOutcome(o, valid, /"(callback|errback|callbackArgs)"/);
        },
      ),
      params,
    );
  });

  it('callback(x), errback(x) with any value; twice → AlreadyCalledError', () => {
    fc.assert(
      fc.property(value, fc.boolean(), (x, ok) => {
        const d = new Deferred<unknown>();
        let seen: unknown;
        d.addBoth((r) => {
          seen = r;
          return undefined;
        });
        const o = outcome(() => (ok ? d.callback(x) : d.errback(x)));
        expectOutcome(o, true, /./);
        expect(d.called).toBe(true);
        if (ok) expect(seen).toBe(x);
        const again = outcome(() => d.callback(1));
        expect(again.ok).toBe(false);
        expect((again as { error: Error }).error.name).toBe('AlreadyCalledError');
      }),
      params,
    );
    expectOutcome(
      outcome(() => new Deferred().callback(new Deferred())),
      false,
      /"result"/,
    );
  });

  it('addTimeout(seconds, clock, onTimeoutCancel), cancelOn(signal), chainDeferred(d), fromPromise(p)', () => {
    const clock = new Clock();
    fc.assert(
      fc.property(
        fc.oneof(numbers, value),
        fc.oneof(fc.constant(clock), value),
        fc.oneof(fc.constant(undefined), fnOr),
        (seconds, c, onTimeout) => {
          const d = new Deferred<unknown>();
          const o = outcome(() => void d.addTimeout(seconds as number, c as Clock, onTimeout as never));
          d.addErrback(() => undefined);
          d.callback(1);
          const valid =
            isDelay(seconds) && c === clock && (onTimeout === undefined || typeof onTimeout === 'function');
          expectOutcome(o, valid, /"(seconds|clock|onTimeoutCancel)"/);
        },
      ),
      params,
    );
    fc.assert(
      fc.property(value, (x) => {
        const d = new Deferred<unknown>();
        expectOutcome(
          outcome(() => void d.cancelOn(x as AbortSignal)),
          false,
          /"signal"/,
        );
        expectOutcome(
          outcome(() => void d.chainDeferred(x as Deferred<unknown>)),
          false,
          /"d"/,
        );
        const thenable =
          x !== null && typeof x === 'object' && typeof (x as { then?: unknown }).then === 'function';
        expectOutcome(
          outcome(() => void Deferred.fromPromise(x as Promise<unknown>)),
          thenable ? undefined : false,
          /"promise"/,
        );
      }),
      params,
    );
  });
});

describe('LoopingCall', () => {
  it('new LoopingCall(fn), start(interval, now), clock', () => {
    const clock = new Clock();
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constant(() => undefined),
          value,
        ),
        fc.oneof(numbers, value),
        fc.oneof(fc.constant(undefined), fc.boolean(), value),
        fc.oneof(fc.constant(clock), value),
        (fn, interval, now, c) => {
          let loop: LoopingCall | undefined;
          const made = outcome(() => {
            loop = new LoopingCall(fn as () => void);
          });
          expectOutcome(made, typeof fn === 'function', /"fn"/);
          if (loop === undefined) return;
          const set = outcome(() => {
            loop!.clock = c as Clock;
          });
          expectOutcome(set, c === clock ? true : undefined, /"clock"/);
          if (!set.ok) loop.clock = clock;
          // start()'s Deferred fires only at stop(): stop first when it started.
          const started = outcome(() => {
            const d = loop!.start(interval as number, now as boolean);
            d.addErrback(() => undefined);
            if (loop!.running) loop!.stop();
            return d;
          });
          const valid = isDelay(interval) && (now === undefined || typeof now === 'boolean');
          expectOutcome(started, valid, /"(interval|now)"/);
        },
      ),
      params,
    );
  });
});

describe('VirtualNetwork', () => {
  it('options and addHost', () => {
    const conditions = {
      latency: fc.oneof(fc.double({ min: 0, max: 10, noNaN: true }), value),
      loss: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), value),
      duplicate: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), value),
      reorder: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), value),
      reorderDelay: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), value),
      seed: fc.oneof(fc.integer(), value),
      trace: fc.oneof(fc.boolean(), value),
      clock: fc.oneof(fc.constant(new Clock()), value),
      extra: value,
    };
    fc.assert(
      fc.property(fc.oneof(fc.record(conditions, { requiredKeys: [] }), value), (options) => {
        const o = outcome(() => new VirtualNetwork(options as never));
        let valid = options === undefined || isPlainOptions(options);
        if (valid && options !== undefined) {
          const v = options as Record<string, unknown>;
          const inUnit = (x: unknown): boolean =>
            x === undefined || (typeof x === 'number' && x >= 0 && x <= 1);
          const nonNeg = (x: unknown): boolean => x === undefined || isDelay(x);
          valid =
            !('extra' in v) &&
            Object.keys(v).every((k) => Object.hasOwn(conditions, k)) &&
            nonNeg(v.latency) &&
            nonNeg(v.reorderDelay) &&
            inUnit(v.loss) &&
            inUnit(v.duplicate) &&
            inUnit(v.reorder) &&
            (v.seed === undefined || Number.isSafeInteger(v.seed)) &&
            (v.trace === undefined || typeof v.trace === 'boolean') &&
            (v.clock === undefined || v.clock instanceof Clock);
        }
        expectOutcome(o, valid, /"(options(\.\w+)?|seed)"/);
      }),
      params,
    );
    const network = new VirtualNetwork();
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6(), hostLike), (ip) => {
        const o = outcome(() => network.addHost(ip as string));
        // Loopback, wildcard, multicast and duplicate hosts are refused with a reason; others work.
        expectOutcome(o, typeof ip === 'string' && isIP(ip) !== 0 ? undefined : false, /"ip"/);
      }),
      params,
    );
  });
});

describe('the oracle itself', () => {
  it('flags a silent coercion and an untyped throw', () => {
    expect(() => expectOutcome({ ok: true, value: 1 }, false, /x/)).toThrow(/silent coercion/);
    expect(() => expectOutcome({ ok: false, error: 'str', via: 'throw' }, undefined, /x/)).toThrow(/untyped/);
    expect(() =>
      expectOutcome({ ok: false, error: new Error('plain'), via: 'throw' }, undefined, /x/),
    ).toThrow(/untyped/);
    const coded = Object.assign(new TypeError('The "y" argument must be a number'), {
      code: 'ERR_INVALID_ARG_TYPE',
    });
    expect(() => expectOutcome({ ok: false, error: coded, via: 'throw' }, undefined, /"x"/)).toThrow(/name/);
    // An engine TypeError (no code) is an internal error leaking out, not a typed one.
    expect(() =>
      expectOutcome(
        { ok: false, error: new TypeError('x.foo is not a function'), via: 'throw' },
        undefined,
        /x/,
      ),
    ).toThrow(/untyped/);
    void anything;
    void edge;
  });
});
