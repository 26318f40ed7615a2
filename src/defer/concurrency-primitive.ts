/**
 * What `DeferredLock` and `DeferredSemaphore` share: `run`, which acquires, runs and releases
 * (Twisted's `_ConcurrencyPrimitive`), and the iterative hand-over to waiters.
 *
 * @module
 */
import { validateFunction } from '../validate.ts';
import type { Deferred } from './deferred.ts';
import { maybeDeferred } from './shortcuts.ts';

/** A lock-like object whose `acquire` gives a Deferred that fires once it is held. */
export abstract class ConcurrencyPrimitive {
  /** True while {@link handOver} fires waiters: a release from one of them only frees a token. */
  #handingOver = false;

  /** Fires with this object once it is acquired. Cancelling a pending acquire withdraws it. */
  abstract acquire(): Deferred<this>;
  /** Gives back what `acquire` took; the next waiter (if any) gets it, synchronously. */
  abstract release(): void;

  /**
   * Takes what `acquire` takes and returns the oldest waiter, if one is waiting and the
   * primitive is free; else takes nothing and returns `undefined`. Used by {@link handOver};
   * a subclass that calls it overrides this (the default serves nobody).
   */
  protected takeForWaiter(): Deferred<this> | undefined {
    return undefined;
  }

  /** Gives back what {@link takeForWaiter} took, for a waiter that could not be fired. */
  protected giveBack(): void {}

  /**
   * Acquires, then calls `fn(...args)`, and releases once the result (or the Deferred/Promise
   * it returned) is there, whether it succeeded or failed. Fires with `fn`'s result.
   *
   * @example
   * lock.run(writeRecord, record); // never two writeRecord at once
   */
  run<R, A extends unknown[]>(fn: (...args: A) => R | Deferred<R> | Promise<R>, ...args: A): Deferred<R> {
    validateFunction(fn, 'fn');
    return this.acquire().addCallback(() =>
      maybeDeferred(fn, ...args).addBoth(releaseAndReturn, this),
    ) as Deferred<R>;
  }

  /**
   * Fires waiters while the primitive is free, oldest first. Iterative: a waiter that releases
   * at once (a synchronous task under `run`) returns here and the loop serves the next one,
   * instead of firing it from inside its own release — Twisted recurses there, and 100,000 such
   * tasks overflowed the stack, leaving the lock held for ever. A waiter that cannot be fired
   * (fired already by someone else) gives its token back; the first such error is thrown to the
   * caller once the others were served.
   */
  protected handOver(): void {
    if (this.#handingOver) return; // the loop below, further up the stack, serves the next one
    this.#handingOver = true;
    let failed = false;
    let error: unknown;
    try {
      for (let next = this.takeForWaiter(); next !== undefined; next = this.takeForWaiter()) {
        try {
          next.callback(this);
        } catch (e) {
          this.giveBack();
          if (!failed) error = e;
          failed = true;
        }
      }
    } finally {
      this.#handingOver = false;
    }
    if (failed) throw error;
  }
}

function releaseAndReturn<R>(result: R, primitive: ConcurrencyPrimitive): R {
  primitive.release();
  return result;
}
