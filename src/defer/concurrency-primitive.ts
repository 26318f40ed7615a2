/**
 * What `DeferredLock` and `DeferredSemaphore` share: `run`, which acquires, runs and releases
 * (Twisted's `_ConcurrencyPrimitive`).
 *
 * @module
 */
import { validateFunction } from '../validate.ts';
import type { Deferred } from './deferred.ts';
import { maybeDeferred } from './shortcuts.ts';

/** A lock-like object whose `acquire` gives a Deferred that fires once it is held. */
export abstract class ConcurrencyPrimitive {
  /** Fires with this object once it is acquired. Cancelling a pending acquire withdraws it. */
  abstract acquire(): Deferred<this>;
  /** Gives back what `acquire` took; the next waiter (if any) gets it, synchronously. */
  abstract release(): void;

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
}

function releaseAndReturn<R>(result: R, primitive: ConcurrencyPrimitive): R {
  primitive.release();
  return result;
}
