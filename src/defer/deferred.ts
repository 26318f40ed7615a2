/**
 * `Deferred<T>`: Twisted's placeholder for a result that is not there yet, with Twisted's exact
 * semantics — callbacks run synchronously, a thrown callback switches to the errback chain, a
 * callback returning a Deferred pauses the chain until that one fires — and awaitable.
 *
 * @module
 */
import { AlreadyCalledError, CancelledError, TwistedError } from '../errors.ts';
import { Failure } from '../failure.ts';
import type { IDelayedCall, IReactorTime } from '../interfaces.ts';
import {
  invalidArgType,
  invalidArgValue,
  isInstance,
  readProperty,
  validateDelay,
  validateFunction,
} from '../validate.ts';
import { chainCallback, chainErrback, runCallbacks } from './callback-runner.ts';
import { captureStack, DebugInfo } from './debug-info.ts';
import {
  cancelTimeout,
  convertCancelled,
  removeAbortListener,
  settleReject,
  settleResolve,
  timeItOut,
} from './deferred-callbacks.ts';

/** A function called by `cancel()` to stop the work behind the Deferred. */
export type Canceller<T> = (d: Deferred<T>) => void;

/** What a callback may return: a value, or a Deferred/Promise whose result the chain waits for. */
export type ChainResult<R> = R | Deferred<R> | Promise<R>;

/**
 * A result that will arrive later, with a chain of callbacks and errbacks to process it.
 *
 * @example
 * const d = new Deferred<number>();
 * d.addCallback((n) => n * 2).addCallback((n) => console.log(n)); // nothing yet
 * d.callback(21);                                                   // prints 42, synchronously
 *
 * @example
 * // Node style: a Deferred is awaitable; awaiting does not change its result.
 * const value = await someDeferred;
 */
export class Deferred<T = unknown> implements PromiseLike<T> {
  /**
   * When true, every new Deferred records where it was created and where it was first fired;
   * `AlreadyCalledError` and unhandled-error reports then include both stacks (Twisted's
   * `setDebugging(True)`). Costly: for debugging only.
   */
  static debug = false;

  /** @internal The flat callback chain (see {@link SLOTS}). */
  _chain: unknown[] = [];
  /** @internal Index of the next record to run. */
  _next = 0;
  /** @internal The current result (meaningful once `_called`). */
  _result: unknown = undefined;
  /** @internal */
  _called = false;
  /** @internal The pause count; the chain runs only at 0. */
  _paused = 0;
  /** @internal True while a callback of this Deferred is on the stack (no re-entry). */
  _running = false;
  /** @internal Eat one late `callback`/`errback` after a cancel without a canceller. */
  _suppressAlreadyCalled = false;
  /** @internal Typed loosely so that `Deferred<number>` stays assignable to `Deferred<unknown>`. */
  _canceller: ((d: never) => void) | undefined;
  /** @internal Allocated on demand: a failure to watch, or debug stacks. */
  _info: DebugInfo | undefined = undefined;

  /**
   * @param canceller - called by {@link Deferred.cancel} with this Deferred, to stop the work
   *   that would produce the result. If it does not fire the Deferred, `cancel` errbacks with
   *   `CancelledError`.
   */
  constructor(canceller?: Canceller<T>) {
    if (canceller !== undefined && canceller !== null) validateFunction(canceller, 'canceller');
    this._canceller = canceller ?? undefined;
    if (Deferred.debug) {
      this._info = new DebugInfo();
      this._info.creator = captureStack(2);
    }
  }

  /** Whether `callback` or `errback` was called. */
  get called(): boolean {
    return this._called;
  }

  /** How many times the Deferred is paused (0: not paused). Twisted's `paused` counter. */
  get paused(): number {
    return this._paused;
  }

  /**
   * The current result, read-only (Twisted's `d.result`, which tests read): `undefined` before
   * the Deferred fired, the value or the `Failure` the chain is at, or — while the chain waits
   * on a Deferred a callback returned — that Deferred. Reading it does not count as handling a
   * failure.
   */
  get result(): T | Failure | Deferred<unknown> | undefined {
    return this._result as T | Failure | Deferred<unknown> | undefined;
  }

