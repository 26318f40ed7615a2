import { describe, expect, test } from 'vitest';
import { Clock } from '../../src/task/clock.ts';
import type { DelayedCall } from '../../src/task/delayed-call.ts';
import { TimerQueue } from '../../src/task/timer-queue.ts';

/** A deterministic pseudo-random sequence (mulberry32), so failures reproduce. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('TimerQueue (buckets of a few milliseconds)', () => {
  test('calls within one bucket run in exact time order, ties in scheduling order', () => {
    const clock = new Clock();
    const seen: string[] = [];
    clock.callLater(0.0007, () => seen.push('0.7'));
    clock.callLater(0.0003, () => seen.push('0.3a'));
    clock.callLater(0.0005, () => seen.push('0.5'));
    clock.callLater(0.0003, () => seen.push('0.3b'));
    clock.advance(0.0004);
    // The bucket only groups: the calls due later in the same bucket wait for their time.
    expect(seen).toEqual(['0.3a', '0.3b']);
    expect(clock.getDelayedCalls().map((c) => c.getTime())).toEqual([0.0005, 0.0007]);
    clock.advance(0.0001);
    expect(seen).toEqual(['0.3a', '0.3b', '0.5']);
    clock.advance(1);
    expect(seen).toEqual(['0.3a', '0.3b', '0.5', '0.7']);
  });

  test('a call moved during an advance, earlier than the rest of its bucket, runs in its place', () => {
    const clock = new Clock();
    const seen: string[] = [];
    clock.callLater(0.0001, () => {
      seen.push('0.1');
      moved.delay(-0.0007);
    });
    clock.callLater(0.0003, () => seen.push('0.3'));
    const moved = clock.callLater(0.0009, () => seen.push('0.9 moved to 0.2'));
    clock.advance(0.001);
    expect(seen).toEqual(['0.1', '0.9 moved to 0.2', '0.3']);
  });

  test('calls scheduled during an advance run in the same advance when due, as in Twisted', () => {
    const clock = new Clock();
    const seen: string[] = [];
    clock.callLater(0.0001, () => {
      seen.push('first');
      // The clock already reads 0.001 here: these are due at 0.0011 and 0.001.
      clock.callLater(0.0001, () => seen.push('nested, 0.1 ms later'));
      clock.callLater(0, () => seen.push('nested, now'));
    });
    clock.callLater(0.0009, () => seen.push('0.9'));
    clock.callLater(0.0003, () => seen.push('0.3'));
    clock.advance(0.001);
    expect(seen).toEqual(['first', '0.3', '0.9', 'nested, now']);
    clock.advance(0.0001);
    expect(seen).toEqual(['first', '0.3', '0.9', 'nested, now', 'nested, 0.1 ms later']);
  });

  test('a call filed during an advance in an earlier bucket than the current one runs first', () => {
    const clock = new Clock();
    const seen: string[] = [];
    clock.callLater(0.005, () => {
      seen.push('at 5 ms');
      // Moved back into a span (0–4 ms) that has no bucket any more.
      later.delay(-0.0035);
    });
    const later = clock.callLater(0.0055, () => seen.push('moved to 2 ms'));
    clock.callLater(0.0056, () => seen.push('at 5.6 ms'));
    clock.advance(0.01);
    expect(seen).toEqual(['at 5 ms', 'moved to 2 ms', 'at 5.6 ms']);
  });

  test('a call moved away and back into the same bucket runs once, in its new place', () => {
    const clock = new Clock();
    const seen: string[] = [];
    const a = clock.callLater(0.0012, () => seen.push('a'));
    clock.callLater(0.0015, () => seen.push('b'));
    a.delay(1);
    a.reset(0.0015); // back in the bucket of 0–4 ms, tied with b, filed after it
    clock.callLater(0.0015, () => seen.push('c'));
    clock.advance(2);
    expect(seen).toEqual(['b', 'a', 'c']);
  });

  test('a limited pass leaves calls scheduled or moved during it for the next pass', () => {
    const now = 0;
    const queue = new TimerQueue(() => now);
    const seen: string[] = [];
    const moved = queue.schedule(5, () => seen.push('moved'), []);
    const dropped: DelayedCall[] = [];
    queue.schedule(
      0,
      () => {
        seen.push('first');
        queue.schedule(0, () => seen.push('scheduled during the pass'), []);
        moved.reset(0);
        dropped.push(queue.schedule(0, () => seen.push('cancelled during the pass'), []));
        dropped[0].cancel();
        // The pending calls include those waiting for the pass to end.
        expect(queue.getDelayedCalls()).toHaveLength(3);
        expect(queue.size).toBe(3);
      },
      [],
    );
    queue.schedule(0, () => seen.push('second'), []);
    expect(queue.runDue(now, queue.nextSeq)).toBe(2);
    expect(seen).toEqual(['first', 'second']);
    expect(queue.nextTime()).toBe(0);
    expect(queue.runDue(now, queue.nextSeq)).toBe(2);
    expect(seen).toEqual(['first', 'second', 'scheduled during the pass', 'moved']);
    expect(queue.size).toBe(0);
    expect(queue.nextTime()).toBe(Infinity);
    expect(dropped[0].cancelled).toBe(true);
  });

  test('an exception in a limited pass still files the deferred calls', () => {
    const now = 0;
    const queue = new TimerQueue(() => now);
    const seen: string[] = [];
    queue.schedule(
      0,
      () => {
        queue.schedule(0, () => seen.push('deferred'), []);
        throw new Error('boom');
      },
      [],
    );
    expect(() => queue.runDue(now, queue.nextSeq)).toThrow('boom');
    expect(queue.size).toBe(1);
    queue.runDue(now, queue.nextSeq);
    expect(seen).toEqual(['deferred']);
  });

  test('cancelling most of a bucket compacts it, and emptied buckets are freed', () => {
    const queue = new TimerQueue(() => 0);
    const calls = Array.from({ length: 10_000 }, (_, i) =>
      queue.schedule(1 + (i % 10) / 100_000, () => {}, []),
    );
    expect(queue.buckets).toBe(1);
    for (let i = 0; i < calls.length; i++) if (i % 100 !== 0) calls[i].cancel();
    expect(queue.size).toBe(100);
    expect(queue.getDelayedCalls()).toHaveLength(100);
    for (let i = 0; i < calls.length; i += 100) calls[i].cancel();
    expect(queue.size).toBe(0);
    expect(queue.buckets).toBe(0);
    expect(queue.heap.size).toBe(0);
    expect(queue.nextTime()).toBe(Infinity);
  });

  test('calls 2^53 ms away get a bucket beyond the small-integer keys and keep their order', () => {
    const clock = new Clock();
    const seen: string[] = [];
    const far = 2 ** 53 / 1000;
    clock.callLater(far, () => seen.push('far b'));
    clock.callLater(far - 1, () => seen.push('far a'));
    clock.callLater(1, () => seen.push('near'));
    clock.advance(1);
    expect(seen).toEqual(['near']);
    clock.advance(far);
    expect(seen).toEqual(['near', 'far a', 'far b']);
  });

  test('clear drops the calls: they stay active, never run, and cancelling them is harmless', () => {
    let now = 0;
    const queue = new TimerQueue(() => now);
    let ran = false;
    const call = queue.schedule(1, () => (ran = true), []);
    queue.clear();
    expect(call.active()).toBe(true);
    expect(queue.size).toBe(0);
    call.delay(1);
    expect(call.getTime()).toBe(2);
    call.cancel();
    expect(call.cancelled).toBe(true);
    now = 10;
    expect(queue.runDue(now)).toBe(0);
    expect(ran).toBe(false);
  });

  test.each([Infinity, 0])(
    'clear from inside a call (the reactor stopping) drops the calls still due in the same pass (seqLimit %s)',
    (seqLimit) => {
      let now = 0;
      const queue = new TimerQueue(() => now);
      const seen: string[] = [];
      queue.schedule(
        1,
        () => {
          seen.push('first');
          queue.clear();
        },
        [],
      );
      const same = queue.schedule(1, () => seen.push('same time'), []);
      queue.schedule(1.001, () => seen.push('same bucket'), []);
      queue.schedule(2, () => seen.push('later bucket'), []);
      now = 5;
      queue.runDue(now, seqLimit);
      expect(seen).toEqual(['first']);
      expect(queue.size).toBe(0);
      expect(queue.getDelayedCalls()).toEqual([]);
      expect(same.active()).toBe(true);
      expect(queue.runDue(now, seqLimit)).toBe(0);
      expect(seen).toEqual(['first']);
    },
  );

  test.each([
    { grid: 0.0001, seed: 7 },
    { grid: 0.001, seed: 11 },
  ])(
    'agrees with a sort on (time, scheduling order) under random schedules, cancels and moves (grid $grid s)',
    ({ grid, seed }) => {
      const rand = random(seed);
      const clock = new Clock();
      const ran: number[] = [];
      // The model: each pending call's due time and the order of its last scheduling or move.
      const model = new Map<number, { call: DelayedCall; time: number; order: number }>();
      let order = 0;
      let nextName = 0;
      // Times on a grid, so that many calls share buckets and many tie exactly: a 0.1 ms grid puts
      // most calls in one or two buckets, a 1 ms grid spreads them over ten.
      const delay = (): number => Math.floor(rand() * 40) * grid;
      for (let step = 0; step < 3000; step++) {
        const r = rand();
        if (r < 0.5 || model.size === 0) {
          const name = nextName++;
          const call = clock.callLater(delay(), () => {
            ran.push(name);
            model.delete(name);
          });
          model.set(name, { call, time: call.getTime(), order: order++ });
        } else {
          const names = [...model.keys()];
          const name = names[Math.floor(rand() * names.length)];
          const entry = model.get(name)!;
          if (r < 0.65) {
            entry.call.cancel();
            model.delete(name);
          } else if (r < 0.8) {
            entry.call.reset(delay());
            model.set(name, { call: entry.call, time: entry.call.getTime(), order: order++ });
          } else if (r < 0.9) {
            entry.call.delay(delay() - 20 * grid);
            model.set(name, { call: entry.call, time: entry.call.getTime(), order: order++ });
          } else {
            const amount = Math.floor(rand() * 20) * grid;
            const limit = clock.seconds() + amount;
            const expected = [...model.entries()]
              .filter(([, e]) => e.time <= limit)
              .sort((a, b) => a[1].time - b[1].time || a[1].order - b[1].order)
              .map(([n]) => n);
            ran.length = 0;
            clock.advance(amount);
            expect(ran).toEqual(expected);
          }
        }
      }
      const expected = [...model.entries()]
        .sort((a, b) => a[1].time - b[1].time || a[1].order - b[1].order)
        .map(([n]) => n);
      ran.length = 0;
      clock.advance(1);
      expect(ran).toEqual(expected);
      expect(clock.getDelayedCalls()).toEqual([]);
    },
  );
});
