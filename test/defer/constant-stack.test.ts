/**
 * Deferred machinery under deep load (issue 12, points 2 and 3): the concurrency primitives hand
 * over iteratively, `chainDeferred` chains are trampolined by the callback runner, and an error
 * raised inside the machinery (a stack overflow) surfaces at once instead of sitting in an
 * unreferenced Deferred until the garbage collector finds it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Deferred } from '../../src/defer/deferred.ts';
import { DeferredLock } from '../../src/defer/deferred-lock.ts';
import { DeferredQueue } from '../../src/defer/deferred-queue.ts';
import { DeferredSemaphore } from '../../src/defer/deferred-semaphore.ts';
import { CancelledError } from '../../src/errors.ts';
import { captureLog, type LogCapture } from '../support/log-capture.ts';
import { consume, outcome } from './helpers.ts';

const N = 100_000;

/** The number of frames on the stack here (the limit lifted while it is measured). */
function stackDepth(): number {
  const saved = Error.stackTraceLimit;
  Error.stackTraceLimit = Infinity;
  try {
    return new Error().stack!.split('\n').length;
  } finally {
    Error.stackTraceLimit = saved;
  }
}

let log: LogCapture;
beforeEach(() => {
  log = captureLog();
});
afterEach(() => {
  log.stop();
});

describe('DeferredLock hands over iteratively (issue 12, point 2)', () => {
  it(`runs ${N.toLocaleString('en')} queued synchronous tasks in order, in constant stack, and ends unlocked`, () => {
    const lock = new DeferredLock();
    const order: number[] = [];
    const depths: number[] = [];
    lock.acquire(); // hold it, so that every task queues
    const runs: Deferred<number>[] = [];
    for (let i = 0; i < N; i++) {
      runs.push(
        lock.run((n: number) => {
          order.push(n);
          if (n === 0 || n === N - 1) depths.push(stackDepth());
          return n;
        }, i),
      );
    }
    expect(lock.waiting).toHaveLength(N);
    lock.release();
    expect(order).toHaveLength(N);
    expect(order.every((n, i) => n === i)).toBe(true);
    expect(Math.abs(depths[1] - depths[0])).toBeLessThan(20);
    expect(lock.locked).toBe(false);
    expect(lock.waiting).toHaveLength(0);
    expect(outcome(runs[N - 1]).value).toBe(N - 1);
    expect(log.errors()).toEqual([]);
  });

  it('a task that waits (returns an unfired Deferred) still holds the lock until it fires', () => {
    const lock = new DeferredLock();
    const gate = new Deferred<void>();
    const order: string[] = [];
    lock.acquire();
    lock.run(() => {
      order.push('a');
      return gate;
    });
    lock.run(() => order.push('b'));
    lock.release();
    expect(order).toEqual(['a']);
    expect(lock.locked).toBe(true);
    gate.callback();
    expect(order).toEqual(['a', 'b']);
    expect(lock.locked).toBe(false);
  });

  it('an acquire made while the lock is being handed over waits behind the queue', () => {
    const lock = new DeferredLock();
    const order: string[] = [];
    lock.acquire();
    lock.acquire().addCallback(() => {
      order.push('first');
      // Released inside the hand-over: the second waiter is next, not this new acquire.
      lock.release();
      lock.acquire().addCallback(() => {
        order.push('late');
        lock.release();
      });
    });
    lock.acquire().addCallback(() => {
      order.push('second');
      lock.release();
    });
    lock.release();
    expect(order).toEqual(['first', 'second', 'late']);
    expect(lock.locked).toBe(false);
  });

  it('a waiter cancelled by an earlier one during the hand-over is skipped', () => {
    const lock = new DeferredLock();
    lock.acquire();
    const seen: string[] = [];
    lock.acquire().addCallback(() => {
      seen.push('first');
      third.cancel();
      lock.release();
    });
    const third = lock.acquire();
    third.addCallbacks(
      () => seen.push('third ran'),
      (f) => {
        seen.push(f.check(CancelledError) ? 'third cancelled' : 'third failed');
      },
    );
    lock.acquire().addCallback(() => {
      seen.push('fourth');
      lock.release();
    });
    lock.release();
    expect(seen).toEqual(['first', 'third cancelled', 'fourth']);
    expect(lock.locked).toBe(false);
  });
});

