import { describe, expect, test } from 'vitest';
import { Deferred } from '../../src/defer/deferred.ts';
import { CancelledError } from '../../src/errors.ts';
import { Failure } from '../../src/failure.ts';
import { Clock } from '../../src/task/clock.ts';
import { deferLater } from '../../src/task/defer-later.ts';

function outcome<T>(d: Deferred<T>): { result?: T; failure?: Failure; fired: boolean } {
  const out: { result?: T; failure?: Failure; fired: boolean } = { fired: false };
  d.addCallbacks(
    (r) => {
      Object.assign(out, { result: r, fired: true });
      return undefined;
    },
    (f: Failure) => {
      Object.assign(out, { failure: f, fired: true });
      return undefined;
    },
  );
  return out;
}

describe('deferLater', () => {
  test("fires with the function's result after the delay", () => {
    const clock = new Clock();
    const out = outcome(deferLater(clock, 3, (a: number, b: number) => a + b, 2, 5));
    clock.advance(2.9);
    expect(out.fired).toBe(false);
    clock.advance(0.1);
    expect(out.result).toBe(7);
  });

  test('without a function it fires with undefined', () => {
    const clock = new Clock();
    const out = outcome(deferLater(clock, 1));
    clock.advance(1);
    expect(out.fired).toBe(true);
    expect(out.result).toBeUndefined();
  });

  test('an exception in the function becomes a failure', () => {
    const clock = new Clock();
    const out = outcome(
      deferLater(clock, 1, () => {
        throw new Error('late boom');
      }),
    );
    clock.advance(1);
    expect(out.failure?.getErrorMessage()).toBe('late boom');
  });

  test('waits for a Deferred returned by the function', () => {
    const clock = new Clock();
    const inner = new Deferred<string>();
    const out = outcome(deferLater(clock, 1, () => inner));
    clock.advance(1);
    expect(out.fired).toBe(false);
    inner.callback('inner');
    expect(out.result).toBe('inner');
  });

  test('cancelling it cancels the delayed call and errbacks with CancelledError', () => {
    const clock = new Clock();
    let ran = false;
    const d = deferLater(clock, 5, () => (ran = true));
    const out = outcome(d);
    expect(clock.getDelayedCalls()).toHaveLength(1);
    d.cancel();
    expect(out.failure?.value).toBeInstanceOf(CancelledError);
    expect(clock.getDelayedCalls()).toEqual([]);
    clock.advance(10);
    expect(ran).toBe(false);
  });

  test('validates its arguments', () => {
    const clock = new Clock();
    expect(() => deferLater({} as Clock, 1)).toThrow(TypeError);
    expect(() => deferLater(clock, -1)).toThrow(RangeError);
    expect(() => deferLater(clock, 1, 'x' as unknown as () => void)).toThrow(TypeError);
    expect(clock.getDelayedCalls()).toEqual([]);
  });
});
