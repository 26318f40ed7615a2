import { describe, expect, it } from 'vitest';
import { CancelledError, TimeoutError } from '../../src/errors.ts';
import { Failure } from '../../src/failure.ts';
import type { IDelayedCall, IReactorTime } from '../../src/interfaces.ts';
import { Deferred } from '../../src/defer/deferred.ts';

/**
 * The smallest IReactorTime that can drive addTimeout: calls run when `advance` passes their
 * time. (task/Clock is the real one; this keeps test/defer independent of src/task.)
 */
class FakeClock implements IReactorTime {
  now = 0;
  calls: { time: number; fn: () => void; called: boolean; cancelled: boolean }[] = [];
  seconds(): number {
    return this.now;
  }
  callLater<A extends unknown[]>(delay: number, fn: (...args: A) => unknown, ...args: A): IDelayedCall {
    const entry = { time: this.now + delay, fn: () => void fn(...args), called: false, cancelled: false };
    this.calls.push(entry);
    return {
      getTime: () => entry.time,
      cancel: () => {
        entry.cancelled = true;
      },
      delay: (s: number) => {
        entry.time += s;
      },
      reset: (s: number) => {
        entry.time = this.now + s;
      },
      active: () => !entry.called && !entry.cancelled,
      get called() {
        return entry.called;
      },
      get cancelled() {
        return entry.cancelled;
      },
    };
  }
  getDelayedCalls(): IDelayedCall[] {
    return [];
  }
  pending(): number {
    return this.calls.filter((c) => !c.called && !c.cancelled).length;
  }
  advance(s: number): void {
    this.now += s;
    for (const c of this.calls) {
      if (!c.called && !c.cancelled && c.time <= this.now) {
        c.called = true;
        c.fn();
      }
    }
  }
}

function failureOf(d: Deferred<unknown>): Failure | undefined {
  let f: Failure | undefined;
  d.addErrback((x) => {
    f = x;
  });
  return f;
}

describe('Deferred.addTimeout', () => {
  it('errbacks with TimeoutError when the clock passes the timeout', () => {
    const clock = new FakeClock();
    const d = new Deferred<number>().addTimeout(10, clock);
    clock.advance(9.9);
    expect(d.called).toBe(false);
    clock.advance(0.1);
    const f = failureOf(d)!;
    expect(f.value).toBeInstanceOf(TimeoutError);
    expect(f.value.message).toContain('10 seconds');
    expect((f.value as TimeoutError).code).toBe('ERR_TIMEOUT');
    expect(f.value.cause).toBeInstanceOf(CancelledError);
  });

  it('a result before the timeout cancels the delayed call and passes through', () => {
    const clock = new FakeClock();
    const d = new Deferred<string>().addTimeout(10, clock);
    expect(clock.pending()).toBe(1);
    d.callback('in time');
    expect(clock.pending()).toBe(0);
    clock.advance(20);
    let v: string | undefined;
    d.addCallback((x) => {
      v = x;
    });
    expect(v).toBe('in time');
  });

  it('calls the canceller on timeout; a canceller that fires the Deferred wins', () => {
    const clock = new FakeClock();
    const d = new Deferred<string>((x) => x.callback('from canceller')).addTimeout(1, clock);
    clock.advance(1);
    let v: string | undefined;
    d.addCallback((x) => {
      v = x;
    });
    expect(v).toBe('from canceller');
  });

  it('a canceller errbacking with its own error keeps that error, not TimeoutError', () => {
    class Own extends Error {}
    const clock = new FakeClock();
    const d = new Deferred<string>((x) => x.errback(new Own('mine'))).addTimeout(1, clock);
    clock.advance(1);
    expect(failureOf(d)!.value).toBeInstanceOf(Own);
  });

  it('onTimeoutCancel receives the result and the timeout, and its return value continues the chain', () => {
    const clock = new FakeClock();
    const seen: unknown[] = [];
    const d = new Deferred<string>().addTimeout(3, clock, (result, seconds) => {
      seen.push(result instanceof Failure ? result.value.constructor : result, seconds);
      return 'fallback';
    });
    clock.advance(3);
    expect(seen).toEqual([CancelledError, 3]);
    let v: string | undefined;
    d.addCallback((x) => {
      v = x;
    });
    expect(v).toBe('fallback');
  });

  it('an explicit cancel before the timeout stays a CancelledError', () => {
    const clock = new FakeClock();
    const d = new Deferred<number>().addTimeout(5, clock);
    d.cancel();
    expect(failureOf(d)!.value).toBeInstanceOf(CancelledError);
    expect(clock.pending()).toBe(0);
  });

  it('covers callbacks added before it: a chain waiting on an inner Deferred times out', () => {
    const clock = new FakeClock();
    let innerCancelled = false;
    const inner = new Deferred<number>(() => {
      innerCancelled = true;
    });
    const d = new Deferred<number>();
    d.addCallback(() => inner);
    d.addTimeout(2, clock);
    d.callback(0);
    clock.advance(2);
    expect(innerCancelled).toBe(true);
    expect(failureOf(d)!.value).toBeInstanceOf(TimeoutError);
  });

  it('validates its arguments', () => {
    const clock = new FakeClock();
    const d = new Deferred();
    expect(() => d.addTimeout(-1, clock)).toThrow(RangeError);
    expect(() => d.addTimeout(Number.NaN, clock)).toThrow(/"seconds"/);
    expect(() => d.addTimeout('1' as never, clock)).toThrow(TypeError);
    expect(() => d.addTimeout(1, {} as never)).toThrow(/"clock"/);
    expect(() => d.addTimeout(1, clock, 'x' as never)).toThrow(/"onTimeoutCancel"/);
    expect(clock.pending()).toBe(0);
  });
});
