import { describe, expect, it } from 'vitest';
import { Deferred } from '../../src/defer/deferred.ts';
import { fail, maybeDeferred, succeed } from '../../src/defer/shortcuts.ts';
import { Failure, NonErrorThrown } from '../../src/failure.ts';
import { consume, outcome } from './helpers.ts';

describe('succeed', () => {
  it('gives a fired Deferred whose callbacks run at once', () => {
    const d = succeed(5);
    expect(d.called).toBe(true);
    expect(outcome(d).value).toBe(5);
  });
});

describe('fail', () => {
  it('gives a failed Deferred from an Error, a value or a Failure', () => {
    const e = new Error('e');
    const f = new Failure(e);
    const [fromError, fromFailure, fromValue] = [fail(e), fail(f), fail('text')];
    expect(outcome(fromError).failure!.value).toBe(e);
    expect(outcome(fromFailure).failure).toBe(f);
    expect((outcome(fromValue).failure!.value as NonErrorThrown).thrown).toBe('text');
    for (const d of [fromError, fromFailure, fromValue]) consume(d);
  });

  it('is a normal failed Deferred: an errback recovers it', () => {
    const d = fail(new Error('x')).addErrback(() => 'ok');
    expect(outcome(d).value).toBe('ok');
  });
});

describe('maybeDeferred', () => {
  it('wraps a plain return value in a fired Deferred and passes the arguments', () => {
    const d = maybeDeferred((a: number, b: number) => a + b, 2, 3);
    expect(d).toBeInstanceOf(Deferred);
    expect(outcome(d).value).toBe(5);
  });

  it('turns a thrown exception into a failed Deferred', () => {
    const e = new TypeError('bad');
    const d = maybeDeferred(() => {
      throw e;
    });
    expect(outcome(d).failure!.value).toBe(e);
    consume(d);
  });

  it('returns a returned Deferred itself', () => {
    const inner = new Deferred<number>();
    expect(maybeDeferred(() => inner)).toBe(inner);
  });

  it('turns a returned Failure into a failed Deferred', () => {
    const f = new Failure(new Error('f'));
    const d = maybeDeferred(() => f);
    expect(outcome(d).failure).toBe(f);
    consume(d);
  });

  it('adapts a returned Promise', async () => {
    const d = maybeDeferred(async () => 'later');
    expect(d.called).toBe(false);
    expect(await d).toBe('later');
  });

  it('refuses a non-function with a TypeError naming "fn"', () => {
    expect(() => maybeDeferred(42 as never)).toThrow(/"fn"/);
  });
});
