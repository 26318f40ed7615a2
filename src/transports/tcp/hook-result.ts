/**
 * What the stream transports do with the value a protocol or factory hook returned: an `async`
 * hook's rejection must end where a synchronous throw ends (logged, the connection dropped), and
 * never reach Node's `unhandledRejection`.
 *
 * This is the one place the stream transports look at a hook's result. Issue 12's
 * `handleAsyncResult` (src/defer/user-code.ts, on the `hardening` branch) does the same for
 * every kind of user code; once it is in main this function becomes a call to it.
 *
 * @internal
 * @module
 */
import { Deferred } from '../../defer/deferred.ts';
import type { Failure } from '../../failure.ts';
import { err } from '../../log/log.ts';

/**
 * If `result` is a thenable (a Promise, a Deferred, any object with a `then` method), calls
 * `onRejected(reason)` once if it rejects (with the `Failure`'s error for a Deferred), and
 * consumes the rejection. Allocates nothing for `undefined`, the common case.
 */
export function watchHookResult(result: unknown, onRejected: (reason: unknown) => void): void {
  if (result === undefined || result === null) return;
  if (typeof result !== 'object' && typeof result !== 'function') return;
  const report = (reason: unknown): void => {
    try {
      onRejected(reason);
    } catch (e) {
      err(e, 'Error while reporting the rejection of a protocol hook');
    }
  };
  if (result instanceof Deferred) {
    (result as Deferred<unknown>).addErrback((failure: Failure) => {
      report(failure.value);
      return undefined;
    });
    return;
  }
  let then: unknown;
  try {
    then = (result as { then?: unknown }).then;
  } catch (e) {
    report(e);
    return;
  }
  if (typeof then !== 'function') return;
  let settled = false;
  try {
    (then as (a: () => void, b: (r: unknown) => void) => unknown).call(
      result,
      () => {
        settled = true;
      },
      (reason: unknown) => {
        if (settled) return;
        settled = true;
        report(reason);
      },
    );
  } catch (e) {
    if (!settled) {
      settled = true;
      report(e);
    }
  }
}
