/**
 * Calling user code that may be `async`: a hook, a delayed call or a trigger may throw, or return
 * a Promise (or a Deferred, or any thenable) that rejects later. Both must end in the same place
 * — the log, with the same `why` and the error's own stack — and neither may reach Node's
 * `unhandledRejection`, which ends the process. Twisted's reactor ignores what a callback returns
 * (a coroutine there would not even run); in JavaScript an `async` method is the ordinary way to
 * write one, so the result is watched.
 *
 * For transports and the reactor (UDP and stream protocol hooks, delayed calls, system event
 * triggers, `callFromThread`, `callWhenRunning`): hot paths call the hook themselves inside a
 * `try` and pass its result to {@link handleAsyncResult}, which allocates nothing for a hook that
 * returns `undefined`; other paths use {@link callUserCode}.
 *
 * @internal
 * @module
 */
import { Failure } from '../failure.ts';
import { err } from '../log/log.ts';
import { isInstance } from '../validate.ts';
import { Deferred } from './deferred.ts';

/**
 * Receives what user code threw, or the reason the thenable it returned rejected with (a
 * `Failure` for a Deferred), and the `context` given with it.
 */
export type UserCodeErrorHandler<C = undefined> = (reason: unknown, context: C) => void;

/**
 * Watches what user code returned. If it is a thenable (a Promise, a Deferred, any object or
 * function with a `then` method), its rejection goes to `onError(reason, context)` — at most
 * once — and is consumed (a Deferred's failure does not go on to be reported as unhandled). A
 * `then` that cannot be read or called counts as a rejection too.
 *
 * @returns `undefined` when `result` is not a thenable; else something to wait on that fulfils
 *   once `result` has settled, never rejecting (for the `before` triggers of a system event). A
 *   Deferred is returned itself, its failure consumed, its success result left as it was.
 */
export function handleAsyncResult<C>(
  result: unknown,
  onError: UserCodeErrorHandler<C>,
  context: C,
): PromiseLike<unknown> | undefined {
  if (result === undefined || result === null) return undefined;
  if (typeof result !== 'object' && typeof result !== 'function') return undefined;
  if (isInstance(result, Deferred)) {
    return (result as Deferred<unknown>).addErrback((failure: Failure) => {
      report(onError, failure, context);
      return undefined;
    });
  }
  if (isInstance(result, Promise)) {
    return result.then(undefined, (reason: unknown) => report(onError, reason, context));
  }
  let then: unknown;
  try {
    then = (result as { then?: unknown }).then;
  } catch (e) {
    report(onError, e, context);
    return undefined;
  }
  if (typeof then !== 'function') return undefined;
  // A foreign thenable may call its handlers more than once, or both: report once, settle once.
  return new Promise<void>((resolve) => {
    let settled = false;
    const fulfilled = (): void => {
      settled = true;
      resolve();
    };
    const rejected = (reason: unknown): void => {
      if (settled) return;
      settled = true;
      report(onError, reason, context);
      resolve();
    };
    try {
      (then as (onFulfilled: () => void, onRejected: (reason: unknown) => void) => unknown).call(
        result,
        fulfilled,
        rejected,
      );
    } catch (e) {
      rejected(e);
    }
  });
}

/**
 * Calls `fn(...args)`: a synchronous throw and a later rejection of the thenable it returns
 * both go to `onError(reason, undefined)`, so they are handled alike.
 *
 * @returns what `fn` returned (`undefined` when it threw).
 *
 * @example
 * callUserCode(logUserCodeError(`Error in callFromThread(${fn.name})`), fn, ...args);
 */
export function callUserCode<A extends unknown[]>(
  onError: UserCodeErrorHandler,
  fn: (...args: A) => unknown,
  ...args: A
): unknown {
  let result: unknown;
  try {
    result = fn(...args);
  } catch (e) {
    report(onError, e, undefined);
    return undefined;
  }
  handleAsyncResult(result, onError, undefined);
  return result;
}

/** An error handler that logs with `log.err(reason, why, system)`, as a synchronous throw is. */
export function logUserCodeError(why: string, system?: string): UserCodeErrorHandler {
  return (reason) => err(reason, why, system);
}

/** Calls the handler; should it throw (it is ours, but logs through user observers), says so. */
function report<C>(onError: UserCodeErrorHandler<C>, reason: unknown, context: C): void {
  try {
    onError(reason, context);
  } catch (e) {
    err(new Failure(e), 'Error while reporting an error of user code');
  }
}
