/**
 * `DelayedCall`: a call scheduled by `callLater` on the reactor or on a `Clock` (Twisted's
 * `twisted.internet.base.DelayedCall`). It lives in `task` rather than `reactor` because `Clock`
 * needs it and `task` sits below `reactor` in the module order.
 *
 * @module
 */
import { inspect } from 'node:util';
import { AlreadyCalled, AlreadyCancelled } from '../errors.ts';
import type { IDelayedCall } from '../interfaces.ts';
import { validateDelay, validateNumber } from '../validate.ts';
import type { HeapEntry } from './timer-heap.ts';

/**
 * What a `DelayedCall` needs from whoever scheduled it (a `TimerQueue`): the time, and a way to
 * take it out of, or move it within, the heap.
 *
 * @internal
 */
export interface DelayedCallOwner {
  /** The owner's current time, in seconds. */
  seconds(): number;
  /** Takes a cancelled call out of the heap. */
  cancelCall(call: DelayedCall): void;
  /** Moves a call to `time` (for `delay` and `reset`). */
  moveCall(call: DelayedCall, time: number): void;
}

type State = 'pending' | 'called' | 'cancelled';

let nextId = 1;

/**
 * A pending call returned by `callLater`. It runs once, at {@link DelayedCall.getTime}, unless
 * cancelled; `delay` and `reset` move it.
 *
 * @example
 * const call = reactor.callLater(5, () => console.log('late'));
 * call.reset(10);          // now due 10 s from now
 * if (call.active()) call.cancel();
 *
 * @example
 * // Node's explicit resource management cancels it when the scope ends:
 * using timeout = reactor.callLater(30, giveUp);
 */
export class DelayedCall<A extends unknown[] = unknown[]> implements IDelayedCall, HeapEntry {
  /**
   * When true, every new DelayedCall records the stack that created it in {@link creator}; the
   * stack is shown by `toString()` and when its function throws (Twisted's `DelayedCall.debug`).
   * Costly: for debugging only.
   */
  static debug = false;

  /** The function to call. */
  readonly func: (...args: A) => unknown;
  /** Its arguments. */
  readonly args: A;
  /** In debug mode, the stack trace of the code that scheduled this call. */
  readonly creator: string | undefined;
  /** A number that tells calls apart in `toString()`. */
  readonly id: number = nextId++;

  /** @internal */
  heapIndex = -1;
  #time: number;
  #state: State = 'pending';
  readonly #owner: DelayedCallOwner;

  /** @internal Made by a `TimerQueue`; use `callLater`. */
  constructor(owner: DelayedCallOwner, time: number, func: (...args: A) => unknown, args: A) {
    this.#owner = owner;
    this.#time = time;
    this.func = func;
    this.args = args;
    if (DelayedCall.debug) {
      // Drop the first lines (Error, this constructor, the queue, callLater) to start at the caller.
      const stack = new Error('DelayedCall created').stack ?? '';
      this.creator = stack.split('\n').slice(4).join('\n');
    }
  }

  /** True once the function was called (set just before it runs). */
  get called(): boolean {
    return this.#state === 'called';
  }

  /** True once it was cancelled. */
  get cancelled(): boolean {
    return this.#state === 'cancelled';
  }

  /** When it is (or was) due, in its clock's seconds. */
  getTime(): number {
    return this.#time;
  }

  /** True while it is neither called nor cancelled. */
  active(): boolean {
    return this.#state === 'pending';
  }

  /**
   * Cancels it. Throws `AlreadyCalled` if it ran (or is running: cancelling from inside its own
   * function), `AlreadyCancelled` if it was cancelled.
   */
  cancel(): void {
    this.#checkActive('cancel');
    this.#state = 'cancelled';
    this.#owner.cancelCall(this.#erased());
  }

  /**
   * Postpones it by `seconds` (a finite number; negative brings it forward). Same errors as
   * `cancel`.
   */
  delay(seconds: number): void {
    validateNumber(seconds, 'seconds');
    this.#checkActive('delay');
    this.#time += seconds;
    this.#owner.moveCall(this.#erased(), this.#time);
  }

  /** Reschedules it `seconds` (>= 0) from now. Same errors as `cancel`. */
  reset(seconds: number): void {
    validateDelay(seconds, 'seconds');
    this.#checkActive('reset');
    this.#time = this.#owner.seconds() + seconds;
    this.#owner.moveCall(this.#erased(), this.#time);
  }

  /** Cancels it if still active, so `using call = clock.callLater(...)` cleans up. */
  [Symbol.dispose](): void {
    if (this.active()) this.cancel();
  }

  /**
   * @internal Marks it called, just before its function runs, so that `cancel()` from inside
   * the function throws `AlreadyCalled` as in Twisted.
   */
  markCalled(): void {
    this.#state = 'called';
  }

  /**
   * A readable description, as Twisted's: `<DelayedCall #3 [1.5s] called=false
   * cancelled=false ping(1, 'a')>`, with the creation stack in debug mode.
   */
  toString(): string {
    const remaining = this.#time - this.#owner.seconds();
    const name = this.func.name || '<anonymous>';
    const args = this.args.map((a) => inspect(a, { depth: 1, breakLength: Infinity })).join(', ');
    const where = this.creator === undefined ? '' : `\n\ntraceback at creation:\n\n${this.creator}`;
    return `<DelayedCall #${this.id} [${remaining}s] called=${this.called} cancelled=${this.cancelled} ${name}(${args})${where}>`;
  }

  /** This call as its owner stores it: the owner never calls `func`, so `A` does not matter. */
  #erased(): DelayedCall {
    return this as unknown as DelayedCall;
  }

  #checkActive(what: string): void {
    if (this.#state === 'called')
      throw new AlreadyCalled(`Cannot ${what} ${this.#label()}: it was already called`);
    if (this.#state === 'cancelled') {
      throw new AlreadyCancelled(`Cannot ${what} ${this.#label()}: it was already cancelled`);
    }
  }

  #label(): string {
    return `DelayedCall #${this.id} (${this.func.name || '<anonymous>'})`;
  }
}