describe('DeferredSemaphore hands over iteratively (issue 12, point 2)', () => {
  it(`runs ${N.toLocaleString('en')} queued synchronous tasks in order, in constant stack`, () => {
    const sem = new DeferredSemaphore(2);
    sem.acquire();
    sem.acquire();
    const order: number[] = [];
    const depths: number[] = [];
    for (let i = 0; i < N; i++) {
      sem.run((n: number) => {
        order.push(n);
        if (n === 0 || n === N - 1) depths.push(stackDepth());
      }, i);
    }
    sem.release();
    expect(order).toHaveLength(N);
    expect(order.every((n, i) => n === i)).toBe(true);
    expect(Math.abs(depths[1] - depths[0])).toBeLessThan(20);
    expect(sem.tokens).toBe(1);
    sem.release();
    expect(sem.tokens).toBe(2);
    expect(sem.waiting).toHaveLength(0);
  });

  it('never lets more than `limit` tasks hold a token, even while handing over', () => {
    const sem = new DeferredSemaphore(3);
    let holding = 0;
    let most = 0;
    const gates: Deferred<void>[] = [];
    for (let i = 0; i < 30; i++) {
      sem.run(() => {
        holding++;
        most = Math.max(most, holding);
        if (i % 2 === 0) {
          holding--;
          return undefined;
        }
        const gate = new Deferred<void>();
        gate.addCallback(() => {
          holding--;
        });
        gates.push(gate);
        return gate;
      });
    }
    while (gates.length > 0) gates.shift()!.callback();
    expect(most).toBeLessThanOrEqual(3);
    expect(sem.tokens).toBe(3);
  });
});

describe('DeferredQueue hands over iteratively (issue 12, point 2)', () => {
  it(`completes a get/put ping-pong of ${N.toLocaleString('en')} items`, () => {
    const ping = new DeferredQueue<number>();
    const pong = new DeferredQueue<number>();
    let last = -1;
    const depths: number[] = [];
    const player = (from: DeferredQueue<number>, to: DeferredQueue<number>): void => {
      from.get().addCallback((n: number) => {
        last = n;
        if (n === 1 || n === N - 1) depths.push(stackDepth());
        if (n < N - 1) {
          player(from, to);
          to.put(n + 1);
        }
      });
    };
    player(ping, pong);
    player(pong, ping);
    ping.put(0);
    expect(last).toBe(N - 1);
    expect(Math.abs(depths[1] - depths[0])).toBeLessThan(40);
    // The player that got the last item stopped; the other one still waits for the next.
    expect(ping.waiting.length + pong.waiting.length).toBe(1);
    expect(ping.pending.length + pong.pending.length).toBe(0);
  });

  it('keeps first-in first-out order for puts made inside a get callback', () => {
    // 'c' and 'd' are put (inside the first get's callback) before 'b' is.
    const q = new DeferredQueue<string>();
    const got: string[] = [];
    const take = (): void => {
      q.get().addCallback((v) => {
        got.push(v);
        if (v === 'a') {
          q.put('c');
          q.put('d');
        }
      });
    };
    take();
    take();
    take();
    q.put('a');
    q.put('b');
    take();
    expect(got).toEqual(['a', 'c', 'd', 'b']);
    expect(q.pending).toEqual([]);
  });

  it('an item for a get cancelled during the hand-over goes to the next get', () => {
    const q = new DeferredQueue<string>();
    const got: string[] = [];
    q.get().addCallback((v) => {
      got.push(`first:${v}`);
      q.put('y');
      second.cancel();
    });
    const second = q.get();
    consume(second);
    q.get().addCallback((v) => got.push(`third:${v}`));
    q.put('x');
    expect(got).toEqual(['first:x', 'third:y']);
    expect(outcome(second).fired).toBe(true);
  });
});

