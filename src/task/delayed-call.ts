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
import { outOfRange, validateDelay, validateNumber } from '../validate.ts';

/**
 * What a `DelayedCall` needs from whoever scheduled it (a `TimerQueue`): the time, and a way to
 * take it out of, or move it within, the queue.
 *
 * @internal
 */
export interface DelayedCallOwner {
  /** The owner's current time, in seconds. */
  seconds(): number;
  /** Takes a call out of the queue; it is already marked cancelled. */
  cancelCall(call: DelayedCall): void;
  /** Moves a call to `time` (for `delay` and `reset`): sets its `dueTime` and `slot`. */
  moveCall(call: DelayedCall, time: number): void;
}

/**
 * Values of {@link DelayedCall.slot} for a call that is not filed in a bucket of its queue. A
 * filed call has its index in its bucket there (>= 0), and one waiting for the end of the
 * reactor's current pass a value <= {@link DEFERRED_BASE}: one small-integer field holds both
 * the state and the place, since every field costs 8 bytes on each of a million pending calls.
 *
 * @internal
 */
export const CALLED = -1;
/** @internal See {@link CALLED}: cancelled. */
export const CANCELLED = -2;
/**
 * @internal See {@link CALLED}: still active, but its queue dropped it (the reactor stopped), so
 * it will never run; cancelling it is allowed and does nothing else.
 */
export const DROPPED = -3;
/** @internal See {@link CALLED}: `DEFERRED_BASE - i` is index `i` in the queue's deferred list. */
export const DEFERRED_BASE = -10;

/** `(...args: A) => unknown`, compared as a method: a wider `A` accepts a narrower one. */
type BivariantFunction<A extends unknown[]> = { call(...args: A): unknown }['call'];

let nextId = 1;

// Calls without arguments (most of them) share one empty array as their `args`.
const NO_ARGS: [] = Object.freeze([]) as unknown as [];

/** The function and arguments of a call that has arguments; see {@link DelayedCall} `#target`. */
interface CallWithArgs<A extends unknown[]> {
  readonly func: BivariantFunction<A>;
  readonly args: A;
}

/**
 * `base + seconds`, or a RangeError naming `name` when the sum is not finite (two finite numbers
 * near `Number.MAX_VALUE` add up to Infinity): a call due at ±Infinity would never run, or run
 * at once, and its queue could not file it.
 *
 * @internal
 */
export function finiteDueTime(base: number, seconds: number, name: string, baseIs: string): number {
  const time = base + seconds;
  if (!Number.isFinite(time)) {
    throw outOfRange(name, `a number that gives a finite due time (${baseIs} ${base})`, seconds);
  }
  return time;
}

// The creation stacks of debug mode live beside the calls rather than in a field of every call.
const creators = new WeakMap<object, string>();

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
export class DelayedCall<A extends unknown[] = unknown[]> implements IDelayedCall {
  /**
   * When true, every new DelayedCall records the stack that created it in {@link creator}; the
   * stack is shown by `toString()` and when its function throws (Twisted's `DelayedCall.debug`).
   * Costly: for debugging only.
   */
  static debug = false;

  /** A number that tells calls apart in `toString()`, increasing with creation. */
  readonly id: number = nextId++;

  /**
   * @internal When it is due, in its clock's seconds; written only by its queue (the queue
   * files the call under this time, so it must see every change).
   */
  dueTime: number;
  /**
   * @internal While pending, where its queue keeps it (its index in its bucket, or a deferred
   * place, see {@link DEFERRED_BASE}); else {@link CALLED}, {@link CANCELLED} or
   * {@link DROPPED}. Written only by its queue and by this class.
   */
  slot: number;
  readonly #owner: DelayedCallOwner;
  /**
   * The function alone when it takes no arguments, else the function with its arguments: one
   * field instead of two for most calls (8 bytes on each of a million pending calls).
   */
  readonly #target: BivariantFunction<A> | CallWithArgs<A>;

  /** @internal Made by a `TimerQueue`; use `callLater`. */
  constructor(owner: DelayedCallOwner, time: number, func: (...args: A) => unknown, args: A) {
    this.#owner = owner;
    this.dueTime = time;
    this.slot = DROPPED;
    this.#target = args.length === 0 ? func : { func, args };
    if (DelayedCall.debug) {
      // Drop the first lines (Error, this constructor, the queue, callLater) to start at the caller.
      const stack = new Error('DelayedCall created').stack ?? '';
      creators.set(this, stack.split('\n').slice(4).join('\n'));
    }
  }

