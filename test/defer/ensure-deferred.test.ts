import { describe, expect, it } from 'vitest';
import { Deferred } from '../../src/defer/deferred.ts';
import { ensureDeferred } from '../../src/defer/ensure-deferred.ts';
import { CancelledError } from '../../src/errors.ts';
import { consume, outcome } from './helpers.ts';

describe('ensureDeferred', () => {
  it('returns a Deferred unchanged', () => {
    const d = new Deferred();
    expect(ensureDeferred(d)).toBe(d);
  });

  it('adapts the Promise of an async function (the TypeScript inlineCallbacks)', async () => {
    const step = new Deferred<number>();
    const d = ensureDeferred(
      (async () => {
        const n = await step; // awaiting a Deferred inside the coroutine
        return n * 2;
      })(),
    );
    expect(d).toBeInstanceOf(Deferred);
    step.callback(21);
    expect(await d).toBe(42);
  });

  it('delivers a rejection as a Failure', async () => {
    const d = ensureDeferred(Promise.reject(new RangeError('r')));
    const f = await new Promise<unknown>((resolve) => d.addErrback(resolve));
    expect((f as { value: unknown }).value).toBeInstanceOf(RangeError);
  });

  it('accepts other thenables', async () => {
    const thenable = { then: (ok: (v: string) => void) => ok('thenable') } as PromiseLike<string>;
    expect(await ensureDeferred(thenable)).toBe('thenable');
  });

  it('can be cancelled: CancelledError at once, the late result is ignored', async () => {
    const d = ensureDeferred(new Promise<number>((r) => setImmediate(() => r(1))));
    d.cancel();
    expect(outcome(d).failure!.value).toBeInstanceOf(CancelledError);
    consume(d);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
  });

  it.each([42, 'x', null, undefined, {}])(
    'refuses %s with a TypeError (Twisted: NotACoroutineError)',
    (v) => {
      let thrown: unknown;
      try {
        ensureDeferred(v as never);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(TypeError);
      expect((thrown as { code: string }).code).toBe('ERR_INVALID_ARG_TYPE');
      expect((thrown as Error).message).toContain('"awaitable"');
    },
  );
});
