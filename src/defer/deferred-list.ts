/**
 * `DeferredList`: one Deferred for many (Twisted's `defer.DeferredList`).
 *
 * @module
 */
import { FirstError } from '../errors.ts';
import { Failure } from '../failure.ts';
import { err } from '../log/log.ts';
import { invalidArgType, isInstance, readIterable, readOptions, validateBoolean } from '../validate.ts';
import { Deferred } from './deferred.ts';

const DEFERRED_LIST_KEYS: ReadonlySet<string> = new Set([
  'fireOnOneCallback',
  'fireOnOneErrback',
  'consumeErrors',
]);

/** The options of {@link DeferredList} (Twisted's keyword arguments). */
export interface DeferredListOptions {
  /** Fire with `[result, index]` as soon as one Deferred succeeds. Default false. */
  fireOnOneCallback?: boolean;
  /** Errback with a `FirstError` as soon as one Deferred fails. Default false. */
  fireOnOneErrback?: boolean;
  /**
   * Let the list consume the failures of its Deferreds (their chains go on with `undefined`),
   * so that they are not reported as unhandled. Default false.
   */
  consumeErrors?: boolean;
}

/** One entry of a DeferredList's result: `[true, result]` or `[false, failure]`. */
export type DeferredListEntry<T> = [success: true, result: T] | [success: false, failure: Failure];

/**
 * What a DeferredList fires with, from its options: `[result, index]` with
 * `fireOnOneCallback: true`, else one {@link DeferredListEntry} per Deferred; both when the
 * option is a `boolean` known only at run time.
 */
export type DeferredListResult<T, O extends DeferredListOptions> = 'fireOnOneCallback' extends keyof O
  ? O extends Record<'fireOnOneCallback', true>
    ? [result: T, index: number]
    : O extends Partial<Record<'fireOnOneCallback', false>>
      ? DeferredListEntry<T>[]
      : [result: T, index: number] | DeferredListEntry<T>[]
  : DeferredListEntry<T>[];

/**
 * The options type a DeferredList has when only its first type argument is given
 * (`new DeferredList<T>(list, { consumeErrors: true })`): any options but `fireOnOneCallback:
 * true`, which needs the options' type inferred (leave the type arguments out).
 */
export type DeferredListDefaultOptions = DeferredListOptions & Partial<Record<'fireOnOneCallback', false>>;

/**
 * Fires once every Deferred of `list` has fired, with one `[success, resultOrFailure]` pair per
 * Deferred, in the order given. A Deferred that fails does not make the list fail (unless
 * `fireOnOneErrback`). An empty list fires at once with `[]` (unless `fireOnOneCallback`).
 *
 * With `fireOnOneCallback: true` the result is `[result, index]` instead, and the type says so
 * (the second type parameter is the type of the options, inferred from the call).
 *
 * Its callbacks see the list's result; the Deferreds of the list keep their own results unless
 * `consumeErrors` swallowed a failure. Cancelling the list cancels each of its Deferreds.
 *
 * @example
 * new DeferredList([d1, d2], { consumeErrors: true }).addCallback((pairs) => {
 *   for (const [ok, value] of pairs) console.log(ok ? value : value.getErrorMessage());
 * });
 */
export class DeferredList<
  T = unknown,
  O extends DeferredListOptions = DeferredListDefaultOptions,
> extends Deferred<DeferredListResult<T, O>> {
  /** The pairs collected so far (`undefined` where a Deferred has not fired yet). */
  readonly resultList: (DeferredListEntry<T> | undefined)[];
  /** How many of the Deferreds have fired. */
  finishedCount = 0;
  /** The `fireOnOneCallback` option: the list fires with the first success. */
  readonly fireOnOneCallback: boolean;
  /** The `fireOnOneErrback` option: the list errbacks with the first failure. */
  readonly fireOnOneErrback: boolean;
  /** The `consumeErrors` option: failures of the list's Deferreds stop at the list. */
  readonly consumeErrors: boolean;
  private readonly deferredList: readonly Deferred<T>[];

  constructor(list: Iterable<Deferred<T>>, options: O = {} as O) {
    super();
    const deferreds = readIterable(list, 'list', 'an iterable of Deferreds') as Deferred<T>[];
    const fields = readOptions(options, 'options', DEFERRED_LIST_KEYS);
    const { fireOnOneCallback = false, fireOnOneErrback = false, consumeErrors = false } = fields;
    validateBoolean(fireOnOneCallback, 'options.fireOnOneCallback');
    validateBoolean(fireOnOneErrback, 'options.fireOnOneErrback');
    validateBoolean(consumeErrors, 'options.consumeErrors');
    deferreds.forEach((d, i) => {
      if (!isInstance(d, Deferred)) throw invalidArgType(`list[${i}]`, 'an instance of Deferred', d);
    });
    this.deferredList = deferreds;
    this.resultList = new Array<DeferredListEntry<T> | undefined>(deferreds.length).fill(undefined);
    this.fireOnOneCallback = fireOnOneCallback;
    this.fireOnOneErrback = fireOnOneErrback;
    this.consumeErrors = consumeErrors;
    if (deferreds.length === 0 && !fireOnOneCallback) (this as Deferred<unknown>).callback([]);
    for (let i = 0; i < deferreds.length; i++) {
      deferreds[i].addCallbacks(entryCallback as (r: T) => unknown, entryErrback, [this, i], [this, i]);
    }
  }

  /** Cancels every Deferred of the list that has not fired; the list then fires with their results. */
  override cancel(): void {
    if (this.called) return;
    for (const d of this.deferredList) {
      // As Twisted: one canceller that throws must not leave the others uncancelled (the list
      // would then wait for them); its error is logged rather than thrown at the caller.
      try {
        d.cancel();
      } catch (e) {
        err(e, 'Exception raised from user supplied canceller');
      }
    }
  }

  /** @internal Records one outcome and fires the list when it is complete or decided. */
  _record(index: number, entry: DeferredListEntry<T>): void {
    this.resultList[index] = entry;
    this.finishedCount++;
    if (this.called) return;
    if (entry[0] && this.fireOnOneCallback) {
      (this as Deferred<unknown>).callback([entry[1], index]);
    } else if (!entry[0] && this.fireOnOneErrback) {
      this.errback(new FirstError(entry[1], index));
    } else if (this.finishedCount === this.resultList.length) {
      (this as Deferred<unknown>).callback(this.resultList);
    }
  }
}

function entryCallback<T>(result: T, list: DeferredList<T, DeferredListOptions>, index: number): T {
  list._record(index, [true, result]);
  return result;
}

function entryErrback<T>(
  failure: Failure,
  list: DeferredList<T, DeferredListOptions>,
  index: number,
): Failure | undefined {
  list._record(index, [false, failure]);
  return list.consumeErrors ? undefined : failure;
}
