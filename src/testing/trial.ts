/**
 * trial's synchronous Deferred assertions (`SynchronousTestCase.successResultOf`,
 * `failureResultOf`, `assertNoResult`) as plain functions, for any test runner: they throw
 * Node's `AssertionError`, which vitest, `node:test`, Jest and Mocha all report as a failure.
 *
 * @module
 */
import { AssertionError } from 'node:assert';
import { inspect } from 'node:util';
import { Deferred } from '../defer/deferred.ts';
import { Failure, type ErrorType } from '../failure.ts';
import { invalidArgType } from '../validate.ts';

/**
 * The result `d` has right now, which must be a success (trial's `successResultOf`). Like
 * trial's, it reads the result through a callback that consumes it: `d`'s chain goes on with
 * `undefined`.
 *
 * @throws AssertionError if `d` has no result yet, or failed (the message carries the traceback).
 * @throws TypeError (`ERR_INVALID_ARG_TYPE`) if `d` is not a Deferred (a Promise's result
 *   cannot be read synchronously: `await` it instead).
 *
 * @example
 * const clock = new Clock();
 * const d = deferLater(clock, 1, () => 'done');
 * assertNoResult(d);
 * clock.advance(1);
 * expect(successResultOf(d)).toBe('done');
 */
export function successResultOf<T>(d: Deferred<T>): T {
  const label = describe(d, 'successResultOf');
  const result = take(d);
  if (result === NO_RESULT) fail(`Success result expected on ${label}, found no result instead`);
  if (result instanceof Failure) {
    fail(`Success result expected on ${label}, found failure result instead:\n${result.getTraceback()}`);
  }
  return result as T;
}

/**
 * The failure `d` has right now (trial's `failureResultOf`); with `expectedTypes`, the failure's
 * error must be one of them (classes, or class names as `Failure.check` takes them). The
 * failure is consumed: it is not reported as unhandled, and `d`'s chain goes on with `undefined`.
 *
 * @throws AssertionError if `d` has no result yet, succeeded, or failed with another type.
 * @throws TypeError (`ERR_INVALID_ARG_TYPE`) if `d` is not a Deferred.
 *
 * @example
 * const f = failureResultOf(d, TimeoutError);
 * expect(f.getErrorMessage()).toMatch(/timed out/);
 */
export function failureResultOf(d: Deferred<unknown>, ...expectedTypes: ErrorType[]): Failure {
  const label = describe(d, 'failureResultOf');
  const result = take(d);
  if (result === NO_RESULT) fail(`Failure result expected on ${label}, found no result instead`);
  if (!(result instanceof Failure)) {
    fail(`Failure result expected on ${label}, found success result (${show(result)}) instead`);
  }
  if (expectedTypes.length > 0 && result.check(...expectedTypes) === undefined) {
    const expected = expectedTypes.map((t) => (typeof t === 'string' ? t : t.name)).join(' or ');
    fail(
      `Failure of type (${expected}) expected on ${label}, found type ${result.type.name} instead: ` +
        result.getTraceback(),
    );
  }
  return result;
}

/**
 * Asserts that `d` has no result yet (trial's `assertNoResult`). It does not change `d` while it
 * waits; if `d` did fire, a failure it held is consumed (the assertion reports it instead).
 *
 * @throws AssertionError if `d` has a result.
 * @throws TypeError (`ERR_INVALID_ARG_TYPE`) if `d` is not a Deferred.
 */
export function assertNoResult(d: Deferred<unknown>): void {
  const label = describe(d, 'assertNoResult');
  let seen: unknown = NO_RESULT;
  d.addBoth((result: unknown) => {
    seen = result;
    return result;
  });
  if (seen === NO_RESULT) return;
  // Already failed: the assertion below reports the failure, so it must not be reported again.
  d.addErrback(() => undefined);
  fail(`No result expected on ${label}, found ${show(seen)} instead`);
}

const NO_RESULT: unique symbol = Symbol('no result');

/** Reads and consumes `d`'s current result, as trial's `addBoth(results.append)` does. */
function take(d: Deferred<unknown>): unknown {
  let seen: unknown = NO_RESULT;
  d.addBoth((result: unknown) => {
    seen = result;
    return undefined;
  });
  return seen;
}

/** `d` as the messages show it (before its result is taken), once it is known to be a Deferred. */
function describe(d: Deferred<unknown>, caller: string): string {
  if (!(d instanceof Deferred)) {
    throw invalidArgType(
      'd',
      `a Deferred (${caller} reads its result synchronously; await a Promise instead)`,
      d,
    );
  }
  return d.toString();
}

/** A result as trial's messages show it (a Failure by its repr). */
function show(result: unknown): string {
  return result instanceof Failure ? result.toString() : inspect(result, { depth: 2 });
}

function fail(message: string): never {
  throw new AssertionError({ message });
}