  /**
   * Adds a callback and an errback at the same point of the chain: exactly one of them runs,
   * with the result (or the `Failure`) followed by its extra arguments.
   * A missing errback passes failures through.
   *
   * @returns this Deferred, typed with the result the chain has after this step.
   */
  addCallbacks<R1, R2 = never>(
    callback: (result: T, ...args: never[]) => ChainResult<R1>,
    errback?: ((failure: Failure, ...args: never[]) => ChainResult<R2>) | null,
    callbackArgs?: readonly unknown[],
    errbackArgs?: readonly unknown[],
  ): Deferred<Exclude<R1 | R2, Failure>> {
    validateFunction(callback, 'callback');
    if (errback !== undefined && errback !== null) validateFunction(errback, 'errback');
    if (callbackArgs !== undefined && !Array.isArray(callbackArgs)) {
      throw invalidArgType('callbackArgs', 'an array', callbackArgs);
    }
    if (errbackArgs !== undefined && !Array.isArray(errbackArgs)) {
      throw invalidArgType('errbackArgs', 'an array', errbackArgs);
    }
    return this._add(
      callback,
      errback ?? null,
      callbackArgs?.length ? callbackArgs : undefined,
      errbackArgs?.length ? errbackArgs : undefined,
    ) as never;
  }

  /**
   * Adds a callback: `fn(result, ...args)`. Its return value becomes the result; if it throws,
   * the chain switches to the errbacks with a `Failure`; if it returns a Deferred (or a
   * Promise), the chain waits for that and goes on with its result.
   */
  addCallback<R, A extends unknown[] = []>(
    fn: (result: T, ...args: A) => ChainResult<R>,
    ...args: A
  ): Deferred<Exclude<R, Failure>> {
    validateFunction(fn, 'callback');
    return this._add(fn, null, args.length === 0 ? undefined : args, undefined) as never;
  }

  /**
   * Adds an errback: `fn(failure, ...args)`. Returning a value switches the chain back to the
   * callbacks; throwing (e.g. `failure.trap(...)` not matching) or returning a `Failure` keeps
   * it failing.
   */
  addErrback<R, A extends unknown[] = []>(
    fn: (failure: Failure, ...args: A) => ChainResult<R>,
    ...args: A
  ): Deferred<T | Exclude<R, Failure>> {
    validateFunction(fn, 'errback');
    return this._add(null, fn, undefined, args.length === 0 ? undefined : args) as never;
  }

  /** Adds `fn` as both callback and errback (`finally`-like; it receives a value or a `Failure`). */
  addBoth<R, A extends unknown[] = []>(
    fn: (result: T | Failure, ...args: A) => ChainResult<R>,
    ...args: A
  ): Deferred<Exclude<R, Failure>> {
    validateFunction(fn, 'callback');
    const extra = args.length === 0 ? undefined : args;
    return this._add(fn, fn, extra, extra) as never;
  }

  /**
   * Makes `d` fire with this Deferred's result: `this.addCallbacks(d.callback, d.errback)`.
   * This Deferred's result becomes `undefined` afterwards; cancelling `d` does nothing to this one.
   */
  chainDeferred(d: Deferred<T>): Deferred<undefined> {
    if (!isInstance(d, Deferred)) throw invalidArgType('d', 'an instance of Deferred', d);
    return this._add(chainCallback, chainErrback, [d], [d]) as never;
  }

  /**
   * Fires the Deferred with a result and runs the callbacks, synchronously. A `Failure` given
   * here starts the errback chain, as in Twisted.
   *
   * @throws AlreadyCalledError if the Deferred already has a result.
   * @throws TypeError if `result` is a Deferred (chain it with `chainDeferred`, or return it
   *   from a callback, instead).
   */
  callback(result: T | Failure): void {
    let isDeferred: boolean;
    try {
      isDeferred = result instanceof Deferred;
    } catch (e) {
      // A revoked Proxy, or one whose getPrototypeOf trap throws: the chain could not tell a
      // Failure from a value, so it is refused here rather than breaking the runner later.
      throw Object.assign(
        invalidArgValue('result', `Its prototype cannot be read, so it cannot be a result: ${String(e)}`),
        { cause: e },
      );
    }
    if (isDeferred) {
      throw invalidArgType('result', 'a value that is not a Deferred (use chainDeferred)', result);
    }
    this._start(result);
  }

