/**
 * What the stream transports do with the value a protocol or factory hook returned: an `async`
 * hook's rejection must end where a synchronous throw ends (logged, the connection dropped), and
 * never reach Node's `unhandledRejection`. The one place the stream transports look at a hook's
 * result, over issue 12's `handleAsyncResult` (src/defer/user-code.ts).
 *
 * @internal
 * @module
 */
import { handleAsyncResult } from '../../defer/user-code.ts';

/**
 * If `result` is a thenable (a Promise, a Deferred, any object with a `then` method), calls
 * `onRejected(reason)` once if it rejects (a `Failure` for a Deferred), and consumes the
 * rejection. Allocates nothing for `undefined`, the common case.
 */
export function watchHookResult(result: unknown, onRejected: (reason: unknown) => void): void {
  if (result === undefined) return;
  handleAsyncResult(result, onRejected, undefined);
}
