/**
 * Hostile input, by property (issue 12, point 10; bad-input.test.ts covers the ordinary kinds):
 * prototype-polluting keys ('__proto__', 'constructor', …) as names and as own keys, getters
 * (throwing, or answering one value to the check and another to the use), Proxies (transparent,
 * with throwing traps, revoked) and inherited fields. Every public entry point either works or
 * fails with a coded error naming the argument — or lets the caller's own error (thrown by its
 * getter or trap) through. Never an engine TypeError ("Cannot perform 'get' on a proxy that has
 * been revoked", "x.findIndex is not a function"), never a check that a getter slipped past.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Deferred } from '../../src/defer/deferred.ts';
import { DeferredList } from '../../src/defer/deferred-list.ts';
import { gatherResults } from '../../src/defer/gather-results.ts';
import { succeed } from '../../src/defer/shortcuts.ts';
import type { TriggerId } from '../../src/interfaces.ts';
import { DatagramProtocol } from '../../src/index.ts';
import { Reactor } from '../../src/reactor/reactor.ts';
import { Clock } from '../../src/task/clock.ts';
import { LoopingCall } from '../../src/task/looping-call.ts';
import { MemoryReactor } from '../../src/testing/memory-reactor.ts';
import { VirtualNetwork } from '../../src/testing/virtual-network.ts';
import { listenMulticast } from '../../src/transports/udp/listen-multicast.ts';
import {
  HostileError,
  build,
  flippingArray,
  flippingGetters,
  hostileOptions,
  hostileValue,
  pollutingKey,
  revokedProxy,
  trappedProxy,
  value,
} from './arbitraries.ts';
import {
  FC_SEED,
  LiteralOwner,
  RUNS,
  captureLog,
  isCodedError,
  outcome,
  tried,
  type Outcome,
} from './helpers.ts';

const params = { seed: FC_SEED, numRuns: RUNS };
const isHostile = (e: unknown): boolean => e instanceof HostileError;

/**
 * The oracle: `valid` true → must work; false → must fail; undefined → either. A failure is a
 * coded error whose message matches `names`, or the caller's own HostileError.
 */
function expectHostileOutcome(o: Outcome, valid: boolean | undefined, names: RegExp): void {
  if (o.ok) {
    if (valid === false) throw new Error(`accepted a hostile input: returned ${String(o.value)}`);
    return;
  }
  const e = o.error;
  if (!isCodedError(e, isHostile)) {
    throw new Error(
      `failed with an uncoded error: ${e instanceof Error ? `${e.name}: ${e.message}` : typeof e}`,
      { cause: e },
    );
  }
  if (isHostile(e)) return;
  if (valid === true) throw new Error(`refused a valid input: ${(e as Error).message}`, { cause: e });
  if (!names.test((e as Error).message)) {
    throw new Error(`the message does not name the argument (${names}): ${(e as Error).message}`);
  }
}

let log: ReturnType<typeof captureLog>;
beforeAll(() => {
  log = captureLog();
});
afterAll(() => {
  log.stop();
  console.log(`hostile-input: ${tried.inputs} inputs tried`);
});

const phases = fc.oneof(fc.constantFrom('before', 'during', 'after'), pollutingKey, hostileValue);
const eventTypes = fc.oneof(fc.constantFrom('startup', 'shutdown', 'custom'), pollutingKey, hostileValue);
const isPhase = (p: unknown): boolean => p === 'before' || p === 'during' || p === 'after';

