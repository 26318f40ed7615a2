// The Reactor inside the test process: independent `new Reactor()` instances, run without signal
// handlers. Lifecycle behaviour that involves the process itself (keep-alive, exit, signals) is
// tested in child processes in lifecycle.test.ts.
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { Deferred } from '../../src/defer/deferred.ts';
import {
  DNSLookupError,
  ReactorAlreadyRunning,
  ReactorNotRestartable,
  ReactorNotRunning,
} from '../../src/errors.ts';
import type { IListeningPort } from '../../src/interfaces.ts';
import { addObserver, defaultErrorObserver, removeObserver, type LogEvent } from '../../src/log/log.ts';
import { Reactor } from '../../src/reactor/reactor.ts';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

let logged: LogEvent[];
const observer = (e: LogEvent): void => {
  logged.push(e);
};
// Errors are expected here: record them instead of letting the default observer print them.
beforeEach(() => {
  logged = [];
  addObserver(observer);
  removeObserver(defaultErrorObserver);
});
afterEach(() => {
  removeObserver(observer);
  addObserver(defaultErrorObserver);
});

const errors = (): string[] => logged.filter((e) => e.isError).map((e) => e.failure!.getErrorMessage());

/** A port that records its stop and answers with `result` (a Deferred, or a throw). */
function fakePort(
  events: string[],
  name: string,
  result: 'ok' | 'throw' | 'fail' | Deferred<void>,
): IListeningPort {
  return {
    stopListening() {
      events.push(`stop ${name}`);
      if (result === 'throw') throw new Error(`${name} cannot stop`);
      if (result === 'fail') {
        const d = new Deferred<void>();
        d.errback(new Error(`${name} failed to close`));
        return d;
      }
      if (result === 'ok') {
        const d = new Deferred<void>();
        d.callback(undefined);
        return d;
      }
      return result;
    },
    getHost() {
      throw new Error('not used');
    },
    toString() {
      return `<port ${name}>`;
    },
  } as IListeningPort;
}

