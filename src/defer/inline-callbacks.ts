/**
 * `inlineCallbacks`: Twisted's `@inlineCallbacks`, so that generator-based Twisted code ports
 * line for line: `yield d` waits for a Deferred (or a Promise) and gives its result, a failure
 * is thrown back into the generator at the `yield`, and `return x` fires the Deferred.
 *
 * @module
 */
import { Failure } from '../failure.ts';
import { invalidArgType, validateFunction } from '../validate.ts';
import { Deferred } from './deferred.ts';

/**
 * The generator an `inlineCallbacks` function is written as. What a `yield` gives back depends
 * on what was yielded (a Deferred's result, a Promise's value, or the value itself), which
 * TypeScript cannot follow per expression; the third type argument is therefore `any`, so
 * that `const page = yield getPage(url)` compiles as it reads in Python — annotate the
 * variable (`const page: string = yield getPage(url)`) to check it.
 *
 * @typeParam R - what the generator returns: the result of the returned Deferred.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see the comment above: a yield's result cannot be typed per expression
export type InlineCallbacksGenerator<R> = Generator<unknown, R, any>;

/** Whether `value` looks like a Promise (any thenable) rather than a plain value. */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

/**
 * The failure a cancelled `inlineCallbacks` Deferred is fired with internally when what it
 * waited on did not finish the generator at once (Twisted's
 * `_InternalInlineCallbacksCancelledError`): the first errback of that Deferred catches it and
 * makes the Deferred wait for the generator instead, so it never reaches user code.
 */
const STILL_RUNNING = new Error('inlineCallbacks: cancelled while the generator still runs');

/** The bookkeeping of one running generator (Twisted's `_CancellationStatus`). */
interface GeneratorRun {
  readonly generator: Generator<unknown, unknown, unknown>;
  /** The Deferred the generator's outcome goes to (a new one after each asynchronous cancel). */
  target: Deferred<unknown>;
  /** The Deferred the generator waits on (what `cancel()` cancels); `undefined` while it runs. */
  waitingOn: Deferred<unknown> | undefined;
  /** `cancel()` came while the generator was running: cancel what it waits on next. */
  cancelPending: boolean;
}

/**
 * Turns a generator function into a function returning a Deferred (Twisted's
 * `@inlineCallbacks`). Inside the generator:
 *
 * - `yield` a Deferred or a Promise to wait for it; the `yield` gives its result, or throws its
 *   error where it stands (catch it with `try`/`catch`). Any other value is given back as it is.
 * - `return value` fires the returned Deferred with `value` (no `returnValue` is needed); a
 *   thrown error fails it. Returning a Deferred or a Promise fires it with that one's result.
 *
 * As in Twisted, the generator runs synchronously up to its first wait, and when everything it
 * waits on has already fired the returned Deferred has its result before the call returns; a
 * generator that yields already-fired Deferreds many thousands of times runs in constant stack.
 * `this` passes through, so methods can be decorated. Cancelling the returned Deferred cancels
 * the Deferred the generator is waiting on; the `CancelledError` (or whatever that Deferred's
 * canceller produced) is thrown into the generator, which may catch it and go on.
 *
 * A yielded Deferred is consumed: its result (or failure) goes to the generator, and the
 * Deferred's own chain goes on with `undefined`, so a failure handled by the generator is not
 * reported as unhandled.
 *
 * @throws TypeError (`ERR_INVALID_ARG_TYPE`) if `generatorFunction` is not a function; the
 *   decorated function throws a `TypeError` when called if `generatorFunction` did not return a
 *   generator (an `async function*`'s async generator included).
 *
 * @example
 * class Client {
 *   fetch = inlineCallbacks(function* (this: Client, key: string) {
 *     const addr: string = yield this.reactor.resolve(this.host);
 *     try {
 *       const reply: Reply = yield this.query(addr, key);
 *       return reply.value;
 *     } catch (e) {
 *       if (e instanceof TimeoutError) return undefined;
 *       throw e;
 *     }
 *   });
 * }
 */
