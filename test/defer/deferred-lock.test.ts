import { AssertionError } from 'node:assert';
import { describe, expect, it } from 'vitest';
import { Deferred } from '../../src/defer/deferred.ts';
import { DeferredLock } from '../../src/defer/deferred-lock.ts';
import { CancelledError } from '../../src/errors.ts';
import { consume, outcome } from './helpers.ts';

describe('DeferredLock', () => {
  it('acquire on a free lock fires at once with the lock and locks it', () => {
    const lock = new DeferredLock();
    const d = lock.acquire();
    expect(outcome(d).value).toBe(lock);
    expect(lock.locked).toBe(true);
  });

  it('waiters get the lock in order, one release at a time', () => {
    const lock = new DeferredLock();
    lock.acquire();
    const order: string[] = [];
    lock.acquire().addCallback(() => order.push('second'));
    lock.acquire().addCallback(() => order.push('third'));
    expect(order).toEqual([]);
    lock.release();
    expect(order).toEqual(['second']);
    expect(lock.locked).toBe(true);
    lock.release();
    expect(order).toEqual(['second', 'third']);
    lock.release();
    expect(lock.locked).toBe(false);
  });

  it('releasing an unlocked lock is an assertion error, as in Twisted', () => {
    const lock = new DeferredLock();
    expect(() => lock.release()).toThrow(AssertionError);
    expect(() => lock.release()).toThrow('Tried to release an unlocked lock');
  });

  it('cancelling a pending acquire withdraws it from the queue', () => {
    const lock = new DeferredLock();
    lock.acquire();
    const waiting = lock.acquire();
    const next = lock.acquire();
    waiting.cancel();
    expect(outcome(waiting).failure!.value).toBeInstanceOf(CancelledError);
    consume(waiting);
    expect(lock.waiting).toEqual([next]);
    lock.release();
    expect(outcome(next).value).toBe(lock);
  });

  it('run(fn, ...args) holds the lock while fn runs and until its Deferred fires', () => {
    const lock = new DeferredLock();
    const inner = new Deferred<string>();
    const seen: unknown[] = [];
    const first = lock.run(
      (a: string, b: number) => {
        seen.push([a, b, lock.locked]);
        return inner;
      },
      'x',
      1,
    );
    const second = lock.run(() => 'second ran');
    expect(seen).toEqual([['x', 1, true]]);
    expect(second.called).toBe(false);
    inner.callback('first done');
    expect(outcome(first).value).toBe('first done');
    expect(outcome(second).value).toBe('second ran');
    expect(lock.locked).toBe(false);
  });

  it('run releases the lock when fn throws, and passes the failure on', () => {
    const lock = new DeferredLock();
    const d = lock.run(() => {
      throw new RangeError('fn failed');
    });
    expect(lock.locked).toBe(false);
    expect(outcome(d).failure!.value).toBeInstanceOf(RangeError);
    consume(d);
  });

  it('run works with async functions', async () => {
    const lock = new DeferredLock();
    const order: string[] = [];
    const a = lock.run(async () => {
      order.push('a start');
      await new Promise((r) => setImmediate(r));
      order.push('a end');
    });
    const b = lock.run(async () => {
      order.push('b');
    });
    await Promise.all([a.asPromise(), b.asPromise()]);
    expect(order).toEqual(['a start', 'a end', 'b']);
  });

  it('run refuses a non-function', () => {
    expect(() => new DeferredLock().run('x' as never)).toThrow(/"fn"/);
  });
});
