import { describe, expect, it } from 'vitest';
import { AlreadyCalledError, CancelledError, TwistedError } from '../../src/errors.ts';
import { Failure, NonErrorThrown } from '../../src/failure.ts';
import { Deferred } from '../../src/defer/deferred.ts';

class GenericError extends Error {}

/** The outcome of `d` right now, read through a callback pair that passes it on unchanged. */
function outcome<T>(d: Deferred<T>): { value?: T; failure?: Failure; fired: boolean } {
  const seen: { value?: T; failure?: Failure; fired: boolean } = { fired: false };
  d.addCallbacks(
    (v: T) => {
      Object.assign(seen, { value: v, fired: true });
      return v;
    },
    (f: Failure) => {
      Object.assign(seen, { failure: f, fired: true });
      return f;
    },
  );
  return seen;
}

/** Consumes whatever failure `d` ends on, so nothing is reported as unhandled. */
function consume(d: Deferred<unknown>): void {
  d.addErrback(() => undefined);
}

describe('Deferred: callbacks and errbacks', () => {
  it('runs callbacks synchronously, in order, each getting the previous result', () => {
    const d = new Deferred<number>();
    const seen: number[] = [];
    d.addCallback((n) => {
      seen.push(n);
      return n + 1;
    }).addCallback((n) => {
      seen.push(n);
      return n * 10;
    });
    expect(seen).toEqual([]);
    d.callback(1);
    expect(seen).toEqual([1, 2]);
    expect(outcome(d).value).toBe(20);
  });

  it('runs a callback added after the result at once', () => {
    const d = new Deferred<string>();
    d.callback('x');
    let got: string | undefined;
    d.addCallback((v) => {
      got = v;
    });
    expect(got).toBe('x');
  });

  it('passes extra arguments after the result', () => {
    const d = new Deferred<number>();
    const calls: unknown[][] = [];
    d.addCallback(
      (r: number, a: string, b: number) => {
        calls.push([r, a, b]);
        return r;
      },
      'a',
      2,
    );
    d.addBoth((r: unknown, tag: string) => {
      calls.push([r, tag]);
      throw new GenericError('x');
    }, 'both');
    d.addErrback((f: Failure, tag: string) => {
      calls.push([f.value.message, tag]);
    }, 'eb');
    d.callback(1);
    expect(calls).toEqual([
      [1, 'a', 2],
      [1, 'both'],
      ['x', 'eb'],
    ]);
  });

  it('addCallbacks passes its argument arrays to the half that runs', () => {
    const ok = new Deferred<number>();
    const bad = new Deferred<number>();
    const calls: unknown[][] = [];
    const cb = (r: number, ...args: unknown[]) => calls.push(['cb', r, ...args]);
    const eb = (f: Failure, ...args: unknown[]) => calls.push(['eb', f.getErrorMessage(), ...args]);
    ok.addCallbacks(cb, eb, [1, 2], [3]);
    bad.addCallbacks(cb, eb, [1, 2], [3]);
    ok.callback(0);
    bad.errback(new Error('no'));
    expect(calls).toEqual([
      ['cb', 0, 1, 2],
      ['eb', 'no', 3],
    ]);
  });

  it('a callback that throws switches to the errbacks with a Failure of what was thrown', () => {
    const d = new Deferred<number>();
    const err = new GenericError('boom');
    const skipped: unknown[] = [];
    let failure: Failure | undefined;
    d.addCallback(() => {
      throw err;
    })
      .addCallback((v) => skipped.push(v))
      .addErrback((f) => {
        failure = f;
      });
    d.callback(1);
    expect(skipped).toEqual([]);
    expect(failure).toBeInstanceOf(Failure);
    expect(failure!.value).toBe(err);
    expect(failure!.type).toBe(GenericError);
  });

  it('wraps a thrown non-Error value in NonErrorThrown', () => {
    const d = new Deferred<number>();
    let failure: Failure | undefined;
    d.addCallback(() => {
      throw 'a string';
    }).addErrback((f) => {
      failure = f;
    });
    d.callback(1);
    expect(failure!.value).toBeInstanceOf(NonErrorThrown);
    expect((failure!.value as NonErrorThrown).thrown).toBe('a string');
  });

  it('an errback returning a value switches back to the callbacks', () => {
    const d = new Deferred<number>();
    d.addErrback(() => 'recovered');
    d.errback(new Error('x'));
    const o = outcome(d);
    expect(o.value).toBe('recovered');
    expect(o.failure).toBeUndefined();
  });

  it('an errback returning a Failure, or rethrowing, keeps the chain failing', () => {
    const d = new Deferred<number>();
    const original = new GenericError('x');
    const seen: Failure[] = [];
    d.addErrback((f) => {
      seen.push(f);
      return f;
    })
      .addErrback((f) => {
        seen.push(f);
        throw f.value;
      })
      .addErrback((f) => {
        seen.push(f);
      });
    d.errback(original);
    expect(seen.map((f) => f.value)).toEqual([original, original, original]);
    expect(seen[0]).toBe(seen[1]); // a returned Failure is passed on as it is
  });

  it('errbacks are skipped on success and callbacks are skipped on failure', () => {
    const good = new Deferred<number>();
    const log: string[] = [];
    good.addErrback(() => log.push('eb')).addCallback(() => log.push('cb'));
    good.callback(1);
    const bad = new Deferred<number>();
    bad.addCallback(() => log.push('cb2')).addErrback(() => log.push('eb2'));
    bad.errback(new Error('x'));
    expect(log).toEqual(['cb', 'eb2']);
  });

  it('trap() inside an errback lets unmatched failures continue down the chain', () => {
    const d = new Deferred<number>();
    const out: string[] = [];
    d.addErrback((f) => {
      f.trap(CancelledError);
      out.push('trapped');
    }).addErrback((f) => {
      out.push(`passed on: ${f.getErrorMessage()}`);
    });
    d.errback(new GenericError('other'));
    expect(out).toEqual(['passed on: other']);
  });

  it('callback(failure) starts the errback chain, as in Twisted', () => {
    const d = new Deferred<number>();
    const f = new Failure(new Error('given'));
    d.callback(f);
    const o = outcome(d);
    expect(o.failure).toBe(f);
    consume(d);
  });

  it('errback wraps an Error or any value in a Failure, and uses a Failure as it is', () => {
    const e = new Error('e');
    const d1 = new Deferred();
    d1.errback(e);
    expect(outcome(d1).failure!.value).toBe(e);
    const d2 = new Deferred();
    d2.errback(42);
    expect((outcome(d2).failure!.value as NonErrorThrown).thrown).toBe(42);
    const f = new Failure(e);
    const d3 = new Deferred();
    d3.errback(f);
    expect(outcome(d3).failure).toBe(f);
    [d1, d2, d3].forEach(consume);
  });

  it('adding a callback from inside a callback runs it after the current one, not nested', () => {
    const d = new Deferred<number>();
    const order: string[] = [];
    d.addCallback((n) => {
      d.addCallback((m) => {
        order.push(`inner ${m}`);
        return m;
      });
      order.push('outer done');
      return n + 1;
    });
    d.callback(1);
    expect(order).toEqual(['outer done', 'inner 2']);
  });
});

