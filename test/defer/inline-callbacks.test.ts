// Ports twisted/test/test_defgen.py (InlineCallbacksTests) and
// twisted/internet/test/test_inlinecb.py, plus what JavaScript adds (Promises, `this`, types).
import { describe, expect, expectTypeOf, it } from 'vitest';
import { CancelledError } from '../../src/errors.ts';
import { Failure } from '../../src/failure.ts';
import { Deferred } from '../../src/defer/deferred.ts';
import { inlineCallbacks } from '../../src/defer/inline-callbacks.ts';
import { fail, succeed } from '../../src/defer/shortcuts.ts';
import { Clock } from '../../src/task/clock.ts';
import { consume, outcome } from './helpers.ts';

class TerminalException extends Error {}
class ZeroDivisionError extends Error {}

/** A Deferred that fires with 'hi' on the next `clock.advance(0)` (test_defgen's getThing). */
function getThing(clock: Clock): Deferred<string> {
  const d = new Deferred<string>();
  clock.callLater(0, () => d.callback('hi'));
  return d;
}

/** A Deferred that fails on the next `clock.advance(0)` (test_defgen's getOwie). */
function getOwie(clock: Clock): Deferred<never> {
  const d = new Deferred<never>();
  clock.callLater(0, () => d.errback(new ZeroDivisionError('OMG')));
  return d;
}

describe('inlineCallbacks (test_defgen.InlineCallbacksTests)', () => {
  it('testBasics: yields a Deferred that succeeds and one that fails, then returns a value', () => {
    const clock = new Clock();
    const gen = inlineCallbacks(function* () {
      const x: string = yield getThing(clock);
      expect(x).toBe('hi');
      try {
        yield getOwie(clock);
        expect.unreachable('the failure was not thrown into the generator');
      } catch (e) {
        expect(e).toBeInstanceOf(ZeroDivisionError);
        expect((e as Error).message).toBe('OMG');
      }
      return 'WOOSH';
    });
    const d = gen();
    expect(outcome(d).fired).toBe(false);
    // The Clock also runs, within the same advance, the call getOwie schedules meanwhile.
    clock.advance(0);
    expect(outcome(d).value).toBe('WOOSH');
  });

  it('testBuggy: an error thrown by the generator fails the Deferred', () => {
    const clock = new Clock();
    const d = inlineCallbacks(function* () {
      yield getThing(clock);
      throw new ZeroDivisionError('division by zero');
    })();
    clock.advance(0);
    const seen = outcome(d);
    expect(seen.failure?.value).toBeInstanceOf(ZeroDivisionError);
    consume(d);
  });

  it('testNothing: a generator that never yields gives undefined', () => {
    const d = inlineCallbacks(function* () {
      if (Math.random() > 2) yield 1;
    })();
    expect(outcome(d)).toEqual({ fired: true, value: undefined });
  });

  it('testHandledTerminalFailure: a failure caught by the generator does not fail the result', () => {
    const d = inlineCallbacks(function* () {
      try {
        yield fail(new TerminalException('Handled Terminal Failure'));
      } catch (e) {
        if (!(e instanceof TerminalException)) throw e;
      }
    })();
    expect(outcome(d)).toEqual({ fired: true, value: undefined });
  });

  it('testHandledTerminalAsyncFailure: the same with a Deferred that fails later', () => {
    const waitedOn = new Deferred<never>();
    const d = inlineCallbacks(function* (w: Deferred<never>) {
      try {
        yield w;
      } catch (e) {
        if (!(e instanceof TerminalException)) throw e;
      }
    })(waitedOn);
    waitedOn.errback(new TerminalException('Handled Terminal Failure'));
    expect(outcome(d)).toEqual({ fired: true, value: undefined });
  });

  it('testStackUsage: 100,000 yields of fired Deferreds run in constant stack', () => {
    const d = inlineCallbacks(function* () {
      for (let i = 0; i < 100_000; i++) yield succeed(1);
      return 0;
    })();
    expect(outcome(d).value).toBe(0);
  });

  it('testStackUsage2: 100,000 yields of plain values run in constant stack', () => {
    const d = inlineCallbacks(function* () {
      for (let i = 0; i < 100_000; i++) yield 1;
      return 0;
    })();
    expect(outcome(d).value).toBe(0);
  });

  it('testYieldNonDeferred: a plain value comes back from the yield', () => {
    const d = inlineCallbacks(function* () {
      const five: number = yield 5;
      return five;
    })();
    expect(outcome(d).value).toBe(5);
  });

  it('testReturnNoValue / testReturnValue: return ends the generator with that value', () => {
    expect(outcome(inlineCallbacks(function* () { yield 5; return; })()).value).toBeUndefined(); // prettier-ignore
    expect(outcome(inlineCallbacks(function* () { yield 5; return 6; })()).value).toBe(6); // prettier-ignore
  });

  it('test_nonGeneratorReturn: a function that returns no generator is a TypeError naming inlineCallbacks', () => {
    const noYield = inlineCallbacks((() => 5) as unknown as () => Generator<unknown, number>);
    expect(() => noYield()).toThrow(TypeError);
    expect(() => noYield()).toThrow(/inlineCallbacks/);
  });

  it('rejects an async generator function with a message that says what to use', () => {
    const asyncGen = async function* () {
      yield 1;
    };
    const decorated = inlineCallbacks(asyncGen as unknown as () => Generator<unknown, void>);
    expect(() => decorated()).toThrow(/not an async generator function.*ensureDeferred/);
  });

  it('rejects a non-function at decoration time, naming the argument', () => {
    expect(() => inlineCallbacks(5 as never)).toThrow(
      expect.objectContaining({
        code: 'ERR_INVALID_ARG_TYPE',
        message: expect.stringContaining('"generatorFunction"'),
      }),
    );
  });

  it('an exception thrown by the generator before its first yield fails the Deferred, not the call', () => {
    const d = inlineCallbacks(function* () {
      throw new TerminalException('early');
      yield 1;
    })();
    expect(outcome(d).failure?.value.message).toBe('early');
    consume(d);
  });
});

