import { AssertionError } from 'node:assert';
import { describe, expect, it } from 'vitest';
import { Deferred } from '../../src/defer/deferred.ts';
import { DeferredSemaphore } from '../../src/defer/deferred-semaphore.ts';
import { CancelledError } from '../../src/errors.ts';
import { consume, outcome } from './helpers.ts';

describe('DeferredSemaphore', () => {
  it('gives out `tokens` acquisitions at once, then queues', () => {
    const sem = new DeferredSemaphore(2);
    expect(sem.limit).toBe(2);
    const a = sem.acquire();
    const b = sem.acquire();
    const c = sem.acquire();
    expect([a.called, b.called, c.called]).toEqual([true, true, false]);
    expect(sem.tokens).toBe(0);
    sem.release();
    expect(outcome(c).value).toBe(sem);
    expect(sem.tokens).toBe(0);
    sem.release();
    sem.release();
    expect(sem.tokens).toBe(2);
  });

  it('releasing more than acquired is an assertion error, as in Twisted', () => {
    const sem = new DeferredSemaphore(1);
    expect(() => sem.release()).toThrow(AssertionError);
  });

  it('run bounds concurrency', () => {
    const sem = new DeferredSemaphore(2);
    const jobs = [0, 1, 2, 3].map(() => new Deferred<void>());
    let running = 0;
    let most = 0;
    const results = jobs.map((job, i) =>
      sem.run(() => {
        running++;
        most = Math.max(most, running);
        return job.addCallback(() => {
          running--;
          return i;
        });
      }),
    );
    expect(running).toBe(2);
    for (const job of jobs) job.callback();
    expect(most).toBe(2);
    expect(results.map((r) => outcome(r).value)).toEqual([0, 1, 2, 3]);
    expect(sem.tokens).toBe(2);
  });

  it('cancelling a pending acquire withdraws it', () => {
    const sem = new DeferredSemaphore(1);
    sem.acquire();
    const waiting = sem.acquire();
    waiting.cancel();
    expect(outcome(waiting).failure!.value).toBeInstanceOf(CancelledError);
    consume(waiting);
    expect(sem.waiting).toEqual([]);
    sem.release();
    expect(sem.tokens).toBe(1);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses %s tokens with a RangeError', (n) => {
    expect(() => new DeferredSemaphore(n)).toThrow(RangeError);
  });

  it('refuses non-number tokens with a TypeError', () => {
    expect(() => new DeferredSemaphore('2' as never)).toThrow(TypeError);
  });
});
