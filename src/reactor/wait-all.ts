/**
 * Waiting on whatever triggers and ports hand back: Deferreds (followed synchronously, so that a
 * shutdown with nothing to wait for completes in one go, as in Twisted) and Promises.
 *
 * @internal
 * @module
 */
import { Deferred } from '../defer/deferred.ts';
import { Failure } from '../failure.ts';
import { err } from '../log/log.ts';

/**
 * Calls `then` once every one of `waitables` has settled; failures are logged with `why` (they
 * never stop the others). With nothing to wait for, or only fired Deferreds, `then` runs at once.
 */
export function waitAll(waitables: readonly unknown[], why: string, then: () => void): void {
  let pending = waitables.length + 1;
  const settle = (): void => {
    if (--pending === 0) then();
  };
  for (const w of waitables) {
    if (w instanceof Deferred) {
      w.addBoth((result: unknown) => {
        // A failure is logged and consumed (as Twisted's consumeErrors); a success result is left
        // for whoever else holds the Deferred.
        if (result instanceof Failure) {
          err(result, why);
          settle();
          return undefined;
        }
        settle();
        return result;
      });
    } else {
      Promise.resolve(w).then(settle, (e: unknown) => {
        err(e, why);
        settle();
      });
    }
  }
  settle();
}
