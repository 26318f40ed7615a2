import { describe, expect, it } from 'vitest';
import { Deferred } from '../../src/defer/deferred.ts';
import { DeferredList } from '../../src/defer/deferred-list.ts';
import { succeed, fail } from '../../src/defer/shortcuts.ts';
import { CancelledError, FirstError } from '../../src/errors.ts';
import type { Failure } from '../../src/failure.ts';
import { addObserver, defaultErrorObserver, removeObserver, type LogEvent } from '../../src/log/log.ts';
import { consume, outcome } from './helpers.ts';

describe('DeferredList', () => {
  it('fires once all have fired, with [success, result] pairs in input order', () => {
    const a = new Deferred<number>();
    const b = new Deferred<number>();
    const c = new Deferred<number>();
    const dl = new DeferredList([a, b, c], { consumeErrors: true });
    c.callback(3);
    const err = new Error('b failed');
    b.errback(err);
    expect(dl.called).toBe(false);
    a.callback(1);
    const pairs = outcome(dl).value!;
    expect(pairs.map((p) => p[0])).toEqual([true, false, true]);
    expect(pairs[0][1]).toBe(1);
    expect((pairs[1][1] as Failure).value).toBe(err);
    expect(pairs[2][1]).toBe(3);
  });

  it('an empty list fires at once with []', () => {
    expect(outcome(new DeferredList([])).value).toEqual([]);
  });

  it('an empty list with fireOnOneCallback never fires', () => {
    expect(new DeferredList([], { fireOnOneCallback: true }).called).toBe(false);
  });

  it('works with Deferreds that already fired', () => {
    const dl = new DeferredList([succeed('x'), succeed('y')]);
    expect(outcome(dl).value).toEqual([
      [true, 'x'],
      [true, 'y'],
    ]);
  });

  it('fireOnOneCallback fires with [result, index] at the first success', () => {
    const a = new Deferred<string>();
    const b = new Deferred<string>();
    const dl = new DeferredList([a, b], { fireOnOneCallback: true });
    b.callback('b first');
    expect(outcome(dl).value).toEqual(['b first', 1]);
    a.callback('later'); // no AlreadyCalledError: the list ignores later results
    expect(dl.finishedCount).toBe(2);
  });

  it('fireOnOneErrback errbacks with FirstError holding the failure and its index', () => {
    const a = new Deferred<number>();
    const b = new Deferred<number>();
    const dl = new DeferredList([a, b], { fireOnOneErrback: true, consumeErrors: true });
    const err = new Error('first');
    b.errback(err);
    const f = outcome(dl).failure!;
    expect(f.value).toBeInstanceOf(FirstError);
    const first = f.value as FirstError;
    expect(first.index).toBe(1);
    expect(first.subFailure.value).toBe(err);
    expect(first.cause).toBe(err);
    expect(first.code).toBe('ERR_FIRST_ERROR');
    consume(dl);
  });

  it('without consumeErrors the failures stay in the given Deferreds; with it they become undefined', () => {
    const kept = fail(new Error('kept'));
    new DeferredList([kept]);
    expect(outcome(kept).failure!.getErrorMessage()).toBe('kept');
    consume(kept);
    const eaten = fail(new Error('eaten'));
    new DeferredList([eaten], { consumeErrors: true });
    const o = outcome(eaten);
    expect(o.failure).toBeUndefined();
    expect(o.value).toBeUndefined();
  });

  it('leaves successful results in the given Deferreds', () => {
    const a = succeed(1);
    new DeferredList([a]);
    expect(outcome(a).value).toBe(1);
  });

  it('cancel cancels every Deferred of the list; the list then fires with their failures', () => {
    let cancelled = 0;
    const a = new Deferred<number>(() => cancelled++);
    const b = new Deferred<number>(() => cancelled++);
    const dl = new DeferredList([a, b], { consumeErrors: true });
    dl.cancel();
    expect(cancelled).toBe(2);
    const pairs = outcome(dl).value!;
    expect(pairs.map(([ok, r]) => [ok, (r as Failure).value.constructor])).toEqual([
      [false, CancelledError],
      [false, CancelledError],
    ]);
  });

  it('cancel goes on to the other Deferreds when a canceller throws, and logs the error (as Twisted)', () => {
    const events: LogEvent[] = [];
    const observer = (e: LogEvent): void => void events.push(e);
    // Collect the logged error instead of printing it.
    removeObserver(defaultErrorObserver);
    addObserver(observer);
    try {
      const boom = new Error('canceller failed');
      const a = new Deferred<number>(() => {
        throw boom;
      });
      const b = new Deferred<number>();
      const dl = new DeferredList([a, b], { consumeErrors: true });
      expect(() => dl.cancel()).not.toThrow();
      expect(b.called).toBe(true);
      expect(events.filter((e) => e.isError).map((e) => e.failure?.value)).toEqual([boom]);
      a.callback(1);
      const pairs = outcome(dl).value!;
      expect(pairs[0]).toEqual([true, 1]);
      expect(pairs[1][0]).toBe(false);
      expect((pairs[1][1] as Failure).value).toBeInstanceOf(CancelledError);
    } finally {
      removeObserver(observer);
      addObserver(defaultErrorObserver);
    }
  });

  it('cancel after it fired does nothing', () => {
    const a = succeed(1);
    const dl = new DeferredList([a]);
    dl.cancel();
    expect(outcome(dl).value).toEqual([[true, 1]]);
  });

  it('accepts any iterable', () => {
    function* gen() {
      yield succeed(1);
      yield succeed(2);
    }
    expect(outcome(new DeferredList(gen())).value).toEqual([
      [true, 1],
      [true, 2],
    ]);
  });

  it('validates its arguments', () => {
    expect(() => new DeferredList(5 as never)).toThrow(/"list"/);
    expect(() => new DeferredList([succeed(1), 2 as never])).toThrow(/"list\[1\]"/);
    expect(() => new DeferredList([], 'x' as never)).toThrow(/"options"/);
    expect(() => new DeferredList([], { consumeErrors: 1 as never })).toThrow(/"options.consumeErrors"/);
  });
});