  /**
   * Fires the Deferred with a failure and runs the errbacks. The reason is an `Error`, any
   * thrown value (wrapped in a `Failure`), or a `Failure`. Twisted's argument-less `errback()`
   * uses the exception being handled; JavaScript has none, so with no argument the failure is a
   * `TwistedError` that says so — pass the error you caught instead.
   *
   * @throws AlreadyCalledError if the Deferred already has a result.
   */
  errback(reason?: unknown): void {
    if (arguments.length === 0) {
      reason = new TwistedError(
        'Deferred.errback() was called without a reason (JavaScript has no current exception); pass the error',
      );
    }
    this._start(isInstance(reason, Failure) ? reason : new Failure(reason));
  }

  /** Stops the chain: callbacks do not run until as many `unpause()` calls. */
  pause(): void {
    this._paused++;
  }

  /** Undoes one `pause()`; at 0 the pending callbacks run (if there is a result). */
  unpause(): void {
    if (this._paused === 0) return;
    this._paused--;
    if (this._paused === 0 && this._called) this._runCallbacks();
  }

  /**
   * Cancels the work: before a result, calls the canceller and, if that did not fire the
   * Deferred, errbacks with `CancelledError` (without a canceller, one late `callback` or
   * `errback` is then silently ignored). While the Deferred waits on a Deferred returned by a
   * callback, the cancel goes to that one. After a result, does nothing.
   */
  cancel(): void {
    if (!this._called) {
      const canceller = this._canceller as Canceller<T> | undefined;
      if (canceller !== undefined) canceller(this);
      // No canceller: whoever still holds the Deferred will fire it later; let them.
      else this._suppressAlreadyCalled = true;
      if (!this._called) this.errback(new CancelledError('Deferred was cancelled'));
    } else if (this._result instanceof Deferred) {
      this._result.cancel();
    }
  }

  /**
   * Cancels the Deferred after `seconds` on `clock` unless it has a result by then; a
   * cancellation caused by the timeout becomes a `TimeoutError` (or whatever `onTimeoutCancel`
   * returns). The timeout covers the callbacks added before this call, not after.
   *
   * @param onTimeoutCancel - called with the result at the time of the timeout (usually a
   *   `CancelledError` failure) and `seconds`; what it returns or throws continues the chain.
   */
  addTimeout(
    seconds: number,
    clock: IReactorTime,
    onTimeoutCancel?: (result: T | Failure, seconds: number) => unknown,
  ): this {
    validateDelay(seconds, 'seconds');
    // Read once: a getter cannot answer a function to the check and something else to the call.
    const callLater =
      clock !== null && typeof clock === 'object' ? readProperty(clock, 'callLater', 'clock') : undefined;
    if (typeof callLater !== 'function') {
      throw invalidArgType('clock', 'an IReactorTime (an object with callLater)', clock);
    }
    if (onTimeoutCancel !== undefined) validateFunction(onTimeoutCancel, 'onTimeoutCancel');
    const state = { timedOut: false };
    const call = (callLater as (...args: unknown[]) => IDelayedCall).call(
      clock,
      seconds,
      timeItOut,
      this as Deferred<unknown>,
      state,
    );
    this._add(
      convertCancelled,
      convertCancelled,
      [state, seconds, onTimeoutCancel],
      [state, seconds, onTimeoutCancel],
    );
    this._add(cancelTimeout, cancelTimeout, [call], [call]);
    return this;
  }

  /**
   * Cancels the Deferred when `signal` aborts (now, if it already has). The listener is removed
   * once the chain passes this point, so a long-lived signal does not keep the Deferred alive.
   */
  cancelOn(signal: AbortSignal): this {
    if (!isInstance(signal, AbortSignal))
      throw invalidArgType('signal', 'an instance of AbortSignal', signal);
    if (signal.aborted) {
      this.cancel();
      return this;
    }
    const onAbort = (): void => this.cancel();
    signal.addEventListener('abort', onAbort, { once: true });
    this._add(removeAbortListener, removeAbortListener, [signal, onAbort], [signal, onAbort]);
    return this;
  }

