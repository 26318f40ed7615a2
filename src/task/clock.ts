/**
 * `Clock`: a deterministic `IReactorTime` for tests (Twisted's `twisted.internet.task.Clock`).
 *
 * @module
 */
import type { IReactorTime } from '../interfaces.ts';
import { outOfRange, validateNumber } from '../validate.ts';
import type { DelayedCall } from './delayed-call.ts';
import { TimerQueue } from './timer-queue.ts';

/**
 * A clock that moves only when told to. Time starts at 0; `advance` runs the calls that became
 * due, in time order and, for equal times, in scheduling order. It uses the same heap as the
 * reactor, so code tested with a `Clock` schedules exactly as it will on the reactor.
 *
 * Unlike the reactor, and like Twisted's Clock, an exception thrown by a delayed call propagates
 * out of `advance` so that the test sees it; the calls still due run at the next `advance`.
 *
 * @example
 * const clock = new Clock();
 * const seen: number[] = [];
 * clock.callLater(2, () => seen.push(clock.seconds()));
 * clock.advance(1);   // nothing yet
 * clock.advance(1);   // seen = [2]
 */
export class Clock implements IReactorTime {
  /** The current time, in seconds (Twisted's `rightNow`). */
  rightNow = 0;
  readonly #queue = new TimerQueue(() => this.rightNow);

  /** The current time, in seconds; starts at 0. */
  seconds(): number {
    return this.rightNow;
  }

  /** Schedules `fn(...args)` `delay` seconds from now (`delay` finite and >= 0). */
  callLater<A extends unknown[]>(delay: number, fn: (...args: A) => unknown, ...args: A): DelayedCall<A> {
    return this.#queue.schedule(delay, fn, args);
  }

  /**
   * Moves time forward by `amount` seconds (finite, >= 0) and runs every call due by then,
   * including calls those calls schedule for no later than the new time.
   */
  advance(amount: number): void {
    validateNumber(amount, 'amount', 0);
    if (!Number.isFinite(this.rightNow + amount)) {
      throw outOfRange('amount', `a number that keeps the time finite (it is ${this.rightNow})`, amount);
    }
    this.rightNow += amount;
    this.#queue.runDue(this.rightNow);
  }

  /** Advances by each of `timings` in turn, running due calls after each step. */
  pump(timings: Iterable<number>): void {
    for (const amount of timings) this.advance(amount);
  }

  /**
   * The pending calls, sorted by due time (then by scheduling order): Twisted's `Clock.calls`,
   * which tests read. A new array each time (read-only: schedule with `callLater`).
   */
  get calls(): DelayedCall[] {
    return this.getDelayedCalls();
  }

  /** Every pending call, sorted by due time (then by scheduling order). */
  getDelayedCalls(): DelayedCall[] {
    return this.#queue.getDelayedCalls().sort((a, b) => a.getTime() - b.getTime() || a.id - b.id);
  }
}
