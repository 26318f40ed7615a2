import { describe, expect, test } from 'vitest';
import { Deferred } from '../../src/defer/deferred.ts';
import { Failure } from '../../src/failure.ts';
import { reactor } from '../../src/reactor/index.ts';
import { Clock } from '../../src/task/clock.ts';
import { LoopingCall } from '../../src/task/looping-call.ts';

function outcome<T>(d: Deferred<T>): { result?: T; failure?: Failure } {
  const out: { result?: T; failure?: Failure } = {};
  d.addCallbacks(
    (r) => {
      out.result = r;
      return undefined;
    },
    (f: Failure) => {
      out.failure = f;
      return undefined;
    },
  );
  return out;
}

function looping<A extends unknown[]>(clock: Clock, fn: (...args: A) => unknown, ...args: A): LoopingCall<A> {
  const loop = new LoopingCall(fn, ...args);
  loop.clock = clock;
  return loop;
}

describe('LoopingCall', () => {
  test('calls now and then on every interval, with its arguments', () => {
    const clock = new Clock();
    const seen: [string, number][] = [];
    const loop = looping(clock, (tag: string) => seen.push([tag, clock.seconds()]), 'x');
    loop.start(10);
    expect(loop.running).toBe(true);
    expect(loop.interval).toBe(10);
    clock.pump([5, 5, 5, 5, 10]);
    expect(seen).toEqual([
      ['x', 0],
      ['x', 10],
      ['x', 20],
      ['x', 30],
    ]);
  });

  test('with now = false the first call waits one interval', () => {
    const clock = new Clock();
    const seen: number[] = [];
    const loop = looping(clock, () => seen.push(clock.seconds()));
    loop.start(3, false);
    expect(seen).toEqual([]);
    clock.advance(3);
    expect(seen).toEqual([3]);
  });

  test('stop fires the start Deferred with the LoopingCall and cancels the next call', () => {
    const clock = new Clock();
    let calls = 0;
    const loop = looping(clock, () => calls++);
    const done = outcome(loop.start(1));
    clock.advance(1);
    loop.stop();
    expect(loop.running).toBe(false);
    expect(done.result).toBe(loop);
    expect(clock.getDelayedCalls()).toEqual([]);
    clock.advance(5);
    expect(calls).toBe(2);
  });

  test('keeps to the interval grid: overrun intervals are skipped, not run twice', () => {
    const clock = new Clock();
    const seen: number[] = [];
    const loop = looping(clock, () => seen.push(clock.seconds()));
    loop.start(10);
    clock.advance(25); // the call due at 10 runs at 25; 20 is skipped; the next is at 30
    expect(seen).toEqual([0, 25]);
    expect(clock.getDelayedCalls().map((c) => c.getTime())).toEqual([30]);
    clock.advance(5);
    expect(seen).toEqual([0, 25, 30]);
  });

  test('waits for a Deferred returned by the function before scheduling the next call', () => {
    const clock = new Clock();
    const pending: Deferred<void>[] = [];
    const seen: number[] = [];
    const loop = looping(clock, () => {
      seen.push(clock.seconds());
      const d = new Deferred<void>();
      pending.push(d);
      return d;
    });
    loop.start(10);
    clock.advance(30);
    expect(seen).toEqual([0]);
    expect(clock.getDelayedCalls()).toEqual([]);
    clock.advance(5); // t = 35
    pending[0].callback(undefined);
    // The next call is at the next point of the grid.
    expect(clock.getDelayedCalls().map((c) => c.getTime())).toEqual([40]);
    clock.advance(5);
    expect(seen).toEqual([0, 40]);
  });

  test('stop while the function’s Deferred is pending fires once that Deferred does', () => {
    const clock = new Clock();
    const inner = new Deferred<void>();
    const loop = looping(clock, () => inner);
    const done = outcome(loop.start(1));
    loop.stop();
    expect(done.result).toBeUndefined();
    inner.callback(undefined);
    expect(done.result).toBe(loop);
    expect(clock.getDelayedCalls()).toEqual([]);
  });

  test('an exception in the function errbacks the start Deferred and stops the loop', () => {
    const clock = new Clock();
    let calls = 0;
    const loop = looping(clock, () => {
      calls++;
      if (calls === 2) throw new Error('second call fails');
    });
    const done = outcome(loop.start(1));
    clock.advance(1);
    expect(done.failure?.getErrorMessage()).toBe('second call fails');
    expect(loop.running).toBe(false);
    clock.advance(5);
    expect(calls).toBe(2);
    expect(clock.getDelayedCalls()).toEqual([]);
  });

  test('a failed Deferred or rejected Promise from the function errbacks the start Deferred', async () => {
    const clock = new Clock();
    const d = new Deferred<void>();
    const loop = looping(clock, () => d);
    const done = outcome(loop.start(1));
    d.errback(new Error('deferred failed'));
    expect(done.failure?.getErrorMessage()).toBe('deferred failed');
    expect(loop.running).toBe(false);

    const loop2 = looping(clock, () => Promise.reject(new Error('promise rejected')));
    const done2 = outcome(loop2.start(1));
    await new Promise((r) => setImmediate(r));
    expect(done2.failure?.getErrorMessage()).toBe('promise rejected');
    expect(loop2.running).toBe(false);
  });

  test('withCount reports how many intervals passed, including skipped ones', () => {
    const clock = new Clock();
    const counts: [number, number][] = [];
    const loop = LoopingCall.withCount((n) => counts.push([clock.seconds(), n]));
    loop.clock = clock;
    loop.start(10);
    clock.advance(10);
    clock.advance(35); // t = 45: intervals 20, 30 and 40 passed since 10
    clock.advance(5);
    expect(counts).toEqual([
      [0, 1],
      [10, 1],
      [45, 3],
      [50, 1],
    ]);
  });

  test('withCount with now = false counts the first interval once', () => {
    const clock = new Clock();
    const counts: number[] = [];
    const loop = LoopingCall.withCount((n) => counts.push(n));
    loop.clock = clock;
    loop.start(2, false);
    clock.advance(2);
    expect(counts).toEqual([1]);
  });

  test('an interval of 0 calls on every turn of the clock (withCount gives 1)', () => {
    const clock = new Clock();
    const counts: number[] = [];
    const loop: LoopingCall<[]> = LoopingCall.withCount((n) => {
      counts.push(n);
      if (counts.length === 5) loop.stop();
    });
    loop.clock = clock;
    const done = outcome(loop.start(0, false));
    clock.advance(0);
    expect(counts).toEqual([1, 1, 1, 1, 1]);
    expect(done.result).toBe(loop);
  });

  test('reset restarts the grid from now', () => {
    const clock = new Clock();
    const seen: number[] = [];
    const loop = looping(clock, () => seen.push(clock.seconds()));
    loop.start(10);
    clock.advance(7);
    loop.reset();
    expect(loop.starttime).toBe(7);
    clock.advance(3);
    expect(seen).toEqual([0]);
    clock.advance(7);
    expect(seen).toEqual([0, 17]);
  });

  test('misuse: negative interval, starting twice, stopping or resetting when not running', () => {
    const clock = new Clock();
    const loop = looping(clock, () => {});
    expect(() => loop.start(-1)).toThrow(RangeError);
    expect(() => loop.start(NaN)).toThrow(RangeError);
    expect(loop.running).toBe(false);
    expect(() => loop.stop()).toThrow(/not running/);
    expect(() => loop.reset()).toThrow(/not running/);
    loop.start(1);
    expect(() => loop.start(1)).toThrow(/already running/);
    expect(() => new LoopingCall('nope' as unknown as () => void)).toThrow(TypeError);
    expect(() => {
      loop.clock = {} as Clock;
    }).toThrow(TypeError);
  });

  test('the clock defaults to the process-wide reactor and is settable', () => {
    const loop = new LoopingCall(() => {});
    expect(loop.clock).toBe(reactor);
    const clock = new Clock();
    loop.clock = clock;
    expect(loop.clock).toBe(clock);
  });

  test('far from the origin, a remainder lost to rounding waits a whole interval instead of spinning', () => {
    const clock = new Clock();
    let calls = 0;
    const loop = looping(clock, () => calls++);
    loop.start(0.1, false);
    // At t = 1e9 + 0.1 the time to the next grid point (3e-8 s) is below the resolution of a
    // double there: scheduling it would land on "now" again and again.
    clock.advance(1_000_000_000.1);
    expect(calls).toBe(1);
    const [next] = clock.getDelayedCalls();
    expect(next.getTime()).toBeGreaterThan(clock.seconds());
    loop.stop();
  });
});