describe.each([
  ['Reactor', () => new Reactor()],
  ['MemoryReactor', () => new MemoryReactor()],
] as const)('%s system event triggers', (_name, make) => {
  it('addSystemEventTrigger / fireSystemEvent with polluting phases and event types', () => {
    fc.assert(
      fc.property(phases, eventTypes, (phaseRecipe, eventTypeRecipe) => {
        const phase = build(phaseRecipe);
        const eventType = build(eventTypeRecipe);
        const reactor = make();
        let ran = 0;
        const o = outcome(() =>
          reactor.addSystemEventTrigger(phase as 'before', eventType as string, () => {
            ran += 1;
          }),
        );
        const valid = isPhase(phase) && typeof eventType === 'string';
        expectHostileOutcome(o, valid, /"(phase|eventType)"/);
        if (!o.ok) return;
        // An event named '__proto__' or 'constructor' is an event like any other.
        reactor.fireSystemEvent(eventType as string);
        expect(ran).toBe(1);
        reactor.fireSystemEvent(eventType as string);
        expect(ran).toBe(1);
      }),
      params,
    );
  });

  it('removeSystemEventTrigger refuses forged ids with a typed error naming "id"', () => {
    const reactor = make();
    const real = reactor.addSystemEventTrigger('before', 'custom', () => undefined);
    const made = (kind: string, make: () => unknown) =>
      fc.constant({ kind, make, [fc.toStringMethod]: () => kind });
    const forged = fc.oneof(
      fc
        .record({ phase: phases, eventType: eventTypes, id: fc.oneof(fc.integer(), value, hostileValue) })
        .map((r) => ({
          kind: 'record',
          make: () => ({ phase: build(r.phase), eventType: build(r.eventType), id: build(r.id) }),
        })),
      made('getters flipping to __proto__', () => flippingGetters({ ...real }, '__proto__')),
      made('getters flipping to the real event', () =>
        flippingGetters({ ...real, eventType: 'nothing' }, 'custom'),
      ),
      made('transparent Proxy', () => new Proxy(real, {})),
      made('trapped Proxy', () => trappedProxy({ ...real })),
      made('revoked Proxy', () => revokedProxy({ ...real })),
      made('inherited', () => Object.create(real) as unknown),
      hostileValue.map((h) => ({ kind: 'hostile', make: () => build(h) })),
    );
    fc.assert(
      fc.property(forged, (recipe) => {
        const id = recipe.make();
        const o = outcome(() => reactor.removeSystemEventTrigger(id as TriggerId));
        expectHostileOutcome(o, false, /"id"/);
      }),
      params,
    );
    // The real trigger is still there, and still removable once.
    reactor.removeSystemEventTrigger(real);
    expect(() => reactor.removeSystemEventTrigger(real)).toThrow(/"id"/);
  });
});

describe('the reactor', () => {
  it('run(options) with getters, Proxies, polluting keys', () => {
    fc.assert(
      fc.property(hostileOptions({ installSignalHandlers: false }, 'yes'), (h) => {
        const options = h.make();
        const valid = h.valid;
        const reactor = new Reactor();
        const o = outcome(() => reactor.run(options as never));
        if (o.ok) reactor.crash();
        expectHostileOutcome(o, valid, /"options(\.\w+)?"/);
      }),
      { ...params, numRuns: 100 },
    );
  });

  it('callLater / DelayedCall with hostile delays and functions', () => {
    const reactor = new Reactor();
    fc.assert(
      fc.property(hostileValue, fc.boolean(), (recipe, asDelay) => {
        const x = build(recipe);
        const o = outcome(() =>
          asDelay ? reactor.callLater(x as number, () => undefined) : reactor.callLater(1, x as () => void),
        );
        if (o.ok) (o.value as { cancel(): void }).cancel();
        // A Proxy of a function is a function: callLater may accept it.
        expectHostileOutcome(o, asDelay ? false : undefined, /"(delay|fn)"/);
        const call = reactor.callLater(100, () => undefined);
        expectHostileOutcome(
          outcome(() => call.reset(x as number)),
          false,
          /"seconds"/,
        );
        expectHostileOutcome(
          outcome(() => call.delay(x as number)),
          false,
          /"seconds"/,
        );
        call.cancel();
      }),
      params,
    );
  });
});