  /**
   * A Promise of the chain's result at this point. It does not change the chain: later
   * callbacks get the same result. A failure rejects the Promise with its `Error` and counts as
   * handled (it is not reported as "Unhandled error in Deferred").
   */
  asPromise(): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this._add(settleResolve, settleReject, [resolve], [reject, this]);
    });
  }

  /**
   * Makes `await d` work (see {@link Deferred.asPromise}). Awaiting never changes the chain's
   * result, and an awaited failure throws its underlying `Error`.
   */
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.asPromise().then(onfulfilled, onrejected);
  }

  /**
   * A Deferred that fires with the outcome of `promise` (Twisted's `fromFuture`/`fromCoroutine`).
   * A Promise cannot be stopped: cancelling the Deferred errbacks it with `CancelledError` and
   * the Promise's late outcome is ignored. A rejection is delivered as a `Failure`.
   */
  static fromPromise<T>(promise: PromiseLike<T>): Deferred<T> {
    if (isInstance(promise, Deferred)) return promise as Deferred<T>;
    // Read once, and called as read: a getter cannot pass the check and then change.
    const then =
      promise !== null && typeof promise === 'object' ? readProperty(promise, 'then', 'promise') : undefined;
    if (typeof then !== 'function') {
      throw invalidArgType('promise', 'a Promise or another thenable', promise);
    }
    const d = new Deferred<T>();
    try {
      (then as PromiseLike<T>['then']).call(
        promise,
        (value) => d.callback(value),
        (reason: unknown) => d.errback(reason),
      );
    } catch (e) {
      // As Promise.resolve(thenable) does: a then() that throws rejects.
      if (!d._called) d.errback(e);
    }
    return d;
  }

  /**
   * A Deferred for a coroutine (Twisted's `Deferred.fromCoroutine`). The TypeScript form of a
   * coroutine is the Promise an `async` function returns, so this is
   * {@link Deferred.fromPromise} under Twisted's name; a Deferred is returned unchanged.
   *
   * @throws TypeError (`ERR_INVALID_ARG_TYPE`) for anything but a Promise or another thenable
   *   (Twisted's `NotACoroutineError`).
   */
  static fromCoroutine<T>(coroutine: PromiseLike<T>): Deferred<T> {
    if (
      coroutine === null ||
      typeof coroutine !== 'object' ||
      typeof (coroutine as PromiseLike<T>).then !== 'function'
    ) {
      throw invalidArgType('coroutine', 'a Promise (what an async function returns)', coroutine);
    }
    return Deferred.fromPromise(coroutine);
  }

  /** Twisted's repr: `<Deferred waiting>`, `<Deferred current result: …>`, … */
  toString(): string {
    if (!this._called) return '<Deferred waiting>';
    if (this._result instanceof Deferred) return '<Deferred waiting on Deferred>';
    const r = this._result;
    return `<Deferred current result: ${r instanceof Failure ? r.toString() : String(r)}>`;
  }

  /** @internal Appends one record and runs it at once if the result is there. */
  _add(cb: unknown, eb: unknown, cbArgs: unknown, ebArgs: unknown): this {
    this._chain.push(cb, eb, cbArgs, ebArgs);
    if (this._called) this._runCallbacks();
    return this;
  }

  /** @internal `callback`/`errback` after their checks. */
  _start(result: unknown): void {
    if (this._called) {
      if (this._suppressAlreadyCalled) {
        this._suppressAlreadyCalled = false;
        return;
      }
      const extra = this._info?.tracebacks();
      throw new AlreadyCalledError(
        extra ? `Deferred was already called\n${extra}` : 'Deferred was already called',
      );
    }
    if (Deferred.debug) {
      this._info ??= new DebugInfo();
      this._info.invoker = captureStack(3);
    }
    this._called = true;
    this._result = result;
    this._runCallbacks();
  }

  /** @internal Runs the chain as far as it can go, in constant stack (callback-runner.ts). */
  _runCallbacks(): void {
    runCallbacks(this as Deferred<unknown>);
  }
}