describe('Reactor: delayed calls', () => {
  test('callLater runs calls in time order, and equal times in scheduling order', async () => {
    const r = new Reactor();
    const seen: string[] = [];
    const done = new Deferred<void>();
    r.callLater(0.03, () => {
      seen.push('late');
      done.callback(undefined);
    });
    for (let i = 0; i < 5; i++) r.callLater(0.01, (n: number) => seen.push(`tie${n}`), i);
    r.callLater(0, () => seen.push('first'));
    await done;
    expect(seen).toEqual(['first', 'tie0', 'tie1', 'tie2', 'tie3', 'tie4', 'late']);
    expect(r.getDelayedCalls()).toEqual([]);
    expect(r.armedFor).toBe(Infinity);
  });

  test('callLater validates its arguments', () => {
    const r = new Reactor();
    expect(() => r.callLater(-0.1, () => {})).toThrow(RangeError);
    expect(() => r.callLater(NaN, () => {})).toThrow(RangeError);
    expect(() => r.callLater(Infinity, () => {})).toThrow(RangeError);
    expect(() => r.callLater('1' as unknown as number, () => {})).toThrow(TypeError);
    expect(() => r.callLater(1, null as unknown as () => void)).toThrow(TypeError);
    expect(r.getDelayedCalls()).toEqual([]);
  });

  test('an exception in a delayed call is logged with its stack and the others still run', async () => {
    const r = new Reactor();
    const done = new Deferred<void>();
    r.callLater(0, function explode() {
      throw new Error('delayed boom');
    });
    r.callLater(0, () => done.callback(undefined));
    await done;
    const event = logged.find((e) => e.isError)!;
    expect(event.failure!.getErrorMessage()).toBe('delayed boom');
    expect(event.failure!.getTraceback()).toContain('explode');
    expect(event.why).toContain('explode');
  });

  test('a call that reschedules itself with delay 0 does not starve the event loop', async () => {
    const r = new Reactor();
    let count = 0;
    const again = (): void => {
      count++;
      call = r.callLater(0, again);
    };
    let call = r.callLater(0, again);
    await new Promise((resolve) => setTimeout(resolve, 30));
    // The timeout above got its turn: each pass ran only the calls due when it began.
    expect(count).toBeGreaterThan(0);
    call.cancel();
    expect(r.armedFor).toBe(Infinity);
  });

  test('getDelayedCalls lists active calls only; cancelling the last disarms the timer', () => {
    const r = new Reactor();
    const a = r.callLater(10, () => {});
    const b = r.callLater(20, () => {});
    expect(new Set(r.getDelayedCalls())).toEqual(new Set([a, b]));
    expect(r.armedFor).toBe(a.getTime());
    a.cancel();
    expect(r.getDelayedCalls()).toEqual([b]);
    b.cancel();
    expect(r.getDelayedCalls()).toEqual([]);
    expect(r.armedFor).toBe(Infinity);
  });

  test('seconds() is epoch time in seconds', () => {
    const r = new Reactor();
    expect(Math.abs(r.seconds() - Date.now() / 1000)).toBeLessThan(5);
    const call = r.callLater(2, () => {});
    expect(call.getTime() - r.seconds()).toBeGreaterThan(1.9);
    expect(call.getTime() - r.seconds()).toBeLessThanOrEqual(2);
    call.cancel();
  });

  test('cancelling a million calls frees their slots', () => {
    const r = new Reactor();
    const calls = Array.from({ length: 1_000_000 }, (_, i) => r.callLater(1000 + i, () => {}));
    expect(r.timerQueue.heap.slots).toBe(1_000_000);
    for (const c of calls) c.cancel();
    expect(r.getDelayedCalls()).toEqual([]);
    expect(r.timerQueue.heap.slots).toBeLessThan(1000);
    expect(r.timerQueue.heap.capacity).toBeLessThan(2048);
    expect(r.armedFor).toBe(Infinity);
  });

  test('a call 2^53 ms away neither overflows the Node timer nor blocks a nearer call', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w);
    };
    process.on('warning', onWarning);
    try {
      const r = new Reactor();
      const far = r.callLater(2 ** 53 / 1000, () => {});
      const done = new Deferred<void>();
      r.callLater(0.01, () => done.callback(undefined));
      await done;
      await turn();
      expect(far.active()).toBe(true);
      expect(r.armedFor).toBe(far.getTime());
      far.cancel();
      expect(r.armedFor).toBe(Infinity);
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.name === 'TimeoutOverflowWarning')).toEqual([]);
  });

  describe('with fake timers', () => {
    beforeEach(() => {
      vi.useFakeTimers({
        toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'performance', 'Date'],
      });
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    test('a call 100 days away is reached by re-arming in steps of at most 2^31-1 ms', () => {
      const r = new Reactor();
      let ran = false;
      const day = 86_400;
      const call = r.callLater(100 * day, () => (ran = true));
      for (let i = 0; i < 4; i++) {
        // The one timer is never armed beyond Node's limit.
        expect(vi.getTimerCount()).toBe(1);
        vi.advanceTimersByTime(2 ** 31 - 1);
        expect(ran).toBe(false);
      }
      vi.advanceTimersByTime(100 * day * 1000 - 4 * (2 ** 31 - 1) - 1);
      expect(ran).toBe(false);
      vi.advanceTimersByTime(2);
      expect(ran).toBe(true);
      expect(call.called).toBe(true);
      expect(vi.getTimerCount()).toBe(0);
    });

    test('reset and delay move the timer', () => {
      const r = new Reactor();
      const seen: string[] = [];
      const a = r.callLater(10, () => seen.push('a'));
      r.callLater(20, () => seen.push('b'));
      a.delay(15); // due at 25
      vi.advanceTimersByTime(20_000);
      expect(seen).toEqual(['b']);
      a.reset(1); // due at 21
      expect(r.armedFor).toBe(a.getTime());
      vi.advanceTimersByTime(1000);
      expect(seen).toEqual(['b', 'a']);
      expect(vi.getTimerCount()).toBe(0);
    });
  });
});

