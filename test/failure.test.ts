import { describe, expect, test } from 'vitest';
import { CancelledError, TimeoutError, TwistedError } from '../src/errors.ts';
import { Failure, NonErrorThrown } from '../src/failure.ts';

describe('Failure', () => {
  test('wraps an Error: value, type, message, traceback', () => {
    const err = new TimeoutError('too slow');
    const f = new Failure(err);
    expect(f.value).toBe(err);
    expect(f.type).toBe(TimeoutError);
    expect(f.getErrorMessage()).toBe('too slow');
    expect(f.getTraceback()).toContain('TimeoutError: too slow');
    expect(String(f)).toBe('[Failure instance: TimeoutError: too slow]');
  });

  test('wraps a thrown non-Error so that value is always an Error, keeping what was thrown', () => {
    const f = new Failure('just a string');
    expect(f.value).toBeInstanceOf(NonErrorThrown);
    expect((f.value as NonErrorThrown).thrown).toBe('just a string');
    expect(f.getErrorMessage()).toContain("'just a string'");
    expect(new Failure(undefined).getErrorMessage()).toContain('undefined');
  });

  test('copies another Failure, sharing its error', () => {
    const inner = new Failure(new RangeError('r'));
    const outer = new Failure(inner);
    expect(outer.value).toBe(inner.value);
    expect(outer.type).toBe(RangeError);
  });

  test('check returns the first matching type, by class (subclasses match) or class name, else undefined', () => {
    const f = new Failure(new TimeoutError('t'));
    expect(f.check(CancelledError, TwistedError, TimeoutError)).toBe(TwistedError);
    expect(f.check('TimeoutError')).toBe('TimeoutError');
    expect(f.check('Error')).toBe('Error');
    expect(f.check(CancelledError, 'CancelledError')).toBeUndefined();
    expect(f.check()).toBeUndefined();
  });

  test('trap returns the match, or rethrows the original error so the errback chain goes on', () => {
    const err = new TimeoutError('t');
    const f = new Failure(err);
    expect(f.trap(TimeoutError)).toBe(TimeoutError);
    let thrown: unknown;
    try {
      f.trap(CancelledError);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBe(err);
    expect(() => f.raiseException()).toThrow(err);
  });

  test('getTraceback falls back to name and message when the error has no stack', () => {
    const err = new Error('no stack');
    err.stack = undefined;
    expect(new Failure(err).getTraceback()).toBe('Error: no stack');
  });
});