describe('Deferred', () => {
  it('callback / errback / chainDeferred / fromPromise / cancelOn / addTimeout with hostile values', () => {
    const clock = new Clock();
    fc.assert(
      fc.property(hostileValue, (recipe) => {
        const x = build(recipe);
        for (const ok of [true, false]) {
          const d = new Deferred<unknown>();
          const o = outcome(() => (ok ? d.callback(x) : d.errback(x)));
          // Any value may be a result (or a failure's reason) — or be refused with a typed error.
          expectHostileOutcome(o, undefined, /"(result|reason)"/);
          if (o.ok) d.addErrback(() => undefined);
        }
        const d = new Deferred<unknown>();
        expectHostileOutcome(
          outcome(() => d.chainDeferred(x as Deferred<unknown>)),
          false,
          /"d"/,
        );
        expectHostileOutcome(
          outcome(() => d.cancelOn(x as AbortSignal)),
          false,
          /"signal"/,
        );
        expectHostileOutcome(
          outcome(() => d.addTimeout(1, x as Clock)),
          false,
          /"clock"/,
        );
        const fromPromise = outcome(() => Deferred.fromPromise(x as Promise<unknown>));
        expectHostileOutcome(fromPromise, undefined, /"promise"/);
        if (fromPromise.ok) (fromPromise.value as Deferred<unknown>).addErrback(() => undefined);
        void clock;
      }),
      params,
    );
  });

  it('a callback that returns or throws a hostile value fails its chain with a Failure, no more', () => {
    fc.assert(
      fc.property(hostileValue, fc.boolean(), (recipe, asThrow) => {
        const x = build(recipe);
        const d = new Deferred<number>();
        let seen: unknown = 'nothing';
        d.addCallback(() => {
          if (asThrow) throw x;
          return x;
        }).addBoth((r) => {
          seen = r;
          return undefined;
        });
        expectHostileOutcome(
          outcome(() => d.callback(1)),
          true,
          /./,
        );
        expect(seen).not.toBe('nothing');
      }),
      params,
    );
  });

  it('DeferredList and gatherResults options', () => {
    fc.assert(
      fc.property(hostileOptions({ consumeErrors: true }, 'yes'), fc.boolean(), (h, list) => {
        const options = h.make();
        const valid = h.valid;
        const o = outcome(() =>
          list
            ? new DeferredList([succeed(1)], options as never)
            : gatherResults([succeed(1)], options as never),
        );
        expectHostileOutcome(o, valid, /"options(\.\w+)?"/);
      }),
      params,
    );
  });
});

describe('LoopingCall', () => {
  it('the clock and start() with hostile values', () => {
    const clock = new Clock();
    fc.assert(
      fc.property(hostileValue, (recipe) => {
        const x = build(recipe);
        const loop = new LoopingCall(() => undefined);
        expectHostileOutcome(
          outcome(() => {
            loop.clock = x as Clock;
          }),
          false,
          /"clock"/,
        );
        loop.clock = clock;
        const started = outcome(() => loop.start(x as number));
        expectHostileOutcome(started, false, /"interval"/);
        const now = outcome(() => loop.start(1, x as boolean));
        expectHostileOutcome(now, false, /"now"/);
        if (loop.running) loop.stop();
      }),
      params,
    );
  });
});

describe('reactor.resolve (point 11)', () => {
  it('a name node:dns refuses at once (a NUL byte) errbacks DNSLookupError instead of throwing; nothing stays scheduled', () => {
    const reactor = new Reactor();
    // Only names with a NUL byte: node:dns refuses them before any lookup, so nothing is resolved.
    const withNul = fc
      .tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }))
      .map(([a, b]) => `${a}\0${b}`);
    fc.assert(
      fc.property(withNul, (name) => {
        const o = outcome(() => reactor.resolve(name));
        expect(o.ok).toBe(false);
        expect((o as { via: string }).via).toBe('errback');
        const error = (o as { error: Error }).error;
        expect(error.name).toBe('DNSLookupError');
        expect(error.message).toContain('Could not resolve');
        expect(reactor.getDelayedCalls()).toEqual([]);
      }),
      params,
    );
  });
});

