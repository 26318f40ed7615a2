import { describe, expect, it } from 'vitest';
import { Deferred } from '../../src/defer/deferred.ts';
import { race } from '../../src/defer/race.ts';
import { CancelledError, FailureGroup } from '../../src/errors.ts';
import { consume, outcome } from './helpers.ts';

describe('race', () => {
  it('fires with [index, result] of the first success and cancels the others', () => {
    const cancelled: number[] = [];
    const ds = [0, 1, 2].map((i) => new Deferred<string>(() => cancelled.push(i)));
    const r = race(ds);
    ds[1].callback('one');
    expect(outcome(r).value).toEqual([1, 'one']);
    expect(cancelled).toEqual([0, 2]);
  });

  it('ignores failures while another may still succeed', () => {
    const a = new Deferred<string>();
    const b = new Deferred<string>();
    const r = race([a, b]);
    a.errback(new Error('a failed'));
    expect(r.called).toBe(false);
    b.callback('b');
    expect(outcome(r).value).toEqual([1, 'b']);
  });

  it('errbacks with a FailureGroup of every failure, in input order, when all fail', () => {
    const a = new Deferred<string>();
    const b = new Deferred<string>();
    const r = race([a, b]);
    b.errback(new Error('b'));
    a.errback(new Error('a'));
    const group = outcome(r).failure!.value as FailureGroup;
    expect(group).toBeInstanceOf(FailureGroup);
    expect(group.failures.map((f) => f.getErrorMessage())).toEqual(['a', 'b']);
    expect(group.errors.map((e) => e.message)).toEqual(['a', 'b']);
    expect(group.code).toBe('ERR_FAILURE_GROUP');
    consume(r);
  });

  it('consumes the results of the given Deferreds', () => {
    const a = new Deferred<string>();
    race([a]);
    a.callback('x');
    expect(outcome(a).value).toBeUndefined();
  });

  it('cancelling it cancels all of them', () => {
    const a = new Deferred<string>();
    const b = new Deferred<string>();
    const r = race([a, b]);
    r.cancel();
    expect(a.called && b.called).toBe(true);
    const group = outcome(r).failure!.value as FailureGroup;
    expect(group.failures.map((f) => f.value.constructor)).toEqual([CancelledError, CancelledError]);
    consume(r);
  });

  it('an empty list never fires, as in Twisted', () => {
    expect(race([]).called).toBe(false);
  });

  it('validates its argument', () => {
    expect(() => race(3 as never)).toThrow(/"list"/);
    expect(() => race([new Deferred(), 'x' as never])).toThrow(/"list\[1\]"/);
  });
});