describe('Reactor: lifecycle', () => {
  test('startup: before (waiting on its Deferred) → running → during → after (callWhenRunning, in order)', async () => {
    const r = new Reactor();
    const events: string[] = [];
    const gate = new Deferred<void>();
    r.addSystemEventTrigger('before', 'startup', () => {
      events.push(`before running=${r.running}`);
      return gate;
    });
    r.addSystemEventTrigger('during', 'startup', () => events.push(`during running=${r.running}`));
    r.callWhenRunning(() => events.push('cwr1'));
    r.addSystemEventTrigger('after', 'startup', () => events.push(`after running=${r.running}`));
    r.callWhenRunning((x: string) => events.push(`cwr2 ${x}`), 'arg');
    r.on('startup', () => events.push('event startup'));
    const done = r.run({ installSignalHandlers: false });
    expect(events).toEqual(['before running=false']);
    expect(r.running).toBe(false);
    gate.callback(undefined);
    expect(events).toEqual([
      'before running=false',
      'during running=true',
      'cwr1',
      'after running=true',
      'cwr2 arg',
      'event startup',
    ]);
    // Running: callWhenRunning calls at once.
    expect(r.callWhenRunning(() => events.push('now'))).toBeUndefined();
    expect(events.at(-1)).toBe('now');
    r.stop();
    await done;
  });

  test('run while running throws ReactorAlreadyRunning synchronously; run after stop throws ReactorNotRestartable', async () => {
    const r = new Reactor();
    const done = r.run({ installSignalHandlers: false });
    expect(() => r.run({ installSignalHandlers: false })).toThrow(ReactorAlreadyRunning);
    r.stop();
    expect(() => r.stop()).toThrow(ReactorNotRunning);
    await done;
    expect(() => r.run({ installSignalHandlers: false })).toThrow(ReactorNotRestartable);
    expect(() => new Reactor().stop()).toThrow(ReactorNotRunning);
  });

  test('run validates its options', () => {
    const r = new Reactor();
    expect(() => r.run({ installSignalHandlers: 'no' as unknown as boolean })).toThrow(TypeError);
    expect(() => r.run(null as unknown as object)).toThrow(TypeError);
    expect(r.running).toBe(false);
  });

  test('shutdown: after stop() returns; before (waiting) → during (ports stopped) → after → run() resolves', async () => {
    const r = new Reactor();
    const events: string[] = [];
    const beforeGate = new Deferred<void>();
    const slowPort = new Deferred<void>();
    r.registerPort(fakePort(events, 'A', 'throw'));
    r.registerPort(fakePort(events, 'B', 'fail'));
    r.registerPort(fakePort(events, 'C', slowPort));
    const gone = fakePort(events, 'D', 'ok');
    r.registerPort(gone);
    r.unregisterPort(gone);
    expect(r.getListeningPorts().map(String)).toEqual(['<port A>', '<port B>', '<port C>']);

    r.addSystemEventTrigger('before', 'shutdown', () => {
      events.push(`before running=${r.running}`);
      return beforeGate;
    });
    r.addSystemEventTrigger('before', 'shutdown', () => {
      events.push('before 2 (promise)');
      return Promise.resolve();
    });
    r.addSystemEventTrigger('during', 'shutdown', () => events.push(`during running=${r.running}`));
    r.addSystemEventTrigger('after', 'shutdown', () => events.push('after'));
    r.on('shutdown', () => events.push('event shutdown'));
    const done = r.run({ installSignalHandlers: false }).then(() => events.push('run resolved'));
    const pending = r.callLater(0.001, () => {});
    const never = r.callLater(1000, () => events.push('never'));

    r.stop();
    events.push('stop returned');
    expect(events).toEqual(['stop returned']);
    await turn();
    await turn();
    expect(events).toEqual(['stop returned', 'before running=true', 'before 2 (promise)']);
    // Delayed calls still run while shutdown waits.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(pending.called).toBe(true);
    beforeGate.callback(undefined);
    await turn();
    expect(events.slice(3)).toEqual(['stop A', 'stop B', 'stop C', 'during running=false']);
    slowPort.callback(undefined);
    await done;
    expect(events.slice(7)).toEqual(['after', 'event shutdown', 'run resolved']);
    expect(errors()).toEqual(['A cannot stop', 'B failed to close']);
    expect(logged.filter((e) => e.isError).map((e) => e.why)).toEqual([
      'Error stopping <port A> during shutdown',
      'Error stopping <port B> during shutdown',
    ]);
    // Afterwards no pending call runs and nothing is armed.
    expect(never.called).toBe(false);
    expect(r.getDelayedCalls()).toEqual([]);
    expect(r.armedFor).toBe(Infinity);
    expect(r.getListeningPorts()).toEqual([]);
  });

  test('stop() from a before-startup trigger waits for startup to finish', async () => {
    const r = new Reactor();
    const events: string[] = [];
    r.addSystemEventTrigger('before', 'startup', () => r.stop());
    r.callWhenRunning(() => events.push('running'));
    r.addSystemEventTrigger('before', 'shutdown', () => events.push('shutting down'));
    await r.run({ installSignalHandlers: false });
    expect(events).toEqual(['running', 'shutting down']);
  });

  test('crash stops at once without shutdown triggers, and the reactor may run again', async () => {
    const r = new Reactor();
    const events: string[] = [];
    r.addSystemEventTrigger('before', 'shutdown', () => events.push('shutdown trigger'));
    const first = r.run({ installSignalHandlers: false });
    expect(r.running).toBe(true);
    r.crash();
    expect(r.running).toBe(false);
    await first;
    expect(events).toEqual([]);
    expect(() => r.stop()).toThrow(ReactorNotRunning);
    r.callWhenRunning(() => events.push('running again'));
    const second = r.run({ installSignalHandlers: false });
    expect(events).toEqual(['running again']);
    r.stop();
    await second;
    expect(events).toEqual(['running again', 'shutdown trigger']);
  });

  test('crash() right after stop() cancels the shutdown that stop() scheduled', async () => {
    const r = new Reactor();
    const events: string[] = [];
    r.addSystemEventTrigger('before', 'shutdown', () => events.push('shutdown trigger'));
    const port = fakePort(events, 'port', 'ok');
    const run = r.run({ installSignalHandlers: false });
    r.registerPort(port);
    const call = r.callLater(60, () => {});
    r.stop();
    r.crash();
    await run;
    await turn();
    await turn();
    // As in Twisted, crash() ends the loop before the shutdown event fires: ports stay open and
    // pending calls stay scheduled, as crash() documents.
    expect(events).toEqual([]);
    expect(r.getListeningPorts()).toEqual([port]);
    expect(call.active()).toBe(true);
    call.cancel();
  });

  test('a Deferred returned by a before-shutdown trigger keeps its result for its other users', async () => {
    const r = new Reactor();
    const d = new Deferred<string>();
    r.addSystemEventTrigger('before', 'shutdown', () => d);
    const run = r.run({ installSignalHandlers: false });
    r.stop();
    await turn();
    d.callback('value');
    await run;
    // As in Twisted (a DeferredList leaves a success result alone), waiting on it does not eat it.
    const seen: unknown[] = [];
    d.addCallback((v) => seen.push(v));
    expect(seen).toEqual(['value']);
  });

  test('a port registered after shutdown stopped the ports is stopped too, not forgotten open', async () => {
    const r = new Reactor();
    const events: string[] = [];
    const late = fakePort(events, 'late port', 'ok');
    // E.g. a retransmission timer or a trigger that opens a port while the others are closing:
    // forgetting it would leave a socket holding the process open after run() resolved.
    r.addSystemEventTrigger('during', 'shutdown', () => r.registerPort(late));
    const run = r.run({ installSignalHandlers: false });
    r.stop();
    await run;
    expect(events).toEqual(['stop late port']);
  });

  test('delayed calls work without run()', async () => {
    const r = new Reactor();
    const d = new Deferred<string>();
    r.callLater(0.005, (v: string) => d.callback(v), 'no run needed');
    expect(await d).toBe('no run needed');
  });
});

