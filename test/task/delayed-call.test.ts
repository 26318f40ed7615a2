import { afterEach, describe, expect, test } from 'vitest';
import { AlreadyCalled, AlreadyCancelled } from '../../src/errors.ts';
import { Clock } from '../../src/task/clock.ts';
import { DelayedCall } from '../../src/task/delayed-call.ts';

describe('DelayedCall', () => {
  afterEach(() => {
    DelayedCall.debug = false;
  });

  test('getTime, active, called and cancelled follow its life', () => {
    const clock = new Clock();
    clock.advance(10);
    const call = clock.callLater(5, () => {});
    expect(call.getTime()).toBe(15);
    expect(call.active()).toBe(true);
    expect(call.called).toBe(false);
    expect(call.cancelled).toBe(false);
    clock.advance(5);
    expect(call.active()).toBe(false);
    expect(call.called).toBe(true);
    expect(call.cancelled).toBe(false);
  });

  test('func and args read back what was scheduled, and the function runs with them', () => {
    const clock = new Clock();
    const seen: unknown[][] = [];
    const withArgs = function (this: unknown, n: number, s: string) {
      seen.push([this, n, s]);
    };
    const without = function (this: unknown) {
      seen.push([this]);
    };
    const a = clock.callLater(1, withArgs, 1, 'a');
    const b = clock.callLater(1, without);
    expect(a.func).toBe(withArgs);
    expect(a.args).toEqual([1, 'a']);
    expect(a.args).toBe(a.args);
    expect(b.func).toBe(without);
    expect(b.args).toEqual([]);
    clock.advance(1);
    // As a method call `call.func(...call.args)`: the call is `this`.
    expect(seen).toEqual([[a, 1, 'a'], [b]]);
  });

  test('a cancelled call never runs', () => {
    const clock = new Clock();
    let ran = false;
    const call = clock.callLater(1, () => (ran = true));
    call.cancel();
    expect(call.cancelled).toBe(true);
    expect(call.active()).toBe(false);
    clock.advance(10);
    expect(ran).toBe(false);
  });

  test('cancel after it ran throws AlreadyCalled; twice throws AlreadyCancelled', () => {
    const clock = new Clock();
    const ran = clock.callLater(1, () => {});
    clock.advance(1);
    expect(() => ran.cancel()).toThrow(AlreadyCalled);
    expect(() => ran.reset(1)).toThrow(AlreadyCalled);
    expect(() => ran.delay(1)).toThrow(AlreadyCalled);
    const cancelled = clock.callLater(1, () => {});
    cancelled.cancel();
    expect(() => cancelled.cancel()).toThrow(AlreadyCancelled);
    expect(() => cancelled.reset(1)).toThrow(AlreadyCancelled);
    expect(() => cancelled.delay(1)).toThrow(AlreadyCancelled);
  });

  test('cancelling from inside its own function throws AlreadyCalled', () => {
    const clock = new Clock();
    let thrown: unknown;
    const call: DelayedCall = clock.callLater(1, () => {
      try {
        call.cancel();
      } catch (e) {
        thrown = e;
      }
    });
    clock.advance(1);
    expect(thrown).toBeInstanceOf(AlreadyCalled);
    expect((thrown as AlreadyCalled).code).toBe('ERR_ALREADY_CALLED');
  });

  test('delay postpones by an amount; reset reschedules from now', () => {
    const clock = new Clock();
    const seen: string[] = [];
    const a = clock.callLater(1, () => seen.push('a'));
    const b = clock.callLater(2, () => seen.push('b'));
    a.delay(2); // now due at 3
    expect(a.getTime()).toBe(3);
    clock.advance(1);
    b.reset(5); // now due at 6
    expect(b.getTime()).toBe(6);
    clock.advance(2);
    expect(seen).toEqual(['a']);
    clock.advance(3);
    expect(seen).toEqual(['a', 'b']);
  });

  test('delay with a negative amount brings it forward', () => {
    const clock = new Clock();
    const seen: string[] = [];
    clock.callLater(2, () => seen.push('two'));
    const c = clock.callLater(5, () => seen.push('moved'));
    c.delay(-4);
    clock.advance(2);
    expect(seen).toEqual(['moved', 'two']);
  });

  test('a moved call ties after calls already due at that time', () => {
    const clock = new Clock();
    const seen: string[] = [];
    const first = clock.callLater(1, () => seen.push('first'));
    clock.callLater(1, () => seen.push('second'));
    first.reset(1);
    clock.advance(1);
    expect(seen).toEqual(['second', 'first']);
  });

  test('reset and delay validate their argument', () => {
    const clock = new Clock();
    const call = clock.callLater(1, () => {});
    expect(() => call.reset(-1)).toThrow(RangeError);
    expect(() => call.delay(NaN)).toThrow(RangeError);
    expect(() => call.delay('1' as unknown as number)).toThrow(TypeError);
    expect(call.getTime()).toBe(1);
  });

  test('Symbol.dispose cancels an active call and ignores a finished one', () => {
    const clock = new Clock();
    let ran = false;
    {
      using call = clock.callLater(1, () => (ran = true));
      expect(call.active()).toBe(true);
    }
    clock.advance(2);
    expect(ran).toBe(false);
    expect(clock.getDelayedCalls()).toEqual([]);
    const done = clock.callLater(0, () => {});
    clock.advance(0);
    expect(() => done[Symbol.dispose]()).not.toThrow();
  });

  test('toString is readable', () => {
    const clock = new Clock();
    function ping(_n: number, _s: string) {}
    const call = clock.callLater(1.5, ping, 1, 'a');
    expect(String(call)).toBe(`<DelayedCall #${call.id} [1.5s] called=false cancelled=false ping(1, 'a')>`);
    call.cancel();
    expect(String(call)).toContain('cancelled=true');
  });

  test('debug mode records where the call was created', () => {
    DelayedCall.debug = true;
    const clock = new Clock();
    const call = clock.callLater(1, () => {});
    expect(call.creator).toContain('delayed-call.test.ts');
    expect(call.creator!.split('\n')[0]).toContain('delayed-call.test.ts');
    expect(String(call)).toContain('traceback at creation');
    DelayedCall.debug = false;
    expect(clock.callLater(1, () => {}).creator).toBeUndefined();
  });
});

