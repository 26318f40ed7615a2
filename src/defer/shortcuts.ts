/**
 * `succeed`, `fail` and `maybeDeferred`: Deferreds for results that are already there, and for
 * calling a function that may or may not return a Deferred.
 *
 * @module
 */
import { Failure } from '../failure.ts';
import { uninspectableReturn, validateFunction } from '../validate.ts';
import { Deferred } from './deferred.ts';

/**
 * A Deferred that already has `result`: callbacks added to it run at once.
 *
 * @example
 * succeed(3).addCallback((n) => n + 1); // runs now, result 4
 */
export function succeed<T>(result: T): Deferred<T> {
  const d = new Deferred<T>();
  d.callback(result);
  return d;
}

/**
 * A Deferred that already failed with `reason` (an Error, any thrown value, or a `Failure`).
 * Like any failed Deferred, it is reported as unhandled if no errback consumes the failure.
 */
export function fail<T = never>(reason: unknown): Deferred<T> {
  const d = new Deferred<T>();
  d.errback(reason);
  return d;
}

/**
 * Calls `fn(...args)` and always gives a Deferred: the Deferred it returned, a Deferred of the
 * Promise it returned, a failed one if it threw or returned a `Failure`, else a fired one.
 */
export function maybeDeferred<R, A extends unknown[]>(
  fn: (...args: A) => R | Deferred<R> | Promise<R>,
  ...args: A
): Deferred<R> {
  validateFunction(fn, 'fn');
  let result: R | Deferred<R> | Promise<R>;
  try {
    result = fn(...args);
  } catch (e) {
    return fail<R>(e);
  }
  try {
    if (result instanceof Deferred) return result;
    if (result instanceof Promise) return Deferred.fromPromise(result);
    if (result instanceof Failure) return fail<R>(result);
  } catch (e) {
    // A revoked Proxy (or one whose trap throws) returned by fn: it cannot be told from a
    // Deferred or a Failure, and could not go down a chain; fail as if fn had thrown.
    return fail<R>(uninspectableReturn(`maybeDeferred's function`, e));
  }
  return succeed(result);
}