describe('inlineCallbacks: synchronous firing, as in Twisted', () => {
  it('has its result when the call returns if everything it waited on had fired', () => {
    const d = inlineCallbacks(function* () {
      const a: number = yield succeed(1);
      const b: number = yield succeed(2);
      return a + b;
    })();
    expect(d.called).toBe(true);
    expect(outcome(d).value).toBe(3);
  });

  it('runs up to its first wait inside the call', () => {
    const steps: string[] = [];
    const waitedOn = new Deferred<number>();
    const d = inlineCallbacks(function* () {
      steps.push('started');
      const n: number = yield waitedOn;
      steps.push(`got ${n}`);
      return n;
    })();
    expect(steps).toEqual(['started']);
    waitedOn.callback(7);
    expect(steps).toEqual(['started', 'got 7']);
    expect(outcome(d).value).toBe(7);
  });

  it('consumes the yielded Deferred: its chain goes on with undefined, its failure counts as handled', () => {
    const ok = succeed('value');
    const bad = fail(new Error('handled by the generator'));
    inlineCallbacks(function* () {
      yield ok;
      try {
        yield bad;
      } catch {
        // handled
      }
    })();
    expect(outcome(ok).value).toBeUndefined();
    expect(outcome(bad)).toEqual({ fired: true, value: undefined });
  });

  it('throws a yielded Failure back into the generator, as Twisted does', () => {
    const d = inlineCallbacks(function* () {
      try {
        yield new Failure(new TerminalException('as a value'));
      } catch (e) {
        return (e as Error).message;
      }
      return 'not thrown';
    })();
    expect(outcome(d).value).toBe('as a value');
  });
});

describe('inlineCallbacks: JavaScript additions', () => {
  it('waits on a yielded Promise and throws its rejection back', async () => {
    const d = inlineCallbacks(function* () {
      const v: number = yield Promise.resolve(41);
      try {
        yield Promise.reject(new TerminalException('rejected'));
      } catch (e) {
        return v + (e instanceof TerminalException ? 1 : 100);
      }
      return 0;
    })();
    expect(await d).toBe(42);
  });

  it('waits on a thenable that is not a Promise', async () => {
    const thenable: PromiseLike<string> = { then: (ok) => Promise.resolve('t').then(ok) };
    const d = inlineCallbacks(function* () {
      return (yield thenable) as string;
    })();
    expect(await d).toBe('t');
  });

  it('returning a Deferred fires the result with that Deferred result', () => {
    const later = new Deferred<number>();
    const d = inlineCallbacks(function* () {
      yield 1;
      return later;
    })();
    expect(outcome(d).fired).toBe(false);
    later.callback(9);
    expect(outcome(d).value).toBe(9);
  });

  it('passes `this` and the arguments through, so methods can be decorated', () => {
    class Adder {
      readonly base: number;
      constructor(base: number) {
        this.base = base;
      }
      add = inlineCallbacks(function* (this: Adder, n: number) {
        const m: number = yield succeed(n);
        return this.base + m;
      });
    }
    const adder = new Adder(10);
    expect(outcome(adder.add(5)).value).toBe(15);
  });

  it('keeps the name of the generator function', () => {
    const fetchThing = inlineCallbacks(function* fetchThing() {
      yield 1;
    });
    expect(fetchThing.name).toBe('fetchThing');
  });

  it('types the returned Deferred from the return type, unwrapping a returned Deferred', () => {
    const f = inlineCallbacks(function* (n: number) {
      yield succeed(n);
      return String(n);
    });
    expectTypeOf(f).parameters.toEqualTypeOf<[number]>();
    expectTypeOf(f(1)).toEqualTypeOf<Deferred<string>>();
    const g = inlineCallbacks(function* () {
      yield 1;
      return succeed(1);
    });
    expectTypeOf(g()).toEqualTypeOf<Deferred<number>>();
  });
});