  /**
   * The function to call. Typed as a method is (checked both ways, "bivariantly"), so that the
   * `DelayedCall<[number]>` that `callLater(1, (n: number) => …, 5)` returns can be stored in a
   * field typed plain `DelayedCall`, as ported code does.
   */
  get func(): BivariantFunction<A> {
    const target = this.#target;
    return typeof target === 'function' ? target : target.func;
  }

  /** Its arguments (one shared frozen empty array for a call without any). */
  get args(): A {
    const target = this.#target;
    return typeof target === 'function' ? (NO_ARGS as unknown as A) : target.args;
  }

  /** In debug mode, the stack trace of the code that scheduled this call. */
  get creator(): string | undefined {
    return creators.get(this);
  }

  /** True once the function was called (set just before it runs). */
  get called(): boolean {
    return this.slot === CALLED;
  }

  /** True once it was cancelled. */
  get cancelled(): boolean {
    return this.slot === CANCELLED;
  }

  /** When it is (or was) due, in its clock's seconds: Twisted's `DelayedCall.time`, read-only. */
  get time(): number {
    return this.dueTime;
  }

  /** When it is (or was) due, in its clock's seconds. */
  getTime(): number {
    return this.dueTime;
  }

  /** True while it is neither called nor cancelled. */
  active(): boolean {
    return this.slot !== CALLED && this.slot !== CANCELLED;
  }

  /**
   * Cancels it. Throws `AlreadyCalled` if it ran (or is running: cancelling from inside its own
   * function), `AlreadyCancelled` if it was cancelled.
   */
  cancel(): void {
    this.#checkActive('cancel');
    this.#owner.cancelCall(this.#erased());
    this.slot = CANCELLED;
  }

  /**
   * Postpones it by `seconds` (a finite number; negative brings it forward). Same errors as
   * `cancel`.
   */
  delay(seconds: number): void {
    validateNumber(seconds, 'seconds');
    this.#checkActive('delay');
    this.#owner.moveCall(
      this.#erased(),
      finiteDueTime(this.dueTime, seconds, 'seconds', 'the call is due at'),
    );
  }

  /** Reschedules it `seconds` (>= 0) from now. Same errors as `cancel`. */
  reset(seconds: number): void {
    validateDelay(seconds, 'seconds');
    this.#checkActive('reset');
    this.#owner.moveCall(
      this.#erased(),
      finiteDueTime(this.#owner.seconds(), seconds, 'seconds', 'its clock reads'),
    );
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
    this.slot = CALLED;
  }

  /**
   * @internal Calls the function with its arguments (and this call as `this`, as a method call
   * `call.func()` would), returning what it returns. Its queue marks it called first.
   */
  invoke(): unknown {
    const target = this.#target;
    // No spread for a call without arguments: spreading even an empty array costs.
    return typeof target === 'function'
      ? (target as () => unknown).call(this)
      : (target.func as (...args: unknown[]) => unknown).apply(this, target.args);
  }

  /**
   * A readable description, as Twisted's: `<DelayedCall #3 [1.5s] called=false
   * cancelled=false ping(1, 'a')>`, with the creation stack in debug mode.
   */
  toString(): string {
    const remaining = this.dueTime - this.#owner.seconds();
    const name = this.func.name || '<anonymous>';
    const args = this.args.map((a) => inspect(a, { depth: 1, breakLength: Infinity })).join(', ');
    const creator = this.creator;
    const where = creator === undefined ? '' : `\n\ntraceback at creation:\n\n${creator}`;
    return `<DelayedCall #${this.id} [${remaining}s] called=${this.called} cancelled=${this.cancelled} ${name}(${args})${where}>`;
  }

  /** This call as its owner stores it: the owner never calls `func`, so `A` does not matter. */
  #erased(): DelayedCall {
    return this as unknown as DelayedCall;
  }

  #checkActive(what: string): void {
    if (this.slot === CALLED)
      throw new AlreadyCalled(`Cannot ${what} ${this.#label()}: it was already called`);
    if (this.slot === CANCELLED) {
      throw new AlreadyCancelled(`Cannot ${what} ${this.#label()}: it was already cancelled`);
    }
  }

  #label(): string {
    return `DelayedCall #${this.id} (${this.func.name || '<anonymous>'})`;
  }
}
