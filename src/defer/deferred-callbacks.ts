/**
 * The callbacks that {@link Deferred}'s own methods add to its chain: settling the Promise of
 * `asPromise`, and the timeout of `addTimeout` and the abort listener of `cancelOn`.
 *
 * @internal
 * @module
 */
import { CancelledError, TimeoutError } from '../errors.ts';
import { Failure } from '../failure.ts';
import type { IDelayedCall } from '../interfaces.ts';
import { awaitedFailures } from './callback-runner.ts';
import type { Deferred } from './deferred.ts';

/** `asPromise`'s callback: resolves its Promise, leaving the result to the chain. */
export function settleResolve(result: unknown, resolve: (v: unknown) => void): unknown {
  resolve(result);
  return result;
}

/** `asPromise`'s errback: rejects its Promise with the error, which counts as handled. */
export function settleReject(failure: Failure, reject: (e: unknown) => void, d: Deferred<unknown>): Failure {
  awaitedFailures.set(d, failure);
  reject(failure.value);
  return failure;
}

/** `addTimeout`'s delayed call: cancels `d`, remembering that the timeout did. */
export function timeItOut(d: Deferred<unknown>, state: { timedOut: boolean }): void {
  state.timedOut = true;
  d.cancel();
}

/** `addTimeout`'s callback and errback: the `CancelledError` of its own cancel becomes a `TimeoutError` (or what `onTimeoutCancel` makes of it). */
export function convertCancelled(
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

/** `addTimeout`'s last record: the result came first, so the timeout is cancelled. */
export function cancelTimeout(result: unknown, call: IDelayedCall): unknown {
  if (call.active()) call.cancel();
  return result;
}

/** `cancelOn`'s record: the chain went on, so the signal need not be watched any more. */
export function removeAbortListener(result: unknown, signal: AbortSignal, onAbort: () => void): unknown {
  signal.removeEventListener('abort', onAbort);
  return result;
}