describe('Deferred: called, AlreadyCalledError and bad arguments', () => {
  it('called is false before and true after callback or errback', () => {
    const d = new Deferred();
    expect(d.called).toBe(false);
    d.callback(undefined);
    expect(d.called).toBe(true);
    const e = new Deferred();
    e.errback(new Error('x'));
    expect(e.called).toBe(true);
    consume(e);
  });

  it.each([
    ['callback then callback', (d: Deferred) => d.callback(1), (d: Deferred) => d.callback(2)],
    ['callback then errback', (d: Deferred) => d.callback(1), (d: Deferred) => d.errback(new Error('x'))],
    ['errback then callback', (d: Deferred) => d.errback(new Error('x')), (d: Deferred) => d.callback(1)],
    [
      'errback then errback',
      (d: Deferred) => d.errback(new Error('x')),
      (d: Deferred) => d.errback(new Error('y')),
    ],
  ])('%s throws AlreadyCalledError and leaves the first result', (_name, first, second) => {
    const d = new Deferred();
    first(d);
    const before = outcome(d);
    expect(() => second(d)).toThrow(AlreadyCalledError);
    try {
      second(d);
    } catch (e) {
      expect((e as AlreadyCalledError).code).toBe('ERR_DEFERRED_ALREADY_CALLED');
    }
    const after = outcome(d);
    expect(after.value).toBe(before.value);
    expect(after.failure).toBe(before.failure);
    consume(d);
  });

  it('errback() without a reason fails with a TwistedError saying so (JavaScript has no current exception)', () => {
    const d = new Deferred();
    (d.errback as () => void)();
    const failure = outcome(d).failure!;
    expect(failure.value).toBeInstanceOf(TwistedError);
    expect(failure.getErrorMessage()).toMatch(/without a reason/);
    consume(d);
  });

  it('errback(undefined) is an explicit (thrown) value, wrapped in a Failure', () => {
    const d = new Deferred();
    d.errback(undefined);
    expect((outcome(d).failure!.value as NonErrorThrown).thrown).toBeUndefined();
    consume(d);
  });

  it('callback(aDeferred) is refused: chain Deferreds instead', () => {
    const d = new Deferred<unknown>();
    expect(() => d.callback(new Deferred())).toThrow(TypeError);
    expect(d.called).toBe(false);
  });

  it.each([
    ['addCallback', (d: Deferred, v: unknown) => d.addCallback(v as never), 'callback'],
    ['addErrback', (d: Deferred, v: unknown) => d.addErrback(v as never), 'errback'],
    ['addBoth', (d: Deferred, v: unknown) => d.addBoth(v as never), 'callback'],
    ['addCallbacks callback', (d: Deferred, v: unknown) => d.addCallbacks(v as never), 'callback'],
    ['addCallbacks errback', (d: Deferred, v: unknown) => d.addCallbacks(() => 1, v as never), 'errback'],
    ['constructor canceller', (_d: Deferred, v: unknown) => new Deferred(v as never), 'canceller'],
  ])('%s with a non-function throws a TypeError naming the argument', (_name, call, argName) => {
    const d = new Deferred();
    for (const bad of ['f', 1, {}, true]) {
      let thrown: unknown;
      try {
        call(d, bad);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(TypeError);
      expect((thrown as TypeError & { code: string }).code).toBe('ERR_INVALID_ARG_TYPE');
      expect((thrown as Error).message).toContain(`"${argName}"`);
    }
  });

  it('addCallbacks refuses non-array argument lists', () => {
    const d = new Deferred();
    expect(() => d.addCallbacks(() => 1, null, 'x' as never)).toThrow(/"callbackArgs"/);
    expect(() => d.addCallbacks(() => 1, null, [], 5 as never)).toThrow(/"errbackArgs"/);
  });

  it('chainDeferred refuses a non-Deferred', () => {
    expect(() => new Deferred().chainDeferred({} as never)).toThrow(TypeError);
  });
});

describe('Deferred: chaining', () => {
  it('a callback returning an unfired Deferred pauses the chain until it fires', () => {
    const outer = new Deferred<number>();
    const inner = new Deferred<string>();
    const seen: unknown[] = [];
    outer.addCallback(() => inner).addCallback((v) => seen.push(v));
    outer.callback(1);
    expect(seen).toEqual([]);
    expect(outer.paused).toBe(1);
    inner.callback('inner result');
    expect(seen).toEqual(['inner result']);
    expect(outer.paused).toBe(0);
  });

  it('a callback returning an already fired Deferred continues at once with its result', () => {
    const outer = new Deferred<number>();
    const inner = new Deferred<number>();
    inner.callback(7);
    outer.addCallback(() => inner);
    outer.callback(0);
    expect(outer.paused).toBe(0);
    expect(outcome(outer).value).toBe(7);
    // The result moved to the outer Deferred: the inner one is left with undefined, as in Twisted.
    expect(outcome(inner).value).toBeUndefined();
  });

  it('a failure of the inner Deferred continues down the errbacks of the outer one', () => {
    const outer = new Deferred<number>();
    const inner = new Deferred<number>();
    const err = new GenericError('inner failed');
    let got: Failure | undefined;
    outer
      .addCallback(() => inner)
      .addErrback((f) => {
        got = f;
      });
    outer.callback(0);
    inner.errback(err);
    expect(got!.value).toBe(err);
  });

  it('an errback may return a Deferred too', () => {
    const outer = new Deferred<number>();
    const inner = new Deferred<string>();
    outer.addErrback(() => inner);
    outer.errback(new Error('x'));
    expect(outcome(outer).fired).toBe(false);
    inner.callback('rescued');
    expect(outcome(outer).value).toBe('rescued');
  });

  it('callbacks added to the inner Deferred after chaining run after the outer took its result', () => {
    // Twisted's test_nestedAsynchronousChainedDeferredsWithExtraCallbacks, in short.
    const outer = new Deferred<number>();
    const inner = new Deferred<string>();
    const order: unknown[] = [];
    outer.addCallback(() => inner).addCallback((v) => order.push(['outer', v]));
    outer.callback(0);
    inner.addCallback((v) => order.push(['inner late', v]));
    inner.callback('r');
    expect(order).toEqual([
      ['outer', 'r'],
      ['inner late', undefined],
    ]);
  });

  it('a paused inner Deferred with a result still makes the outer one wait', () => {
    const outer = new Deferred<number>();
    const inner = new Deferred<number>();
    inner.callback(5);
    inner.pause();
    outer.addCallback(() => inner);
    outer.callback(0);
    expect(outcome(outer).fired).toBe(false);
    inner.unpause();
    expect(outcome(outer).value).toBe(5);
  });

  it('a callback returning its own Deferred fails the chain with a TypeError instead of hanging', () => {
    const d = new Deferred<number>();
    d.addCallback(() => d as unknown as number);
    d.callback(1);
    const o = outcome(d);
    expect(o.failure!.value).toBeInstanceOf(TypeError);
    consume(d);
  });

  it('a callback returning a Promise waits for it (beyond Twisted)', async () => {
    const d = new Deferred<number>();
    const seen: number[] = [];
    d.addCallback(async (n) => n + 1).addCallback((n) => seen.push(n));
    d.callback(1);
    expect(seen).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([2]);
  });

  it("chainDeferred fires the other Deferred with this one's result and leaves undefined here", () => {
    const a = new Deferred<number>();
    const b = new Deferred<number>();
    a.chainDeferred(b);
    a.callback(3);
    expect(outcome(b).value).toBe(3);
    expect(outcome(a).value).toBeUndefined();
    const c = new Deferred<number>();
    const e = new Deferred<number>();
    c.chainDeferred(e);
    c.errback(new GenericError('f'));
    expect(outcome(e).failure!.value.message).toBe('f');
    expect(outcome(c).failure).toBeUndefined();
    consume(e);
  });

  it('runs 100,000 chained callbacks in constant stack', () => {
    const d = new Deferred<number>();
    for (let i = 0; i < 100_000; i++) d.addCallback((n) => n + 1);
    d.callback(0);
    expect(outcome(d).value).toBe(100_000);
  });

  it('runs 10,000 nested Deferreds, each returned by a callback of the previous, in constant stack', () => {
    const top = new Deferred<string>();
    const inners = Array.from({ length: 10_000 }, () => new Deferred<string>());
    const last = new Deferred<string>();
    let depthAtEnd = -1;
    top.addCallback(() => inners[0]);
    top.addCallback((v) => {
      depthAtEnd = new Error().stack!.split('\n').length;
      return v;
    });
    for (let i = 0; i < inners.length - 1; i++) inners[i].addCallback(() => inners[i + 1]);
    inners[inners.length - 1].addCallback(() => last);
    top.callback('start');
    for (const d of inners) d.callback('ignored');
    expect(depthAtEnd).toBe(-1);
    last.callback('done');
    expect(outcome(top).value).toBe('done');
    expect(depthAtEnd).toBeGreaterThan(0);
    expect(depthAtEnd).toBeLessThan(50);
  });

  it('fires 10,000 Deferreds each waiting on the next, innermost last, without overflowing', () => {
    const ds = Array.from({ length: 10_000 }, () => new Deferred<number>());
    for (let i = 0; i < ds.length - 1; i++) ds[i].addCallback(() => ds[i + 1]);
    // Outermost first: each one ends up waiting on the next; the last result then climbs up.
    for (let i = 0; i < ds.length - 1; i++) ds[i].callback(0);
    expect(outcome(ds[0]).fired).toBe(false);
    ds[ds.length - 1].callback(42);
    expect(outcome(ds[0]).value).toBe(42);
  });
});

describe('Deferred: pause and unpause', () => {
  it('pause stops callbacks; unpause runs those pending, counting nested pauses', () => {
    const d = new Deferred<number>();
    const seen: number[] = [];
    d.pause();
    d.pause();
    expect(d.paused).toBe(2);
    d.addCallback((n) => seen.push(n));
    d.callback(1);
    expect(seen).toEqual([]);
    d.unpause();
    expect(seen).toEqual([]);
    d.unpause();
    expect(seen).toEqual([1]);
    expect(d.paused).toBe(0);
  });

  it('unpause of an unfired Deferred runs nothing, and extra unpauses do not go negative', () => {
    const d = new Deferred<number>();
    d.pause();
    d.unpause();
    d.unpause();
    expect(d.paused).toBe(0);
    const seen: number[] = [];
    d.addCallback((n) => seen.push(n));
    d.callback(4);
    expect(seen).toEqual([4]);
  });
});

describe('Deferred: cancel', () => {
  it('calls the canceller with the Deferred, then errbacks CancelledError if it did not fire', () => {
    const seen: Deferred<number>[] = [];
    const d = new Deferred<number>((x) => seen.push(x));
    d.cancel();
    expect(seen).toEqual([d]);
    const f = outcome(d).failure!;
    expect(f.value).toBeInstanceOf(CancelledError);
    expect(f.check(CancelledError)).toBe(CancelledError);
    consume(d);
  });

  it('a canceller may fire the Deferred itself', () => {
    const d = new Deferred<string>((x) => x.callback('cancelled quietly'));
    d.cancel();
    expect(outcome(d).value).toBe('cancelled quietly');
  });

  it('without a canceller, one late callback is silently ignored; a second raises', () => {
    const d = new Deferred<number>();
    d.cancel();
    expect(() => d.callback(1)).not.toThrow();
    expect(() => d.callback(2)).toThrow(AlreadyCalledError);
    expect(outcome(d).failure!.value).toBeInstanceOf(CancelledError);
    consume(d);
  });

  it('with a canceller that does not fire it, a late callback raises AlreadyCalledError', () => {
    const d = new Deferred<number>(() => undefined);
    d.cancel();
    expect(() => d.callback(1)).toThrow(AlreadyCalledError);
    consume(d);
  });

  it('cancel after a result is a no-op', () => {
    let cancellerCalls = 0;
    const d = new Deferred<number>(() => cancellerCalls++);
    d.callback(1);
    d.cancel();
    expect(cancellerCalls).toBe(0);
    expect(outcome(d).value).toBe(1);
  });

  it('cancelling a Deferred that waits on a returned Deferred cancels that inner one', () => {
    let innerCancelled = 0;
    const inner = new Deferred<number>(() => innerCancelled++);
    const outer = new Deferred<number>(() => {
      throw new Error('the outer canceller must not run: the outer Deferred already has a result');
    });
    outer.addCallback(() => inner);
    outer.callback(0);
    outer.cancel();
    expect(innerCancelled).toBe(1);
    expect(outcome(outer).failure!.value).toBeInstanceOf(CancelledError);
    consume(outer);
  });

  it('an exception thrown by the canceller propagates to the caller of cancel', () => {
    const d = new Deferred<number>(() => {
      throw new GenericError('canceller broke');
    });
    expect(() => d.cancel()).toThrow(GenericError);
  });
});

describe('Deferred: await, then, asPromise and fromPromise', () => {
  it('await gives the result and does not change the chain', async () => {
    const d = new Deferred<number>();
    setImmediate(() => d.callback(5));
    expect(await d).toBe(5);
    expect(outcome(d).value).toBe(5);
  });

  it('await of a failed Deferred throws the underlying Error and leaves the failure in the chain', async () => {
    const err = new GenericError('awaited');
    const d = new Deferred<number>();
    d.errback(err);
    await expect(d).rejects.toBe(err);
    const f = outcome(d).failure!;
    expect(f.value).toBe(err);
    consume(d);
  });

  it('an awaited failure counts as handled', async () => {
    const d = new Deferred<number>();
    d.errback(new Error('x'));
    await d.then(
      () => undefined,
      () => undefined,
    );
    expect(d._info?.failResult).toBeUndefined();
    const unawaited = new Deferred<number>();
    unawaited.errback(new Error('y'));
    expect(unawaited._info?.failResult).toBeInstanceOf(Failure);
    consume(unawaited);
  });

  it('then() chains like a Promise', async () => {
    const d = new Deferred<number>();
    d.callback(2);
    await expect(d.then((n) => n * 3)).resolves.toBe(6);
  });

  it('asPromise() resolves or rejects with the result at that point of the chain', async () => {
    const d = new Deferred<number>();
    const p = d.asPromise();
    d.addCallback((n) => n + 1);
    d.callback(1);
    await expect(p).resolves.toBe(1);
    expect(outcome(d).value).toBe(2);
    const bad = new Deferred<number>();
    const q = bad.asPromise();
    bad.errback(new GenericError('no'));
    await expect(q).rejects.toBeInstanceOf(GenericError);
    consume(bad);
  });

  it('fromPromise fires with the value or a Failure of the rejection', async () => {
    const ok = Deferred.fromPromise(Promise.resolve('v'));
    expect(ok.called).toBe(false); // a Promise settles later
    expect(await ok).toBe('v');
    const err = new GenericError('rejected');
    const bad = Deferred.fromPromise(Promise.reject(err));
    const f = await new Promise<Failure>((resolve) => bad.addErrback(resolve));
    expect(f.value).toBe(err);
  });

  it('fromPromise: cancelling errbacks CancelledError and ignores the late outcome', async () => {
    let resolve!: (v: string) => void;
    const d = Deferred.fromPromise(new Promise<string>((r) => (resolve = r)));
    d.cancel();
    expect(outcome(d).failure!.value).toBeInstanceOf(CancelledError);
    consume(d);
    resolve('late');
    await new Promise((r) => setImmediate(r));
    expect(outcome(d).value).toBeUndefined();
  });

  it('fromPromise returns a Deferred unchanged and refuses non-thenables', () => {
    const d = new Deferred();
    expect(Deferred.fromPromise(d)).toBe(d);
    expect(() => Deferred.fromPromise(42 as never)).toThrow(/"promise"/);
  });

  it('a Deferred returned from an async function is adopted', async () => {
    const d = new Deferred<string>();
    const p = (async () => d)();
    d.callback('adopted');
    expect(await p).toBe('adopted');
  });
});

describe('Deferred: cancelOn(signal)', () => {
  it('cancels when the signal aborts', () => {
    const ac = new AbortController();
    const d = new Deferred<number>().cancelOn(ac.signal);
    expect(d.called).toBe(false);
    ac.abort();
    expect(outcome(d).failure!.value).toBeInstanceOf(CancelledError);
    consume(d);
  });

  it('cancels at once with an already aborted signal', () => {
    const d = new Deferred<number>().cancelOn(AbortSignal.abort());
    expect(outcome(d).failure!.value).toBeInstanceOf(CancelledError);
    consume(d);
  });

  it('does nothing once the Deferred fired, and stops listening', () => {
    const ac = new AbortController();
    let removed = 0;
    const remove = ac.signal.removeEventListener.bind(ac.signal);
    ac.signal.removeEventListener = ((...a: Parameters<typeof remove>) => {
      removed++;
      remove(...a);
    }) as typeof remove;
    const d = new Deferred<number>().cancelOn(ac.signal);
    d.callback(1);
    expect(removed).toBe(1);
    ac.abort();
    expect(outcome(d).value).toBe(1);
  });

  it('refuses a non-signal', () => {
    expect(() => new Deferred().cancelOn({} as never)).toThrow(/"signal"/);
  });
});

describe('Deferred.debug', () => {
  it('records where a Deferred was created and first fired, shown by AlreadyCalledError', () => {
    Deferred.debug = true;
    try {
      const d = new Deferred<number>();
      d.callback(1);
      let message = '';
      try {
        d.callback(2);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toContain(' C: Deferred was created:');
      expect(message).toContain(' I: First Invoker was:');
      expect(message).toContain('deferred.test.ts');
    } finally {
      Deferred.debug = false;
    }
  });

  it('is off by default: no stacks are recorded', () => {
    const d = new Deferred<number>();
    d.callback(1);
    expect(d._info).toBeUndefined();
    expect(() => d.callback(2)).toThrow(/^Deferred was already called$/);
  });
});

describe('Deferred: toString', () => {
  it('says whether it waits, and its current result', () => {
    const d = new Deferred<number>();
    expect(String(d)).toBe('<Deferred waiting>');
    d.callback(3);
    expect(String(d)).toBe('<Deferred current result: 3>');
  });
});