describe('due times stay finite (issue 12, point 11)', () => {
  const MAX = Number.MAX_VALUE;

  test('delay() that would push the due time to ±Infinity is a RangeError naming "seconds"; the call is unchanged', () => {
    const clock = new Clock();
    const far = clock.callLater(MAX, () => {});
    expect(far.getTime()).toBe(MAX);
    expect(() => far.delay(MAX)).toThrow(RangeError);
    expect(() => far.delay(MAX)).toThrow(/"seconds".*finite due time/);
    expect(far.getTime()).toBe(MAX);
    expect(far.active()).toBe(true);
    const back = clock.callLater(0, () => {});
    back.delay(-MAX);
    expect(() => back.delay(-MAX)).toThrow(/"seconds"/);
    expect(back.getTime()).toBe(-MAX);
    far.cancel();
    back.cancel();
  });

  test('reset() and callLater() whose due time would not be finite are refused', () => {
    const clock = new Clock();
    clock.advance(MAX);
    expect(() => clock.callLater(MAX, () => {})).toThrow(/"delay".*finite due time/);
    const call = clock.callLater(0, () => {});
    expect(() => call.reset(MAX)).toThrow(/"seconds".*finite due time/);
    expect(call.getTime()).toBe(MAX);
    expect(clock.getDelayedCalls()).toEqual([call]);
    clock.advance(0);
    expect(call.called).toBe(true);
  });
});

test('Clock.advance that would make the time Infinity is a RangeError naming "amount"', () => {
  const clock = new Clock();
  clock.advance(Number.MAX_VALUE);
  expect(() => clock.advance(Number.MAX_VALUE)).toThrow(/"amount".*finite/);
  expect(clock.seconds()).toBe(Number.MAX_VALUE);
});