describe('listen options are read once (point 8)', () => {
  const reactor = new Reactor();
  const NAMES = /"(options(\.\w+)?|interface|maxPacketSize)"/;

  it.each([
    ['listenUDP', { interface: '127.0.0.1', maxPacketSize: 100, reusePort: false, maxSendQueue: 4096 }],
    [
      'listenMulticast',
      { interface: '127.0.0.1', maxPacketSize: 100, listenMultiple: false, maxSendQueue: 4096 },
    ],
  ] as const)('%s with getters, Proxies, polluting keys', (which, fields) => {
    fc.assert(
      fc.property(hostileOptions(fields, '0.0.0.0'), (h) => {
        const options = h.make();
        const o = outcome(() =>
          which === 'listenUDP'
            ? reactor.listenUDP(0, new DatagramProtocol(), options as never)
            : reactor.listenMulticast(0, new DatagramProtocol(), options as never),
        );
        expectHostileOutcome(o, h.valid, NAMES);
        if (!o.ok) return;
        const port = o.value as {
          getHost(): { host: string };
          maxPacketSize: number;
          stopListening(): unknown;
        };
        // What was checked is what was used: a flipping getter cannot widen the bind to 0.0.0.0.
        if (h.kind !== 'inherited fields') {
          expect(port.getHost().host).toBe('127.0.0.1');
          expect(port.maxPacketSize).toBe(100);
        }
        port.stopListening();
      }),
      { ...params, numRuns: 100 },
    );
  });

  it('a polluted Object.prototype is never read as an option', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.interface = '0.0.0.0';
    proto.maxPacketSize = 1;
    proto.maxSendQueue = 1;
    try {
      const port = reactor.listenUDP(0, new DatagramProtocol(), { interface: '127.0.0.1' });
      expect(port.maxPacketSize).toBe(8192);
      expect(port.maxSendQueue).toBeUndefined();
      port.stopListening();
      const other = reactor.listenUDP(0, new DatagramProtocol());
      expect(other.getHost().host).toBe('0.0.0.0');
      expect(other.maxPacketSize).toBe(8192);
      other.stopListening();
    } finally {
      delete proto.interface;
      delete proto.maxPacketSize;
      delete proto.maxSendQueue;
    }
  });
});

