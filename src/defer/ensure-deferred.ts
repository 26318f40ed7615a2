/**
 * `ensureDeferred`: where Twisted code wraps a coroutine, JavaScript code wraps the Promise of
 * an `async` function.
 *
 * @module
 */
import { invalidArgType, isInstance, readProperty } from '../validate.ts';
import { Deferred } from './deferred.ts';

/**
 * A Deferred for `awaitable`: a Deferred is returned unchanged, a Promise (e.g. what an
 * `async` function returns — the TypeScript form of `inlineCallbacks`) is adapted with
 * {@link Deferred.fromPromise}.
 *
 * @throws TypeError (`ERR_INVALID_ARG_TYPE`) for anything else (Twisted's `NotACoroutineError`).
 *
 * @example
 * const d = ensureDeferred((async () => {
 *   const page = await getPage(url);   // getPage returns a Deferred
 *   return page.length;
 * })());
 */
export function ensureDeferred<T>(awaitable: Deferred<T> | PromiseLike<T>): Deferred<T> {
  if (isInstance(awaitable, Deferred)) return awaitable as Deferred<T>;
  if (awaitable !== null && (typeof awaitable === 'object' || typeof awaitable === 'function')) {
    if (typeof readProperty(awaitable, 'then', 'awaitable') === 'function') {
      return Deferred.fromPromise(awaitable);
    }
  }
  throw invalidArgType('awaitable', 'a Deferred, a Promise or another thenable', awaitable);
}
