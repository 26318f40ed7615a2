/**
 * `race`: the first success of several Deferreds (Twisted's `defer.race`).
 *
 * @module
 */
import { FailureGroup } from '../errors.ts';
import type { Failure } from '../failure.ts';
import { invalidArgType, isInstance, readIterable } from '../validate.ts';
import { Deferred } from './deferred.ts';

/**
 * Fires with `[index, result]` of the first Deferred of `list` to succeed, and cancels the
 * others; if all fail, errbacks with a `FailureGroup` of their failures in input order.
 * Cancelling the returned Deferred cancels all of them. The given Deferreds' results are
 * consumed (their chains go on with `undefined`). Like Twisted's (and `Promise.race`), an empty
 * list never fires.
 *
 * @example
 * const [which, answer] = await race([askServerA(), askServerB()]);
 */
export function race<T>(list: Iterable<Deferred<T>>): Deferred<[index: number, result: T]> {
  const contenders = readIterable(list, 'list', 'an iterable of Deferreds') as Deferred<T>[];
  contenders.forEach((d, i) => {
    if (!isInstance(d, Deferred)) throw invalidArgType(`list[${i}]`, 'an instance of Deferred', d);
  });
  // The winner is not cancelled: its result lives on in the caller's hands.
  let winner: Deferred<T> | undefined;
  const failures: (Failure | undefined)[] = new Array<Failure | undefined>(contenders.length).fill(undefined);
  let failed = 0;
  const result = new Deferred<[number, T]>(() => {
    for (const d of contenders) d.cancel();
  });
  contenders.forEach((d, index) => {
    d.addCallbacks(
      (value: T): undefined => {
        if (winner !== undefined) return undefined;
        winner = d;
        for (const other of contenders) if (other !== d) other.cancel();
        result.callback([index, value]);
        return undefined;
      },
      (failure: Failure): undefined => {
        failures[index] = failure;
        if (++failed === contenders.length) result.errback(new FailureGroup(failures as Failure[]));
        return undefined;
      },
    );
  });
  return result;
}
