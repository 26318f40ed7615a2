// The trial helpers, checked as trial's own tests of them do (twisted/trial/test/test_assertions.py,
// SynchronousAssertionsTests: successResultOf, failureResultOf, assertNoResult).
import { AssertionError } from 'node:assert';
import { describe, expect, it } from 'vitest';
import { Deferred } from '../../src/defer/deferred.ts';
import { fail, succeed } from '../../src/defer/shortcuts.ts';
import { CancelledError, TimeoutError } from '../../src/errors.ts';
import { Failure } from '../../src/failure.ts';
import { assertNoResult, failureResultOf, successResultOf } from '../../src/testing/index.ts';

describe('successResultOf', () => {
  it('returns the result of a Deferred that succeeded', () => {
    expect(successResultOf(succeed('x'))).toBe('x');
  });

  it('consumes the result, as trial does: the chain goes on with undefined', () => {
    const d = succeed(5);
    successResultOf(d);
    expect(d.result).toBeUndefined();
  });

  it('fails on a Deferred with no result', () => {
    expect(() => successResultOf(new Deferred())).toThrow(
      new AssertionError({
        message: 'Success result expected on <Deferred waiting>, found no result instead',
      }),
    );
  });

  it('fails on a failed Deferred, with the traceback, and consumes the failure', () => {
    const d = fail(new RangeError('out'));
    expect(() => successResultOf(d)).toThrow(/found failure result instead:\nRangeError: out\n\s+at /);
    expect(d.result).toBeUndefined(); // not left to be reported as unhandled as well
  });

  it('refuses a Promise with a TypeError that says to await it', () => {
    expect(() => successResultOf(Promise.resolve(1) as never)).toThrow(/await a Promise instead/);
  });
});

describe('failureResultOf', () => {
  it('returns the Failure of a failed Deferred and consumes it', () => {
    const err = new TimeoutError('late');
    const d = fail(err);
    const f = failureResultOf(d);
    expect(f).toBeInstanceOf(Failure);
    expect(f.value).toBe(err);
    expect(d.result).toBeUndefined();
  });

  it('checks the type against any of the expected types (classes or names)', () => {
    expect(failureResultOf(fail(new TimeoutError('x')), CancelledError, TimeoutError).value.message).toBe(
      'x',
    );
    expect(failureResultOf(fail(new TimeoutError('x')), 'TimeoutError').value.message).toBe('x');
  });

  it('fails when the failure has another type, naming both', () => {
    expect(() => failureResultOf(fail(new RangeError('r')), TimeoutError, CancelledError)).toThrow(
      /^Failure of type \(TimeoutError or CancelledError\) expected on .*, found type RangeError instead: RangeError: r/,
    );
  });

  it('fails on a success and on no result', () => {
    expect(() => failureResultOf(succeed({ a: 1 }))).toThrow(
      'Failure result expected on <Deferred current result: [object Object]>, found success result ({ a: 1 }) instead',
    );
    expect(() => failureResultOf(new Deferred())).toThrow(/found no result instead/);
  });
});

describe('assertNoResult', () => {
  it('passes on a waiting Deferred and leaves it as it was', () => {
    const d = new Deferred<number>();
    assertNoResult(d);
    d.callback(3);
    expect(successResultOf(d)).toBe(3);
  });

  it('fails on a Deferred with a result, leaving the result in place', () => {
    const d = succeed(4);
    expect(() => assertNoResult(d)).toThrow(
      'No result expected on <Deferred current result: 4>, found 4 instead',
    );
    expect(successResultOf(d)).toBe(4);
  });

  it('fails on a failed Deferred and consumes the failure it reports', () => {
    const d = fail(new Error('boom'));
    expect(() => assertNoResult(d)).toThrow(/found \[Failure instance: Error: boom\] instead/);
    expect(d.result).toBeUndefined();
  });
});
