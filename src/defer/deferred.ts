/**
 * `Deferred<T>`: Twisted's placeholder for a result that is not there yet, with Twisted's exact
 * semantics — callbacks run synchronously, a thrown callback switches to the errback chain, a
 * callback returning a Deferred pauses the chain until that one fires — and awaitable.
 *
 * @module
 */
import { AlreadyCalledError, CancelledError, TimeoutError, TwistedError } from '../errors.ts';
import { Failure } from '../failure.ts';
import type { IDelayedCall, IReactorTime } from '../interfaces.ts';
import {
  invalidArgType,
  invalidArgValue,
  isInstance,
  readProperty,
  uninspectableReturn,
  validateDelay,
  validateFunction,
} from '../validate.ts';
import { captureStack, DebugInfo, noteStackOverflow, reportStackOverflow, watch } from './debug-info.ts';

/** A callback as stored: the result first, then the extra arguments given at registration. */
type StoredFn = (result: unknown, ...args: unknown[]) => unknown;

/** Marks the slot of a Deferred waiting on this one (Twisted's `_CONTINUE`). */
const CONTINUE: unique symbol = Symbol('continue');

/**
 * The callback chain is one flat array of 4-slot records — callback, errback, callback arguments,
 * errback arguments — so `addCallback` allocates nothing beyond what the caller passed. A `null`
 * function passes the result through unchanged; `CONTINUE` hands it to the Deferred in the
 * argument slot.
 */
const SLOTS = 4;

/**
 * The failure an `await`/`asPromise` consumer saw, by the Deferred it awaited: that Deferred is
 * not reported for it. Kept per Deferred, not per Failure: one Failure handed to several
 * Deferreds (an errback fanning it out to waiters) is handled only where it was awaited.
 */
const awaitedFailures = new WeakMap<Deferred<unknown>, Failure>();

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

  /**
   * @internal Runs the chain as far as it can go. Iterative, as Twisted's: when a Deferred
   * returned by a callback fires, its waiting Deferred is pushed on an explicit stack instead of
   * being resumed by a nested call, so chains of any length and depth run in constant stack.
   * `chainDeferred` links are followed the same way (a trampoline: Twisted recurses there, and
   * ~2,000 links overflowed the stack): the target is fired in this loop rather than by a nested
   * `callback()`.
   */
  _runCallbacks(): void {
    if (this._running) return; // a callback of ours added another one: the loop below runs it
    // `current` is the top of Twisted's chain stack; `waitingBelow` holds the rest, allocated only
    // when a chained Deferred is resumed, so the common case allocates nothing.
    let current = this as Deferred<unknown>;
    let waitingBelow: unknown[] | undefined;
    runnerDepth++;
    try {
      for (;;) {
        // Paused: nothing further up this stack can get a result until it is unpaused; go back
        // to the Deferred below (if any), which was waiting for its own remaining callbacks.
        if (current._paused === 0) {
          let finished = true;
          const chain = current._chain;
          while (current._next < chain.length) {
            const i = current._next;
            current._next = i + SLOTS;
            const failed = current._result instanceof Failure;
            const fn = failed ? chain[i + 1] : chain[i];
            const args = (failed ? chain[i + 3] : chain[i + 2]) as unknown[] | undefined;
            chain[i] = chain[i + 1] = chain[i + 2] = chain[i + 3] = undefined;
            if (fn === null) continue; // pass-through half of addCallback/addErrback

            if (fn === CONTINUE) {
              // Hand our result to the Deferred that waits on us, and forget it ourselves.
              const waiting = args as unknown as Deferred<unknown>;
              waiting._result = current._result;
              current._result = undefined;
              if (current._info !== undefined) current._info.failResult = undefined;
              waiting._paused--;
              (waitingBelow ??= []).push(current); // come back for its remaining callbacks afterwards
              current = waiting;
              finished = false;
              break;
            }

            if (args !== undefined && (fn === chainCallback || fn === chainErrback)) {
              const target = (args as unknown[])[0] as Deferred<unknown>;
              // A target already fired (AlreadyCalledError, or a late call eaten after a cancel)
              // or paused does not run its chain now: the plain call below cannot recurse.
              if (!target._called && target._paused === 0) {
                target._called = true;
                target._result = current._result;
                if (Deferred.debug) {
                  target._info ??= new DebugInfo();
                  target._info.invoker = captureStack(2);
                }
                current._result = undefined; // chainDeferred leaves undefined behind
                if (current._info !== undefined) current._info.failResult = undefined;
                // As if chainCallback were still on the stack: a callback added to `current`
                // meanwhile waits until the target's chain is done, then runs in this loop.
                current._running = true;
                (waitingBelow ??= []).push(current, CHAINED);
                current = target;
                finished = false;
                break;
              }
            }

            current._running = true;
            try {
              current._result =
                args === undefined
                  ? (fn as StoredFn)(current._result)
                  : (fn as StoredFn)(current._result, ...args);
            } catch (e) {
              current._result = new Failure(e);
              continue;
            } finally {
              current._running = false;
            }

            const returned = current._result;
            if (returned === null || (typeof returned !== 'object' && typeof returned !== 'function'))
              continue;
            let inner: Deferred<unknown>;
            try {
              if (returned instanceof Promise) inner = current._result = Deferred.fromPromise(returned);
              else if (returned instanceof Deferred) inner = returned as Deferred<unknown>;
              else continue;
            } catch (e) {
              // A revoked Proxy (or one whose trap throws) returned by the callback: it cannot be
              // told from a Deferred or a Failure, so the chain fails here, as if it had thrown.
              current._result = new Failure(uninspectableReturn('A Deferred callback', e));
              continue;
            }
            if (inner === current) {
              // Twisted only warns and then waits forever; a chain waiting on itself is a bug, say so.
              current._result = new Failure(
                new TypeError(
                  'A callback returned the Deferred it was attached to; the chain cannot wait on itself',
                ),
              );
              continue;
            }
            if (!inner._called || inner._result instanceof Deferred || inner._paused > 0) {
              // No result yet: pause and wait. `inner` is not running its callbacks (it has no
              // result), so appending to its chain directly is safe.
              current._paused++;
              inner._chain.push(CONTINUE, CONTINUE, current, current);
              break;
            }
            // It has a result already: take it and go on.
            current._result = inner._result;
            inner._result = undefined;
            if (inner._info !== undefined) inner._info.failResult = undefined;
          }

          if (!finished) continue;
          if (current._next === chain.length) {
            chain.length = 0;
            current._next = 0;
          }
          const result = current._result;
          if (result instanceof Failure && awaitedFailures.get(current) !== result) {
            // Format the stack now (Twisted's cleanFailure): V8 keeps the frames' receivers —
            // this very Deferred among them — until then, which would keep it from being collected.
            void result.value.stack;
            noteStackOverflow(result);
            const info = (current._info ??= new DebugInfo());
            info.failResult = result;
            watch(current, info);
          } else if (current._info !== undefined) {
            current._info.failResult = undefined;
          }
        }
        if (waitingBelow === undefined || waitingBelow.length === 0) return;
        current = resumeBelow(waitingBelow);
      }
    } finally {
      // Only an internal error leaves Deferreds suspended here; they must not stay "running".
      while (waitingBelow !== undefined && waitingBelow.length > 0) resumeBelow(waitingBelow);
      if (--runnerDepth === 0) reportStackOverflow();
    }
  }
}

