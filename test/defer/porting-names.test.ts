// The names of twisted.internet.defer that ported code and its tests read: Deferred.result,
// setDebugging/getDebugging, Deferred.fromCoroutine and fromCoroutine, logError.
import { afterEach, describe, expect, it } from 'vitest';
import { AlreadyCalledError } from '../../src/errors.ts';
import { Failure } from '../../src/failure.ts';
import { Deferred } from '../../src/defer/deferred.ts';
import { fromCoroutine, getDebugging, logError, setDebugging } from '../../src/defer/debugging.ts';
import { fail, succeed } from '../../src/defer/shortcuts.ts';
import * as root from '../../src/index.ts';
import { captureLog } from '../support/log-capture.ts';
import { consume } from './helpers.ts';

describe('Deferred.result', () => {
  it('is undefined before the Deferred fires, then the current result', () => {
    const d = new Deferred<number>();
    expect(d.result).toBeUndefined();
    d.callback(1);
    expect(d.result).toBe(1);
    d.addCallback((n) => n + 1);
    expect(d.result).toBe(2);
  });

  it('is the Failure on a failed chain; reading it does not handle the failure', () => {
    const d = fail(new Error('x'));
    expect(d.result).toBeInstanceOf(Failure);
    expect((d.result as Failure).value.message).toBe('x');
    // Still failing for the next errback: reading is not handling.
    let seen: Failure | undefined;
    d.addErrback((f: Failure) => {
      seen = f;
    });
    expect(seen?.value.message).toBe('x');
  });

  it('is the inner Deferred while the chain waits on one', () => {
    const inner = new Deferred<number>();
    const d = succeed(0).addCallback(() => inner);
    expect(d.result).toBe(inner);
    inner.callback(5);
    expect(d.result).toBe(5);
  });

  it('is read-only', () => {
    const d = succeed(1);
    expect(() => {
      (d as unknown as { result: number }).result = 2;
    }).toThrow(TypeError);
  });
});

describe('setDebugging / getDebugging', () => {
  afterEach(() => setDebugging(false));

  it('switch Deferred.debug, so that AlreadyCalledError shows where it was created and fired', () => {
    expect(getDebugging()).toBe(false);
    setDebugging(true);
    expect(getDebugging()).toBe(true);
    expect(Deferred.debug).toBe(true);
    const d = new Deferred<number>();
    d.callback(1);
    let error: unknown;
    try {
      d.callback(2);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AlreadyCalledError);
    expect((error as Error).message).toMatch(/C: Deferred was created:[\s\S]* I: First Invoker was:/);
  });

  it('refuse a non-boolean', () => {
    expect(() => setDebugging(1 as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
  });
});

describe('fromCoroutine', () => {
  it('Deferred.fromCoroutine and the bare fromCoroutine wrap the Promise of an async function', async () => {
    const double = async (n: number): Promise<number> => n * 2;
    expect(await Deferred.fromCoroutine(double(2))).toBe(4);
    expect(await fromCoroutine(double(3))).toBe(6);
    expect(root.fromCoroutine).toBe(fromCoroutine);
  });

  it('delivers a rejection as a Failure', async () => {
    const d = fromCoroutine(Promise.reject(new RangeError('no')));
    const f = await new Promise<Failure>((resolve) => d.addErrback(resolve));
    expect(f.value).toBeInstanceOf(RangeError);
  });

  it("refuses what is not a coroutine's Promise (Twisted's NotACoroutineError)", () => {
    expect(() => fromCoroutine((() => 1) as never)).toThrow(/"coroutine" argument must be a Promise/);
    expect(() => Deferred.fromCoroutine(5 as never)).toThrow(TypeError);
  });
});

describe('logError', () => {
  it('logs the failure and returns it, so the chain goes on failing', () => {
    const log = captureLog();
    try {
      const d = fail(new Error('logged once here'));
      d.addErrback(logError);
      expect(log.errors()).toHaveLength(1);
      expect(log.errors()[0].failure?.value.message).toBe('logged once here');
      expect(d.result).toBeInstanceOf(Failure);
      consume(d);
    } finally {
      log.stop();
    }
  });
});
