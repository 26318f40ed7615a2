/**
 * The argument forms endpoint constructors share: Twisted's positional defaults, or one
 * trailing options object with Twisted's names (API.md's convention), checked at once with the
 * transports' own checks.
 *
 * @internal
 */
import { Deferred } from '../defer/deferred.ts';
import { fail, succeed } from '../defer/shortcuts.ts';
import type { AddressTuple } from '../interfaces.ts';
import { readOptions, validateBindAddress } from '../transports/tcp/stream-checks.ts';
import { invalidArgType } from '../validate.ts';

/**
 * Splits `(…, optionsOrFirst, ...rest)`: an object is the options (only `keys` allowed), anything
 * else the first positional value; the positional values fill the names in `keys` order.
 */
export function readArgs(
  optionsOrFirst: unknown,
  rest: readonly unknown[],
  keys: readonly string[],
): Record<string, unknown> {
  if (optionsOrFirst !== null && typeof optionsOrFirst === 'object' && !Array.isArray(optionsOrFirst)) {
    return readOptions(optionsOrFirst, 'options', keys);
  }
  const values: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  [optionsOrFirst, ...rest].forEach((v, i) => {
    if (v !== undefined) values[keys[i]] = v;
  });
  return values;
}

/** A reactor that has the methods an endpoint calls, or a TypeError naming it. */
export function checkReactor<R>(reactor: unknown, methods: readonly string[]): R {
  if (
    reactor === null ||
    typeof reactor !== 'object' ||
    methods.some((m) => typeof (reactor as Record<string, unknown>)[m] !== 'function')
  ) {
    throw invalidArgType('reactor', `a reactor with ${methods.join(', ')}`, reactor);
  }
  return reactor as R;
}

/** A `bindAddress`: Twisted's `(host, port)` or, as the `tls:` strings give it, a bare host. */
export function toBindAddress(value: unknown, name = 'bindAddress'): AddressTuple | undefined {
  if (value === undefined) return undefined;
  const tuple = typeof value === 'string' ? ([value, 0] as const) : value;
  validateBindAddress(tuple, name);
  return tuple;
}

/** Twisted's `defer.execute`: the result of `fn` as a fired Deferred, or its exception as a failed one. */
export function execute<T>(fn: () => T): Deferred<T> {
  try {
    return succeed(fn());
  } catch (e) {
    return fail<T>(e);
  }
}
