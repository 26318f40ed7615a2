/**
 * Module-level names of `twisted.internet.defer` that ported code calls: `setDebugging`,
 * `getDebugging`, `logError` and the bare `fromCoroutine`.
 *
 * @module
 */
import { Failure } from '../failure.ts';
import { err } from '../log/log.ts';
import { validateBoolean } from '../validate.ts';
import { Deferred } from './deferred.ts';

/**
 * Turns Deferred debugging on or off (Twisted's `defer.setDebugging`): while on, every new
 * Deferred records where it was created and first fired, and `AlreadyCalledError` messages and
 * unhandled-error reports show both stacks. The same switch as `Deferred.debug`. Costly: for
 * debugging only.
 *
 * @throws TypeError (`ERR_INVALID_ARG_TYPE`) for anything but a boolean.
 */
export function setDebugging(on: boolean): void {
  validateBoolean(on, 'on');
  Deferred.debug = on;
}

/** Whether Deferred debugging is on (Twisted's `defer.getDebugging`). */
export function getDebugging(): boolean {
  return Deferred.debug;
}

/**
 * Logs a failure and returns it, so that the chain goes on failing (Twisted's `defer.logError`):
 * an errback for "log it here, and let the next errback decide". As in Twisted, a failure that
 * no later errback consumes is then reported again as unhandled; use `log.err` as the last
 * errback to log it once and stop it.
 *
 * @example
 * d.addErrback(logError).addErrback((f) => f.trap(TimeoutError));
 */
export function logError(failure: Failure): Failure {
  err(failure);
  return failure;
}

/**
 * A Deferred for a coroutine — the Promise an `async` function returns (Twisted's module-level
 * alias of `Deferred.fromCoroutine`).
 *
 * @throws TypeError (`ERR_INVALID_ARG_TYPE`) for anything but a Promise or another thenable.
 */
export function fromCoroutine<T>(coroutine: PromiseLike<T>): Deferred<T> {
  return Deferred.fromCoroutine(coroutine);
}