describe('inlineCallbacks: tracebacks (test_inlinecb.ForwardTraceBackTests)', () => {
  it('test_forwardTracebacks: the error keeps the frames of the generators it came through', () => {
    const erroring = inlineCallbacks(function* erroring() {
      yield 'forcing generator';
      throw new Error('Error Marker');
    });
    const calling = inlineCallbacks(function* calling() {
      yield erroring();
    });
    const d = calling();
    const f = outcome(d).failure!;
    consume(d);
    const tb = f.getTraceback();
    expect(tb).toContain('Error Marker');
    expect(tb).toMatch(/at erroring/);
    expect(tb).toMatch(/at calling/);
  });
});

/** test_inlinecb.CancellationTests: G the generator, D its Deferred, C what G waits on. */
describe('inlineCallbacks: cancellation (test_inlinecb.CancellationTests)', () => {
  class UntranslatedError extends Error {}
  class TranslatedError extends Error {}
  class DontFail extends Error {
    readonly actualValue: number;
    constructor(actualValue: number) {
      super('dont fail');
      this.actualValue = actualValue;
    }
  }

  const sampleInlineCB = inlineCallbacks(function* (getChildDeferred: () => Deferred<number>) {
    let x: number;
    try {
      x = yield getChildDeferred();
    } catch (e) {
      if (e instanceof UntranslatedError) throw new TranslatedError();
      if (e instanceof DontFail) x = e.actualValue - 2;
      else throw e;
    }
    return x + 1;
  });

  it('test_cascadeCancellingOnCancel: cancelling D cancels C at once', () => {
    let childResult: unknown = 'FAILURE';
    const d = sampleInlineCB(() => {
      const c = new Deferred<number>();
      c.addErrback((f: Failure) => {
        childResult = f.check(CancelledError);
        return f;
      });
      return c;
    });
    consume(d);
    d.cancel();
    expect(childResult).toBe(CancelledError);
  });

  it('test_errbackCancelledErrorOnCancel: the CancelledError of C fails D', () => {
    const d = sampleInlineCB(() => new Deferred<number>());
    d.cancel();
    expect(outcome(d).failure?.value).toBeInstanceOf(CancelledError);
    consume(d);
  });

  it('test_errorToErrorTranslation: G may turn the error of C into another error', () => {
    const c = new Deferred<number>((it) => it.errback(new UntranslatedError()));
    const d = sampleInlineCB(() => c);
    d.cancel();
    expect(outcome(d).failure?.value).toBeInstanceOf(TranslatedError);
    consume(d);
  });

  it('test_errorToSuccessTranslation: G may turn the error of C into a result', () => {
    const c = new Deferred<number>((it) => it.errback(new DontFail(4321)));
    const d = sampleInlineCB(() => c);
    const results: number[] = [];
    d.addCallback((r) => results.push(r));
    d.cancel();
    expect(results).toEqual([4320]);
  });

  it('test_asynchronousCancellation: D waits until C reaches the point where G awaits it', () => {
    const moreDeferred = new Deferred<number>();
    const d = sampleInlineCB(() => {
      const c = new Deferred<number>();
      c.addErrback((f: Failure) => {
        f.trap(CancelledError);
        return moreDeferred;
      });
      return c;
    });
    d.cancel();
    expect(outcome(d).fired).toBe(false);
    moreDeferred.callback(6543);
    expect(outcome(d).value).toBe(6544);
  });

  it('a second cancel after an asynchronous one reaches what G waits on next', () => {
    const first = new Deferred<number>((it) => it.errback(new DontFail(0)));
    const second = new Deferred<number>();
    const d = inlineCallbacks(function* () {
      try {
        yield first;
      } catch {
        // go on and wait for something else
      }
      return (yield second) as number;
    })();
    d.cancel(); // G caught the error of `first` and now waits on `second`
    expect(outcome(d).fired).toBe(false);
    d.cancel();
    expect(outcome(d).failure?.value).toBeInstanceOf(CancelledError);
    expect(second.called).toBe(true);
    consume(d);
  });

  it('cancelling D after it fired does nothing', () => {
    const d = inlineCallbacks(function* () {
      return (yield succeed(3)) as number;
    })();
    d.cancel();
    expect(outcome(d).value).toBe(3);
  });

  it('cancelling D while it waits on a returned Deferred cancels that one', () => {
    const returned = new Deferred<number>();
    const d = inlineCallbacks(function* () {
      yield 1;
      return returned;
    })();
    d.cancel();
    expect(returned.called).toBe(true);
    expect(outcome(d).failure?.value).toBeInstanceOf(CancelledError);
    consume(d);
    consume(returned);
  });
});