/**
 * Marks, in the runner's stack, a Deferred suspended while the target of its `chainDeferred`
 * runs (its `_running` flag is set until it resumes).
 */
const CHAINED: unique symbol = Symbol('chained');

/** Pops the Deferred to resume from the runner's stack, ending its suspension if it had one. */
function resumeBelow(waitingBelow: unknown[]): Deferred<unknown> {
  const top = waitingBelow.pop();
  if (top !== CHAINED) return top as Deferred<unknown>;
  const suspended = waitingBelow.pop() as Deferred<unknown>;
  suspended._running = false;
  return suspended;
}

/** How many callback runners are on the stack (they nest when a callback fires another Deferred). */
let runnerDepth = 0;

function chainCallback(result: unknown, d: Deferred<unknown>): undefined {
  d.callback(result);
  return undefined;
}

function chainErrback(failure: Failure, d: Deferred<unknown>): undefined {
  d.errback(failure);
  return undefined;
}

function settleResolve(result: unknown, resolve: (v: unknown) => void): unknown {
  resolve(result);
  return result;
}

function settleReject(failure: Failure, reject: (e: unknown) => void, d: Deferred<unknown>): Failure {
  awaitedFailures.set(d, failure);
  reject(failure.value);
  return failure;
}

function timeItOut(d: Deferred<unknown>, state: { timedOut: boolean }): void {
  state.timedOut = true;
  d.cancel();
}

function convertCancelled(
  result: unknown,
  state: { timedOut: boolean },
  seconds: number,
  onTimeoutCancel: ((result: unknown, seconds: number) => unknown) | undefined,
): unknown {
  if (!state.timedOut) return result;
  if (onTimeoutCancel !== undefined) return onTimeoutCancel(result, seconds);
  // Only our own cancellation becomes a timeout; a canceller's own error goes on as it is.
  if (result instanceof Failure) {
    result.trap(CancelledError);
    throw new TimeoutError(`Deferred timed out after ${seconds} seconds`, { cause: result.value });
  }
  return result;
}

function cancelTimeout(result: unknown, call: IDelayedCall): unknown {
  if (call.active()) call.cancel();
  return result;
}

function removeAbortListener(result: unknown, signal: AbortSignal, onAbort: () => void): unknown {
  signal.removeEventListener('abort', onAbort);
  return result;
}
