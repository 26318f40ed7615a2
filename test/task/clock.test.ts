import { describe, expect, test } from 'vitest';
import { Clock } from '../../src/task/clock.ts';

describe('Clock', () => {
  test('starts at 0 and moves only when advanced', () => {
    const clock = new Clock();
    expect(clock.seconds()).toBe(0);
    clock.advance(2.5);
    expect(clock.seconds()).toBe(2.5);
    clock.advance(0);
    expect(clock.seconds()).toBe(2.5);
  });

  test('runs calls when their time comes, with their arguments, in time order', () => {
    const clock = new Clock();
    const seen: [string, number][] = [];
    clock.callLater(3, (name: string) => seen.push([name, clock.seconds()]), 'three');
    clock.callLater(1, (name: string) => seen.push([name, clock.seconds()]), 'one');
    clock.callLater(2, (name: string) => seen.push([name, clock.seconds()]), 'two');
    clock.advance(0.999);
    expect(seen).toEqual([]);
    clock.advance(0.001);
    expect(seen).toEqual([['one', 1]]);
    clock.advance(5);
    // advance jumps: the later calls run at the new time, in their order.
    expect(seen).toEqual([
      ['one', 1],
      ['two', 6],
      ['three', 6],
    ]);
  });

  test('calls due at the same time run in scheduling order', () => {
    const clock = new Clock();
    const seen: number[] = [];
    for (let i = 0; i < 50; i++) clock.callLater(1, () => seen.push(i));
    clock.advance(1);
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  test('a call scheduled by a call and due by the new time runs in the same advance, as in Twisted', () => {
    const clock = new Clock();
    const seen: string[] = [];
    clock.callLater(1, () => {
      seen.push('first');
      clock.callLater(0, () => seen.push('nested-now'));
      clock.callLater(1, () => seen.push('nested-later'));
    });
    clock.advance(1.5);
    expect(seen).toEqual(['first', 'nested-now']);
    // Scheduled while the clock read 1.5: due at 2.5.
    clock.advance(0.999);
    expect(seen).toEqual(['first', 'nested-now']);
    clock.advance(0.001);
    expect(seen).toEqual(['first', 'nested-now', 'nested-later']);
  });

  test('pump advances step by step', () => {
    const clock = new Clock();
    const seen: number[] = [];
    clock.callLater(1, () => {
      seen.push(clock.seconds());
      clock.callLater(1, () => seen.push(clock.seconds()));
    });
    clock.pump([0.5, 0.5, 0.5, 0.5, 3]);
    expect(seen).toEqual([1, 2]);
    expect(clock.seconds()).toBe(5);
  });

  test('getDelayedCalls lists the pending calls in due order', () => {
    const clock = new Clock();
    const b = clock.callLater(2, () => {});
    const a = clock.callLater(1, () => {});
    const c = clock.callLater(3, () => {});
    expect(clock.getDelayedCalls()).toEqual([a, b, c]);
    b.cancel();
    expect(clock.getDelayedCalls()).toEqual([a, c]);
    clock.advance(1);
    expect(clock.getDelayedCalls()).toEqual([c]);
  });

  test('an exception in a call propagates out of advance; the others run at the next advance', () => {
    const clock = new Clock();
    const seen: string[] = [];
    const failing = clock.callLater(1, () => {
      throw new Error('boom');
    });
    clock.callLater(1, () => seen.push('after'));
    expect(() => clock.advance(1)).toThrow('boom');
    expect(failing.called).toBe(true);
    expect(seen).toEqual([]);
    clock.advance(0);
    expect(seen).toEqual(['after']);
  });

  test('callLater validates its arguments', () => {
    const clock = new Clock();
    expect(() => clock.callLater(-1, () => {})).toThrow(RangeError);
    expect(() => clock.callLater(NaN, () => {})).toThrow(RangeError);
    expect(() => clock.callLater(Infinity, () => {})).toThrow(RangeError);
    expect(() => clock.callLater('1' as unknown as number, () => {})).toThrow(TypeError);
    expect(() => clock.callLater(1, 'f' as unknown as () => void)).toThrow(
      /"fn" argument must be of type function/,
    );
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(clock.getDelayedCalls()).toEqual([]);
  });
});

describe("the names Twisted's tests read: Clock.calls and DelayedCall.time", () => {
  test("calls lists the pending calls in due order; time is each one's due time", () => {
    const clock = new Clock();
    const late = clock.callLater(3, () => {});
    const early = clock.callLater(1, () => {});
    expect(clock.calls).toEqual([early, late]);
    expect(clock.calls.map((c) => c.time)).toEqual([1, 3]);
    clock.advance(1);
    expect(clock.calls).toEqual([late]);
    late.reset(1);
    expect(late.time).toBe(2);
    expect(() => {
      (late as unknown as { time: number }).time = 5;
    }).toThrow(TypeError);
    late.cancel();
    expect(clock.calls).toEqual([]);
  });
});