describe('Reactor: system event triggers', () => {
  test('fireSystemEvent runs the three phases; triggers run once', () => {
    const r = new Reactor();
    const events: string[] = [];
    r.addSystemEventTrigger('after', 'custom', () => events.push('after'));
    r.addSystemEventTrigger(
      'during',
      'custom',
      (a: number, b: number) => events.push(`during ${a + b}`),
      1,
      2,
    );
    r.addSystemEventTrigger('before', 'custom', () => events.push('before'));
    r.fireSystemEvent('custom');
    expect(events).toEqual(['before', 'during 3', 'after']);
    r.fireSystemEvent('custom');
    expect(events).toHaveLength(3);
  });

  test('an exception in a trigger is logged and the others still run', () => {
    const r = new Reactor();
    const events: string[] = [];
    r.addSystemEventTrigger('before', 'custom', () => {
      throw new Error('trigger boom');
    });
    r.addSystemEventTrigger('before', 'custom', () => events.push('second before'));
    r.addSystemEventTrigger('during', 'custom', () => events.push('during'));
    r.fireSystemEvent('custom');
    expect(events).toEqual(['second before', 'during']);
    expect(errors()).toEqual(['trigger boom']);
    expect(logged.find((e) => e.isError)!.why).toContain("system event 'custom'");
  });

  test('a failed Deferred from a before trigger is logged and the event goes on', () => {
    const r = new Reactor();
    const events: string[] = [];
    const d = new Deferred<void>();
    r.addSystemEventTrigger('before', 'custom', () => d);
    r.addSystemEventTrigger('after', 'custom', () => events.push('after'));
    r.fireSystemEvent('custom');
    expect(events).toEqual([]);
    d.errback(new Error('before failed'));
    expect(events).toEqual(['after']);
    expect(errors()).toEqual(['before failed']);
  });

  test('removeSystemEventTrigger removes; removing a pending trigger from another prevents it', () => {
    const r = new Reactor();
    const events: string[] = [];
    const removed = r.addSystemEventTrigger('during', 'custom', () => events.push('removed'));
    r.removeSystemEventTrigger(removed);
    const victim = r.addSystemEventTrigger('after', 'custom', () => events.push('victim'));
    r.addSystemEventTrigger('before', 'custom', () => {
      events.push('remover');
      r.removeSystemEventTrigger(victim);
    });
    // A later trigger of the same phase, removed by an earlier one, does not run either.
    r.addSystemEventTrigger('during', 'custom', () => r.removeSystemEventTrigger(victim2));
    const victim2 = r.addSystemEventTrigger('during', 'custom', () => events.push('victim2'));
    r.fireSystemEvent('custom');
    expect(events).toEqual(['remover']);
  });

  test('removing an unknown, removed or fired trigger is a clear error', () => {
    const r = new Reactor();
    const id = r.addSystemEventTrigger('before', 'custom', () => {});
    r.removeSystemEventTrigger(id);
    expect(() => r.removeSystemEventTrigger(id)).toThrow(/No pending 'before' trigger .* 'custom'/);
    const fired = r.addSystemEventTrigger('after', 'custom', () => {});
    r.fireSystemEvent('custom');
    expect(() => r.removeSystemEventTrigger(fired)).toThrow(/already run/);
    expect(() => r.removeSystemEventTrigger({ phase: 'during', eventType: 'nope', id: 12345 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
    expect(() => r.removeSystemEventTrigger(undefined as never)).toThrow(TypeError);
  });

  test('addSystemEventTrigger validates its arguments', () => {
    const r = new Reactor();
    expect(() => r.addSystemEventTrigger('sometime' as 'before', 'custom', () => {})).toThrow(
      /'before', 'during' or 'after'/,
    );
    expect(() => r.addSystemEventTrigger('before', 3 as unknown as string, () => {})).toThrow(TypeError);
    expect(() => r.addSystemEventTrigger('before', 'custom', 'f' as unknown as () => void)).toThrow(
      TypeError,
    );
  });

  test('callFromThread runs on the next turn; its exceptions are logged', async () => {
    const r = new Reactor();
    const events: string[] = [];
    r.callFromThread((x: string) => events.push(x), 'soon');
    r.callFromThread(() => {
      throw new Error('thread boom');
    });
    expect(events).toEqual([]);
    await turn();
    expect(events).toEqual(['soon']);
    expect(errors()).toEqual(['thread boom']);
  });
});

describe('Reactor: resolve and ports', () => {
  test('IP literals and the empty name answer at once', () => {
    const r = new Reactor();
    const results: string[] = [];
    for (const name of ['127.0.0.1', '::1', 'fe80::1%lo', '']) {
      r.resolve(name).addCallback((a) => results.push(a));
    }
    expect(results).toEqual(['127.0.0.1', '::1', 'fe80::1%lo', '0.0.0.0']);
    expect(r.getDelayedCalls()).toEqual([]);
  });

  test('localhost resolves (IPv4 preferred) and the timeout call is cancelled', async () => {
    const r = new Reactor();
    const address = await r.resolve('localhost', 5);
    expect(['127.0.0.1', '::1']).toContain(address);
    expect(r.getDelayedCalls()).toEqual([]);
  });

  test('an unknown name errbacks with DNSLookupError', async () => {
    const r = new Reactor();
    await expect(r.resolve('no-such-host.invalid', 10).asPromise()).rejects.toBeInstanceOf(DNSLookupError);
    expect(r.getDelayedCalls()).toEqual([]);
  });

  test('cancelling a lookup cancels its timeout', () => {
    const r = new Reactor();
    const d = r.resolve('no-such-host.invalid', 10);
    d.addErrback(() => undefined);
    expect(r.getDelayedCalls()).toHaveLength(1);
    d.cancel();
    expect(r.getDelayedCalls()).toEqual([]);
  });

  test('resolve and registerPort validate their arguments', () => {
    const r = new Reactor();
    expect(() => r.resolve(3 as unknown as string)).toThrow(TypeError);
    expect(() => r.resolve('localhost', -1)).toThrow(RangeError);
    expect(() => r.registerPort({} as IListeningPort)).toThrow(TypeError);
  });
});
