/**
 * The scheduling core shared by the reactor and `Clock`: validates `callLater` arguments, keeps
 * the `DelayedCall`s in a {@link TimerHeap} and runs those that are due. The owner supplies the
 * time and decides what an exception thrown by a call means (the reactor logs it; `Clock` lets it
 * propagate out of `advance`, as Twisted's does, so that tests see it).
 *
 * @internal
 * @module
 */
import { validateDelay, validateFunction } from '../validate.ts';
import { DelayedCall, type DelayedCallOwner } from './delayed-call.ts';
import { TimerHeap } from './timer-heap.ts';

// Most calls take no arguments: they share one empty array instead of each keeping the one its
// rest parameter made (32 bytes per pending call, and less for the GC to copy).
const NO_ARGS: [] = Object.freeze([]) as unknown as [];

/** Hooks through which the reactor keeps its one Node timer armed for the earliest call. */
export interface TimerQueueHooks {
  /** A call is now due at `time` (scheduled, delayed or reset): the earliest time may be sooner. */
  scheduled(time: number): void;
  /** A call was cancelled: when none is left, the timer should go, so it holds the process no longer. */
  cancelled(): void;
}

/**
 * The pending calls of one clock.
 *
 * @example
 * let now = 0;
 * const queue = new TimerQueue(() => now);
 * queue.schedule(1, () => console.log('one'), []);
 * now = 1;
 * queue.runDue(now); // logs 'one'
 */
export class TimerQueue implements DelayedCallOwner {
  readonly #heap = new TimerHeap<DelayedCall>();
  readonly #now: () => number;
  readonly #hooks: TimerQueueHooks | undefined;

  constructor(now: () => number, hooks?: TimerQueueHooks) {
    this.#now = now;
    this.#hooks = hooks;
  }

  /** The number of pending calls. */
  get size(): number {
    return this.#heap.size;
  }

  /** @internal The heap itself, for tests of its memory behaviour. */
  get heap(): TimerHeap<DelayedCall> {
    return this.#heap;
  }

  /** The current time of this queue's clock. */
  seconds(): number {
    return this.#now();
  }

  /**
   * Schedules `fn(...args)` `delay` seconds from now. `delay` must be a finite number >= 0
   * (`RangeError` otherwise; `TypeError` if it is not a number); `fn` must be a function.
   */
  schedule<A extends unknown[]>(delay: number, fn: (...args: A) => unknown, args: A): DelayedCall<A> {
    validateDelay(delay, 'delay');
    validateFunction(fn, 'fn');
    const time = this.#now() + delay;
    const call = new DelayedCall<A>(this, time, fn, args.length === 0 ? (NO_ARGS as unknown as A) : args);
    this.#heap.push(call as unknown as DelayedCall, time);
    this.#hooks?.scheduled(time);
    return call;
  }

  /** @internal Called by `DelayedCall.cancel`. */
  cancelCall(call: DelayedCall): void {
    this.#heap.remove(call);
    this.#hooks?.cancelled();
  }

  /** @internal Called by `DelayedCall.delay` and `reset`. */
  moveCall(call: DelayedCall, time: number): void {
    if (this.#heap.update(call, time)) this.#hooks?.scheduled(time);
  }

  /** When the earliest pending call is due; `Infinity` when none is pending. */
  nextTime(): number {
    return this.#heap.peekTime();
  }

  /** The sequence number the next scheduled (or moved) call will get; see {@link runDue}. */
  get nextSeq(): number {
    return this.#heap.nextSeq;
  }

  /**
   * Runs, in order, every call due at or before `now`. Calls scheduled (or moved) once this pass
   * began have a sequence number >= `seqLimit` and wait for the next pass, so that a call that
   * reschedules itself with delay 0 cannot starve the event loop (the reactor passes a limit;
   * `Clock` does not, and runs them at once, as Twisted's does).
   *
   * `onError` receives what a call throws; without it the exception propagates and the calls
   * still due run at the next pass. Returns the number of calls run.
   */
  runDue(now: number, seqLimit = Infinity, onError?: (error: unknown, call: DelayedCall) => void): number {
    const heap = this.#heap;
    let ran = 0;
    while (heap.peekTime() <= now && heap.peekSeq() < seqLimit) {
      const call = heap.pop() as DelayedCall;
      call.markCalled();
      ran++;
      // A call without arguments is called directly: spreading even an empty array costs.
      const args = call.args;
      if (onError === undefined) {
        if (args.length === 0) call.func();
        else call.func(...args);
      } else {
        try {
          if (args.length === 0) call.func();
          else call.func(...args);
        } catch (e) {
          onError(e, call);
        }
      }
    }
    return ran;
  }

  /** Every pending call, in no particular order. */
  getDelayedCalls(): DelayedCall[] {
    return this.#heap.values();
  }

  /**
   * Drops every pending call without running it or marking it cancelled (the reactor's
   * shutdown: the calls simply never run, as in Twisted once the reactor has stopped).
   */
  clear(): void {
    this.#heap.clear();
    this.#hooks?.cancelled();
  }
}