export function inlineCallbacks<This, A extends unknown[], R>(
  generatorFunction: (this: This, ...args: A) => InlineCallbacksGenerator<R>,
): (this: This, ...args: A) => Deferred<Awaited<R>> {
  validateFunction(generatorFunction, 'generatorFunction');
  const name = generatorFunction.name || '<anonymous>';
  const decorated = function (this: This, ...args: A): Deferred<Awaited<R>> {
    const generator: unknown = generatorFunction.apply(this, args);
    if (
      generator === null ||
      typeof generator !== 'object' ||
      typeof (generator as Generator).next !== 'function' ||
      typeof (generator as Generator).throw !== 'function'
    ) {
      throw invalidArgType(
        'generatorFunction',
        `a generator function (function*) for inlineCallbacks, but ${name} returned something else`,
        generator,
      );
    }
    if (Symbol.asyncIterator in generator) {
      throw invalidArgType(
        'generatorFunction',
        `a generator function (function*) for inlineCallbacks, not an async generator function; ` +
          `write an async function and wrap its Promise with ensureDeferred()`,
        generatorFunction,
      );
    }
    return runGenerator(generator as Generator<unknown, unknown, unknown>) as Deferred<Awaited<R>>;
  };
  Object.defineProperty(decorated, 'name', { value: generatorFunction.name });
  Object.defineProperty(decorated, 'length', { value: generatorFunction.length });
  return decorated;
}

/**
 * Drives `generator` as `inlineCallbacks` does and returns the Deferred of its outcome.
 *
 * @internal
 */
export function runGenerator(generator: Generator<unknown, unknown, unknown>): Deferred<unknown> {
  const run: GeneratorRun = {
    generator,
    target: undefined as unknown as Deferred<unknown>,
    waitingOn: undefined,
    cancelPending: false,
  };
  run.target = newTarget(run);
  const returned = run.target;
  step(run, undefined);
  return returned;
}

/**
 * A Deferred for the generator's outcome whose cancellation cancels what the generator waits on
 * (Twisted's `_addCancelCallbackToDeferred`). Its first errback is in place before anyone else
 * can add one, so the internal {@link STILL_RUNNING} failure never reaches user callbacks.
 */
function newTarget(run: GeneratorRun): Deferred<unknown> {
  const target = new Deferred<unknown>(() => {
    const awaited = run.waitingOn;
    if (awaited === undefined) run.cancelPending = true;
    else awaited.cancel();
    // Usually the cancel threw into the generator and it finished: `target` has fired. If not
    // (it caught the error and waits again, or the awaited Deferred is itself waiting on
    // something), fire `target` so that Deferred.cancel adds no CancelledError of its own, and
    // let its first errback make it wait for the generator instead.
    if (!target.called) target.errback(STILL_RUNNING);
  });
  target.addErrback((failure: Failure) => {
    if (failure.value !== STILL_RUNNING) return failure;
    run.target = newTarget(run);
    return run.target;
  });
  return target;
}

/**
 * Runs the generator until it waits on a Deferred that has not fired, or finishes. A loop, not
 * recursion: a generator yielding 100,000 fired Deferreds uses no more stack than one.
 */
function step(run: GeneratorRun, input: unknown): void {
  const { generator } = run;
  for (;;) {
    let next: IteratorResult<unknown, unknown>;
    try {
      next = input instanceof Failure ? generator.throw(input.value) : generator.next(input);
    } catch (e) {
      run.target.errback(e);
      return;
    }
    let value = next.value;
    if (!(value instanceof Deferred) && isThenable(value)) value = Deferred.fromPromise(value);

    if (next.done) {
      if (value instanceof Deferred) {
        // `return someDeferred`: finish with its result, as an async function does.
        // The target is read when it fires: a cancel meanwhile may have replaced it.
        run.waitingOn = value;
        value.addCallbacks(
          (result: unknown) => run.target.callback(result),
          (failure: Failure) => run.target.errback(failure),
        );
      } else {
        run.target.callback(value);
      }
      return;
    }
    if (!(value instanceof Deferred)) {
      input = value; // a plain value comes straight back from the yield (Twisted does the same)
      continue;
    }

    // Wait on the Deferred. If it has fired already, its callback runs inside addBoth: take the
    // result and loop, rather than resuming from within the callback (which would recurse).
    const waiting = { synchronous: true, fired: false, result: undefined as unknown };
    value.addBoth((result: unknown) => {
      if (waiting.synchronous) {
        waiting.fired = true;
        waiting.result = result;
      } else {
        run.waitingOn = undefined;
        step(run, result);
      }
      return undefined;
    });
    waiting.synchronous = false;
    if (waiting.fired) {
      input = waiting.result;
      continue;
    }
    run.waitingOn = value;
    if (run.cancelPending) {
      run.cancelPending = false;
      value.cancel();
    }
    return;
  }
}