describe('chainDeferred is trampolined (issue 12, point 3)', () => {
  it(`fires the end of a chain of ${N.toLocaleString('en')} links, in constant stack`, () => {
    const links = Array.from({ length: N }, () => new Deferred<string>());
    for (let i = 0; i < N - 1; i++) links[i].chainDeferred(links[i + 1]);
    const depths: number[] = [];
    links[0].addCallback(() => {
      depths.push(stackDepth());
    });
    links[N - 1].addCallback((v) => {
      depths.push(stackDepth());
      return v;
    });
    links[0].callback('end');
    expect(outcome(links[N - 1]).value).toBe('end');
    expect(Math.abs(depths[1] - depths[0])).toBeLessThan(20);
    // Each link gave its result away, as chainDeferred documents.
    expect(outcome(links[0]).value).toBeUndefined();
    expect(outcome(links[N / 2]).value).toBeUndefined();
  });

  it(`carries a failure down ${N.toLocaleString('en')} links and reports it once, where it ends`, () => {
    const links = Array.from({ length: N }, () => new Deferred<string>());
    for (let i = 0; i < N - 1; i++) links[i].chainDeferred(links[i + 1]);
    links[0].errback(new Error('deep'));
    expect(outcome(links[N - 1]).failure?.getErrorMessage()).toBe('deep');
    consume(links[N - 1]);
    expect(outcome(links[1]).failure).toBeUndefined();
  });

  it('keeps the order of a recursive callback: the chained Deferred runs before the rest of the chain', () => {
    const a = new Deferred<number>();
    const b = new Deferred<number>();
    const order: string[] = [];
    a.addCallback((n) => {
      order.push(`a1:${n}`);
      return n;
    });
    a.chainDeferred(b);
    a.addCallback((r) => order.push(`a2:${String(r)}`));
    b.addCallback((n) => {
      order.push(`b:${n}`);
      // Added to `a` while `b` runs: it runs after b's chain, with a's result (undefined).
      a.addCallback(() => order.push('a3'));
      return n;
    });
    a.callback(1);
    expect(order).toEqual(['a1:1', 'b:1', 'a2:undefined', 'a3']);
  });

  it('a chained Deferred that is paused gets the result and runs on unpause', () => {
    const a = new Deferred<number>();
    const b = new Deferred<number>();
    const seen: number[] = [];
    b.pause();
    b.addCallback((n) => seen.push(n));
    a.chainDeferred(b);
    a.callback(7);
    expect(b.called).toBe(true);
    expect(seen).toEqual([]);
    b.unpause();
    expect(seen).toEqual([7]);
  });

  it('a chained Deferred that already fired turns into AlreadyCalledError on the source', () => {
    const a = new Deferred<number>();
    const b = new Deferred<number>();
    a.chainDeferred(b);
    b.callback(1);
    a.callback(2);
    expect(outcome(a).failure?.type.name).toBe('AlreadyCalledError');
    consume(a);
  });

  it('a chain that waits on a Deferred returned by a callback goes on once that fires', () => {
    const links = Array.from({ length: 1000 }, () => new Deferred<string>());
    const inner = new Deferred<string>();
    links[500].addCallback(() => inner);
    for (let i = 0; i < links.length - 1; i++) links[i].chainDeferred(links[i + 1]);
    links[0].callback('x');
    expect(outcome(links[999]).fired).toBe(false);
    inner.callback('y');
    expect(outcome(links[999]).value).toBe('y');
  });
});

describe('errors inside the machinery surface at once (issue 12, point 2)', () => {
  it('a stack overflow in a callback is logged at once, not left for the garbage collector', async () => {
    // A hand-written chain (each callback fires the next Deferred) recurses: no runner can
    // flatten user code. The overflow lands in one of these Deferreds, which nobody holds.
    let ds: Deferred<number>[] | undefined = Array.from({ length: N }, () => new Deferred<number>());
    for (let i = 0; i < N - 1; i++) {
      const next = ds[i + 1];
      ds[i].addCallback((n) => {
        next.callback(n + 1);
      });
    }
    ds[0].callback(0);
    ds = undefined;
    await new Promise((r) => setImmediate(r));
    const overflow = log.errors().filter((e) => /stack/i.test(e.failure?.getErrorMessage() ?? ''));
    expect(overflow).toHaveLength(1);
    expect(overflow[0].why).toMatch(/stack overflow.*Deferred/i);
    expect(overflow[0].failure!.getTraceback()).toMatch(/\n\s+at /);
  });
});
