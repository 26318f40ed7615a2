import type { Deferred } from '../../src/defer/deferred.ts';
import type { Failure } from '../../src/failure.ts';

/** What `d` holds right now (undefined fields if it has not fired), without changing it. */
export function outcome<T>(d: Deferred<T>): { fired: boolean; value?: T; failure?: Failure } {
  const seen: { fired: boolean; value?: T; failure?: Failure } = { fired: false };
  d.addCallbacks(
    (v: T) => {
      seen.fired = true;
      seen.value = v;
      return v;
    },
    (f: Failure) => {
      seen.fired = true;
      seen.failure = f;
      return f;
    },
  );
  return seen;
}

/** Consumes a failure `d` ends on, so that it is not reported as unhandled. */
export function consume(d: Deferred<unknown>): void {
  d.addErrback(() => undefined);
}
