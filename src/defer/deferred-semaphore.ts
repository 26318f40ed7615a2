/**
 * `DeferredSemaphore`: at most N holders at once (Twisted's `defer.DeferredSemaphore`).
 *
 * @module
 */
import { ok } from 'node:assert';
import { validateInteger } from '../validate.ts';
import { ConcurrencyPrimitive } from './concurrency-primitive.ts';
import { Deferred } from './deferred.ts';
import { Fifo } from './fifo.ts';

/**
 * A semaphore of `tokens` tokens: `acquire()` takes one (waiting in order while none is left),
 * `release()` gives it back. Use `run(fn, ...args)` to bound concurrency.
 *
 * @example
 * const sem = new DeferredSemaphore(3);
 * await gatherResults(urls.map((u) => sem.run(fetch, u))); // at most 3 fetches at a time
 */
export class DeferredSemaphore extends ConcurrencyPrimitive {
  /** Tokens available now. */
  tokens: number;
  /** The number of tokens it was created with. */
  readonly limit: number;
  readonly #waiting = new Fifo<Deferred<this>>();

  /**
   * The pending `acquire` Deferreds, first come first served. The same array each time; read
   * it again rather than keeping it across a release.
   */
  get waiting(): Deferred<this>[] {
    return this.#waiting.array;
  }

  /** @throws RangeError (`ERR_OUT_OF_RANGE`) unless `tokens` is an integer >= 1. */
  constructor(tokens: number) {
    super();
    validateInteger(tokens, 'tokens', 1);
    this.tokens = tokens;
    this.limit = tokens;
  }

  /**
   * Takes a token: the Deferred fires with the semaphore once one is free (at once if one is).
   * Cancelling a waiting acquire takes it out of the queue.
   */
  acquire(): Deferred<this> {
    const d = new Deferred<this>((cancelled) => this.cancelAcquire(cancelled));
    // Tokens with waiters only while a release hands them over: the waiters come first.
    if (this.tokens === 0 || this.#waiting.length > 0) {
      this.#waiting.push(d);
    } else {
      this.tokens--;
      d.callback(this);
    }
    return d;
  }

  /**
   * Gives a token back; the next waiter's Deferred fires now, holding it (called from inside a
   * waiter's callback, once that callback has returned).
   *
   * @throws AssertionError (`ERR_ASSERTION`) when released more often than acquired, as Twisted asserts.
   */
  release(): void {
    ok(this.tokens < this.limit, 'Someone released me too many times: too many tokens!');
    this.tokens++;
    this.handOver();
  }

  /** See {@link ConcurrencyPrimitive.takeForWaiter}. */
  protected override takeForWaiter(): Deferred<this> | undefined {
    if (this.tokens === 0) return undefined;
    const next = this.#waiting.shift();
    if (next !== undefined) this.tokens--;
    return next;
  }

  /** See {@link ConcurrencyPrimitive.giveBack}. */
  protected override giveBack(): void {
    this.tokens++;
  }

  private cancelAcquire(d: Deferred<this>): void {
    const i = this.waiting.indexOf(d);
    if (i !== -1) this.waiting.splice(i, 1);
  }
}
