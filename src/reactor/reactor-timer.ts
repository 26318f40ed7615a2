/**
 * `ReactorTimer`: the reactor's delayed calls, on one Node timer armed for the earliest of them
 * (DESIGN.md decision 3, as Twisted's reactor computes its poll timeout from the first call).
 *
 * @internal
 * @module
 */
import { err } from '../log/log.ts';
import type { DelayedCall } from '../task/delayed-call.ts';
import { TimerQueue } from '../task/timer-queue.ts';

/**
 * Node timers take a 32-bit signed millisecond delay; anything longer fires after 1 ms with a
 * warning. A call further away than this is reached in steps of at most this much.
 */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/**
 * The queue of pending calls and the one Node timer that runs them. A pending call keeps the
 * process alive, as a `setTimeout` would; with none, the timer is disarmed and holds nothing.
 * Calls due at the same time run in the order they were scheduled; an exception is logged.
 */
export class ReactorTimer {
  /** The pending calls (`Reactor.timerQueue`, for tests of memory use). */
  readonly queue: TimerQueue;

  readonly #seconds: () => number;
  #timer: NodeJS.Timeout | undefined;
  /** The due time the timer is armed for; `Infinity` when disarmed. */
  #armedFor = Infinity;
  /** True while due calls run: re-arming waits until the pass is over. */
  #inPass = false;
  /** After {@link close}: no call will ever run again, so the timer is never armed. */
  #closed = false;

  /** A timer on the clock `seconds` (epoch seconds). */
  constructor(seconds: () => number) {
    this.#seconds = seconds;
    this.queue = new TimerQueue(seconds, {
      scheduled: (time) => {
        if (!this.#inPass && time < this.#armedFor) this.#arm(time);
      },
      cancelled: () => {
        // A cancelled call may leave the timer armed for nothing: harmless (it re-arms when it
        // fires) unless nothing is left, in which case it must not hold the process any longer.
        if (!this.#inPass && this.queue.size === 0) this.#disarm();
      },
    });
  }

  /** The due time the Node timer is armed for; `Infinity` when disarmed. */
  get armedFor(): number {
    return this.#armedFor;
  }

  /** Schedules `fn(...args)` in `delay` seconds (checked by the queue). */
  callLater<A extends unknown[]>(delay: number, fn: (...args: A) => unknown, args: A): DelayedCall<A> {
    return this.queue.schedule(delay, fn, args);
  }

  /** Every pending call, in no particular order. */
  getDelayedCalls(): DelayedCall[] {
    return this.queue.getDelayedCalls();
  }

  /** Shutdown is over (Twisted's loop has ended): drops the pending calls, never arms again. */
  close(): void {
    this.#closed = true;
    this.queue.clear();
    this.#disarm();
  }

  /** Arms the one Node timer for `time` (in steps of at most ~24.8 days). */
  #arm(time: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#closed) {
      this.#timer = undefined;
      this.#armedFor = Infinity;
      return;
    }
    // Ceil: firing a fraction of a millisecond early would only re-arm for the rest.
    const ms = Math.min(Math.max(Math.ceil((time - this.#seconds()) * 1000), 0), MAX_TIMER_DELAY_MS);
    this.#timer = setTimeout(this.#onTimer, ms);
    this.#armedFor = time;
  }

  #disarm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedFor = Infinity;
  }

  #onTimer = (): void => {
    this.#timer = undefined;
    this.#armedFor = Infinity;
    this.#inPass = true;
    try {
      // Calls scheduled by the calls of this pass wait for the next one, even with delay 0, so a
      // call that keeps rescheduling itself cannot starve I/O.
      this.queue.runDue(this.#seconds(), this.queue.nextSeq, this.#logCallError);
    } finally {
      this.#inPass = false;
    }
    const next = this.queue.nextTime();
    if (next === Infinity) this.#disarm();
    else this.#arm(next);
  };

  #logCallError = (e: unknown, call: DelayedCall): void => {
    const creator = call.creator === undefined ? '' : `\nThe delayed call was created at:\n${call.creator}`;
    err(e, `Error in delayed call ${call.func.name || '<anonymous>'} (while handling timed call)${creator}`);
  };
}
