/**
 * Deferreds: Twisted's `twisted.internet.defer` (`Failure` is exported by the package root).
 *
 * @module
 */
export { Deferred, type Canceller, type ChainResult } from './deferred.ts';
export { succeed, fail, maybeDeferred } from './shortcuts.ts';
export { ensureDeferred } from './ensure-deferred.ts';
export {
  DeferredList,
  type DeferredListOptions,
  type DeferredListEntry,
  type DeferredListResult,
  type DeferredListDefaultOptions,
} from './deferred-list.ts';
export { gatherResults, type GatherResultsOptions } from './gather-results.ts';
export { race } from './race.ts';
export { ConcurrencyPrimitive } from './concurrency-primitive.ts';
export { DeferredLock } from './deferred-lock.ts';
export { DeferredSemaphore } from './deferred-semaphore.ts';
export { DeferredQueue } from './deferred-queue.ts';
export { inlineCallbacks, type InlineCallbacksGenerator } from './inline-callbacks.ts';
export { setDebugging, getDebugging, logError, fromCoroutine } from './debugging.ts';
