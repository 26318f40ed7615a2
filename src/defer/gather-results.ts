/**
 * `gatherResults`: the results of many Deferreds, or the first failure (Twisted's
 * `defer.gatherResults`).
 *
 * @module
 */
import { readOptions, validateBoolean } from '../validate.ts';
import type { Deferred } from './deferred.ts';
import { DeferredList, type DeferredListEntry } from './deferred-list.ts';

const GATHER_KEYS: ReadonlySet<string> = new Set(['consumeErrors']);

/** Options of {@link gatherResults}. */
export interface GatherResultsOptions {
  /** Consume the failures of the given Deferreds (see `DeferredList`). Default false. */
  consumeErrors?: boolean;
}

/**
 * Fires with the list of results of `list`, in order, once all succeeded; errbacks with a
 * `FirstError` (whose `subFailure` is the failure and `index` its position) as soon as one
 * fails, as Twisted does. Cancelling it cancels every Deferred of the list.
 *
 * @example
 * const [a, b] = await gatherResults([fetchA(), fetchB()]);
 */
export function gatherResults<T>(
  list: Iterable<Deferred<T>>,
  options: GatherResultsOptions = {},
): Deferred<T[]> {
  const { consumeErrors = false } = readOptions(options, 'options', GATHER_KEYS);
  validateBoolean(consumeErrors, 'options.consumeErrors');
  return new DeferredList<T>(list, { fireOnOneErrback: true, consumeErrors }).addCallback(results);
}

function results<T>(pairs: DeferredListEntry<T>[]): T[] {
  return pairs.map((pair) => pair[1] as T);
}
