/**
 * `DeferredLock`: mutual exclusion for asynchronous code (Twisted's `defer.DeferredLock`).
 *
 * @module
 */
import { ok } from 'node:assert';
import { ConcurrencyPrimitive } from './concurrency-primitive.ts';
import { Deferred } from './deferred.ts';
import { Fifo } from './fifo.ts';

/**
 * A lock: `acquire()` fires once the lock is free (at once if it is), waiters are served in
 * order, `release()` hands it to the next one. `run(fn, ...args)` wraps a call in both.
 *
 * @example
 * const lock = new DeferredLock();
 * await lock.acquire();
 * try { await work(); } finally { lock.release(); }
 */
export class DeferredLock extends ConcurrencyPrimitive {
  /** Whether the lock is held. */
  locked = false;
  readonly #waiting = new Fifo<Deferred<this>>();

  /**
   * The pending `acquire` Deferreds, first come first served. The same array each time; read
   * it again rather than keeping it across a release.
   */
  get waiting(): Deferred<this>[] {
    return this.#waiting.array;
  }

  /**
   * Takes the lock: the Deferred fires with the lock once it is free (at once if it is).
   * Cancelling a waiting acquire takes it out of the queue.
   */
  acquire(): Deferred<this> {
    const d = new Deferred<this>((cancelled) => this.cancelAcquire(cancelled));
    // Free with waiters only while a release hands it over: they come first.
    if (this.locked || this.#waiting.length > 0) {
      this.#waiting.push(d);
    } else {
      this.locked = true;
      d.callback(this);
    }
    return d;
  }

  /**
   * Releases the lock; the next waiter's Deferred fires now, holding it (called from inside a
   * waiter's callback, once that callback has returned).
   *
   * @throws AssertionError (`ERR_ASSERTION`) if the lock is not held, as Twisted asserts.
   */
  release(): void {
    ok(this.locked, 'Tried to release an unlocked lock');
    this.locked = false;
    this.handOver();
  }

  /** See {@link ConcurrencyPrimitive.takeForWaiter}. */
  protected override takeForWaiter(): Deferred<this> | undefined {
    if (this.locked) return undefined;
    const next = this.#waiting.shift();
    if (next !== undefined) this.locked = true;
    return next;
  }

  /** See {@link ConcurrencyPrimitive.giveBack}. */
  protected override giveBack(): void {
    this.locked = false;
  }

  private cancelAcquire(d: Deferred<this>): void {
    const i = this.waiting.indexOf(d);
    if (i !== -1) this.waiting.splice(i, 1);
  }
}