describe('UdpPort methods with hostile arguments', () => {
  const reactor = new Reactor();
  const NAMES =
    /"(datagram|datagrams(\[\d+\])?|addr|addr\[[01]\]|host|port|enabled|options(\.\w+)?)"|host names|IPv4 port/;

  it('write / writeSequence / connect / setBroadcastAllowed / datagrams never let an engine error out', () => {
    const port = reactor.listenUDP(0, new DatagramProtocol(), '127.0.0.1');
    const sink = reactor.listenUDP(0, new DatagramProtocol(), '127.0.0.1');
    const to: [string, number] = ['127.0.0.1', sink.getHost().port];
    fc.assert(
      fc.property(hostileValue, (recipe) => {
        const x = build(recipe);
        expectHostileOutcome(
          outcome(() => port.write(x as Buffer, to)),
          false,
          NAMES,
        );
        expectHostileOutcome(
          outcome(() => port.write(Buffer.from('x'), x as never)),
          false,
          NAMES,
        );
        expectHostileOutcome(
          outcome(() => port.writeSequence(x as Buffer[], to)),
          false,
          NAMES,
        );
        expectHostileOutcome(
          outcome(() => port.writeSequence([Buffer.from('x'), x as Buffer], to)),
          false,
          NAMES,
        );
        const fresh = reactor.listenUDP(0, new DatagramProtocol(), '127.0.0.1');
        expectHostileOutcome(
          outcome(() => fresh.connect(x as string, 9)),
          false,
          NAMES,
        );
        expectHostileOutcome(
          outcome(() => fresh.connect('127.0.0.1', x as number)),
          false,
          NAMES,
        );
        fresh.stopListening();
        expectHostileOutcome(
          outcome(() => port.setBroadcastAllowed(x as boolean)),
          false,
          NAMES,
        );
        const it = outcome(() => port.datagrams(x as never));
        expectHostileOutcome(it, undefined, NAMES);
        if (it.ok) void (it.value as AsyncIterator<unknown>).return?.();
      }),
      params,
    );
    port.stopListening();
    sink.stopListening();
  });

  it('an address or pieces that change after the check are sent as checked, never elsewhere', async () => {
    const got: string[] = [];
    class Sink extends DatagramProtocol {
      override datagramReceived(data: Buffer): void {
        got.push(data.toString());
      }
    }
    const port = reactor.listenUDP(0, new DatagramProtocol(), '127.0.0.1');
    const sink = reactor.listenUDP(0, new Sink(), '127.0.0.1');
    const sinkPort = sink.getHost().port;
    // Checked as loopback; a second read would say 10.0.0.1 (no route here: the send would fail).
    port.write(
      Buffer.from('one'),
      flippingArray(['127.0.0.1', sinkPort], ['10.0.0.1', 9]) as [string, number],
    );
    // Checked as 3 bytes; a second read would hand over a datagram too long to send.
    port.writeSequence(
      flippingArray(
        [Buffer.from('tw'), Buffer.from('o')],
        [Buffer.alloc(70_000), Buffer.alloc(70_000)],
      ) as Buffer[],
      ['127.0.0.1', sinkPort],
    );
    const deadline = Date.now() + 5000;
    while (got.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(got.sort()).toEqual(['one', 'two']);
    expect(port.stats().errors).toBe(0);
    await Promise.all([port.stopListening(), sink.stopListening()]);
  });
});

describe('MulticastPort methods with hostile arguments', () => {
  it('joinGroup / leaveGroup / source joins / setTTL / setLoopbackMode / setOutgoingInterface', async () => {
    // Host names go to an owner that resolves none: no DNS lookup leaves the process.
    const owner = new LiteralOwner();
    const port = listenMulticast(owner, 0, new DatagramProtocol(), { listenMultiple: true });
    const NAMES = /"(addr|iface|group|source|ttl|mode)"|Could not (join|leave)|resolve host names/;
    fc.assert(
      fc.property(hostileValue, (recipe) => {
        const x = build(recipe);
        // Joins happen on 127.0.0.1 only, and never with a valid group and a hostile interface.
        for (const call of [
          () => port.joinGroup(x as string, '127.0.0.1'),
          () => port.leaveGroup(x as string, '127.0.0.1'),
          () => port.joinGroup('228.0.0.5', x as string),
          () => port.joinSourceGroup(x as string, '232.1.2.3', '127.0.0.1'),
          () => port.joinSourceGroup('127.0.0.1', x as string, '127.0.0.1'),
          () => port.setTTL(x as number),
          () => port.setLoopbackMode(x as boolean),
          () => port.setOutgoingInterface(x as string),
        ]) {
          expectHostileOutcome(outcome(call), false, NAMES);
        }
      }),
      params,
    );
    expect(port.getTTL()).toBe(1);
    await owner.stopAll();
  });
});

describe('VirtualNetwork options', () => {
  it('new VirtualNetwork(options), setLink and addHost with getters, Proxies, polluting keys', () => {
    fc.assert(
      fc.property(hostileOptions({ latency: 0.01, loss: 0, seed: 7 }, -1), (h) => {
        const o = outcome(() => new VirtualNetwork(h.make() as never));
        expectHostileOutcome(o, h.valid, /"options(\.\w+)?"/);
        if (o.ok && h.kind === 'flipping getters') expect((o.value as VirtualNetwork).seed).toBe(7);
        const network = new VirtualNetwork();
        const host = outcome(() => network.addHost('10.0.0.1', h.make() as never));
        expectHostileOutcome(
          host,
          h.kind === 'transparent Proxy' || h.kind === 'flipping getters' ? false : undefined,
          /"options(\.\w+)?"/,
        );
      }),
      { ...params, numRuns: 100 },
    );
  });
});

describe('the oracle itself', () => {
  it('flags an engine TypeError and an accepted hostile input', () => {
    let engine: unknown;
    try {
      void (revokedProxy() as { x: number }).x;
    } catch (e) {
      engine = e;
    }
    expect(() => expectHostileOutcome({ ok: false, error: engine, via: 'throw' }, false, /x/)).toThrow(
      /uncoded/,
    );
    expect(() => expectHostileOutcome({ ok: true, value: 1 }, false, /x/)).toThrow(/accepted/);
    expect(() =>
      expectHostileOutcome({ ok: false, error: new HostileError('x'), via: 'throw' }, false, /y/),
    ).not.toThrow();
  });
});
