import { describe, expect, it } from 'vitest';
import { Deferred } from '../../src/defer/deferred.ts';
import { gatherResults } from '../../src/defer/gather-results.ts';
import { succeed } from '../../src/defer/shortcuts.ts';
import { CancelledError, FirstError } from '../../src/errors.ts';
import { consume, outcome } from './helpers.ts';

describe('gatherResults', () => {
  it('fires with the results in input order', () => {
    const a = new Deferred<number>();
    const b = new Deferred<number>();
    const d = gatherResults([a, b]);
    b.callback(2);
    a.callback(1);
    expect(outcome(d).value).toEqual([1, 2]);
  });

  it('an empty list gives []', () => {
    expect(outcome(gatherResults([])).value).toEqual([]);
  });

  it('errbacks with FirstError at the first failure, as Twisted does', () => {
    const a = new Deferred<number>();
    const b = new Deferred<number>();
    const d = gatherResults([a, b], { consumeErrors: true });
    const err = new Error('b broke');
    b.errback(err);
    const f = outcome(d).failure!;
    expect(f.value).toBeInstanceOf(FirstError);
    expect((f.value as FirstError).index).toBe(1);
    expect((f.value as FirstError).subFailure.value).toBe(err);
    a.callback(1); // later results are ignored
    consume(d);
  });

  it('await gives the results, or throws the FirstError', async () => {
    expect(await gatherResults([succeed('a'), succeed('b')])).toEqual(['a', 'b']);
    const bad = new Deferred<string>();
    const p = gatherResults([succeed('a'), bad], { consumeErrors: true });
    bad.errback(new Error('no'));
    await expect(p).rejects.toBeInstanceOf(FirstError);
  });

  it('consumeErrors makes the failed Deferreds go on with undefined', () => {
    const a = new Deferred<number>();
    gatherResults([a], { consumeErrors: true }).addErrback(() => undefined);
    a.errback(new Error('x'));
    expect(outcome(a).failure).toBeUndefined();
  });

  it('cancelling it cancels the Deferreds given', () => {
    let cancelled = 0;
    const a = new Deferred<number>(() => cancelled++);
    const d = gatherResults([a], { consumeErrors: true });
    d.cancel();
    expect(cancelled).toBe(1);
    const first = outcome(d).failure!.value as FirstError;
    expect(first.subFailure.value).toBeInstanceOf(CancelledError);
    consume(d);
  });

  it('validates its options', () => {
    expect(() => gatherResults([], { consumeErrors: 'yes' as never })).toThrow(TypeError);
    expect(() => gatherResults([], null as never)).toThrow(/"options"/);
  });
});
