/**
 * Argument checks at the door, in the manner of Node's `lib/internal/validators.js`: every bad
 * argument becomes a `TypeError` (wrong type) or `RangeError` (right type, wrong value) whose
 * message names the argument, says what was expected and shows what was received. Nothing is
 * coerced: `'80'` is not a port.
 *
 * @internal
 */
import { isIP } from 'node:net';
import { inspect, types } from 'node:util';
import { InvalidAddressError } from './errors.ts';

type Coded<E extends Error> = E & { code: string };

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') {
    if (types.isProxy(value)) return 'a Proxy of a function';
    const name = Object.getOwnPropertyDescriptor(value, 'name')?.value;
    return `function ${typeof name === 'string' && name !== '' ? name : '<anonymous>'}`;
  }
  if (typeof value === 'object') {
    // inspect reads a Proxy's target without running its traps, and runs no getter: describing
    // a hostile value must not throw (a revoked Proxy throws on any property read).
    if (types.isProxy(value)) return `a Proxy (${inspect(value, { depth: 0 })})`;
    let name: unknown;
    try {
      name = (value as object).constructor?.name;
    } catch {
      name = undefined;
    }
    return typeof name === 'string' && name !== '' ? `an instance of ${name}` : inspect(value, { depth: 0 });
  }
  let shown = inspect(value, { breakLength: Infinity });
  if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
  return `type ${typeof value} (${shown})`;
}

/** `The "name" argument must be <expected>. Received <what>`, code ERR_INVALID_ARG_TYPE. */
export function invalidArgType(name: string, expected: string, actual: unknown): Coded<TypeError> {
  const err = new TypeError(`The "${name}" argument must be ${expected}. Received ${describe(actual)}`);
  return Object.assign(err, { code: 'ERR_INVALID_ARG_TYPE' });
}

/** `The value of "name" is out of range. It must be <range>. Received <value>`, code ERR_OUT_OF_RANGE. */
export function outOfRange(name: string, range: string, actual: unknown): Coded<RangeError> {
  const err = new RangeError(
    `The value of "${name}" is out of range. It must be ${range}. Received ${inspect(actual)}`,
  );
  return Object.assign(err, { code: 'ERR_OUT_OF_RANGE' });
}

/** `The argument "name" is invalid. <reason>`, code ERR_INVALID_ARG_VALUE, for right types with wrong values. */
export function invalidArgValue(name: string, reason: string): Coded<TypeError> {
  const err = new TypeError(`The argument "${name}" is invalid. ${reason}`);
  return Object.assign(err, { code: 'ERR_INVALID_ARG_VALUE' });
}

/** A function, or a TypeError (`ERR_INVALID_ARG_TYPE`) naming the argument. */
export function validateFunction(
  value: unknown,
  name: string,
): asserts value is (...args: never[]) => unknown {
  if (typeof value !== 'function') throw invalidArgType(name, 'of type function', value);
}

/** A boolean (no truthy values: nothing is coerced), or a TypeError naming the argument. */
export function validateBoolean(value: unknown, name: string): asserts value is boolean {
  if (typeof value !== 'boolean') throw invalidArgType(name, 'of type boolean', value);
}

/** A string, or a TypeError naming the argument. */
export function validateString(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string') throw invalidArgType(name, 'of type string', value);
}

/** A plain object (not `null`, not an array), or a TypeError naming the argument. */
export function validateObject(value: unknown, name: string): asserts value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || isArray(value)) {
    throw invalidArgType(name, 'of type object', value);
  }
}

/**
 * `value instanceof type`, except that a value whose prototype cannot be read (a revoked Proxy, a
 * Proxy whose `getPrototypeOf` trap throws) is not an instance: the caller then refuses it with
 * its usual error naming the argument, instead of letting the engine's TypeError out.
 */
export function isInstance<T>(value: unknown, type: abstract new (...args: never[]) => T): value is T {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  try {
    return value instanceof type;
  } catch {
    return false;
  }
}

/**
 * Reads `value[key]` of an object argument, turning a throw (a revoked Proxy, a throwing getter
 * or trap) into `TypeError` `ERR_INVALID_ARG_VALUE` naming the argument, with the cause.
 */
export function readProperty(value: object, key: string, name: string): unknown {
  try {
    return (value as Record<string, unknown>)[key];
  } catch (e) {
    throw unreadable(name, e);
  }
}

/**
 * Copies an iterable argument into an array (running its iterator once), or throws a TypeError
 * naming it: `ERR_INVALID_ARG_TYPE` when it is not an iterable object, `ERR_INVALID_ARG_VALUE`
 * when reading it throws (a revoked Proxy, a throwing iterator), with the cause.
 */
export function readIterable(value: unknown, name: string, expected: string): unknown[] {
  if (value === null || typeof value !== 'object') throw invalidArgType(name, expected, value);
  let iterator: unknown;
  try {
    iterator = (value as Record<symbol, unknown>)[Symbol.iterator];
  } catch (e) {
    throw unreadable(name, e);
  }
  if (typeof iterator !== 'function') throw invalidArgType(name, expected, value);
  try {
    return Array.from({ [Symbol.iterator]: () => (iterator as () => Iterator<unknown>).call(value) });
  } catch (e) {
    throw unreadable(name, e);
  }
}

/**
 * The error for a value returned by user code whose prototype cannot be read (a revoked Proxy,
 * a trap that throws), so that it cannot be told from a Deferred, a Promise or a Failure:
 * `TypeError` `ERR_INVALID_RETURN_VALUE`, the thrown error as `cause`.
 */
export function uninspectableReturn(who: string, cause: unknown): Coded<TypeError> {
  const err = new TypeError(
    `${who} returned a value whose prototype cannot be read (a revoked Proxy, or a trap that throws)`,
    { cause },
  );
  return Object.assign(err, { code: 'ERR_INVALID_RETURN_VALUE' });
}

/** `Array.isArray`, except that a revoked Proxy (which makes it throw) counts as not usable: true. */
function isArray(value: object): boolean {
  try {
    return Array.isArray(value);
  } catch {
    return true;
  }
}

/** A finite number within [min, max]. */
export function validateNumber(
  value: unknown,
  name: string,
  min = -Infinity,
  max = Infinity,
): asserts value is number {
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value);
  if (!Number.isFinite(value) || value < min || value > max) {
    const range =
      min === -Infinity && max === Infinity
        ? 'a finite number'
        : max === Infinity
          ? `a finite number >= ${min}`
          : `>= ${min} and <= ${max}`;
    throw outOfRange(name, range, value);
  }
}

/** An integer within [min, max]. */
export function validateInteger(
  value: unknown,
  name: string,
  min = Number.MIN_SAFE_INTEGER,
  max = Number.MAX_SAFE_INTEGER,
): asserts value is number {
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value);
  if (!Number.isInteger(value)) throw outOfRange(name, 'an integer', value);
  if (value < min || value > max) throw outOfRange(name, `>= ${min} and <= ${max}`, value);
}

/** A UDP/TCP port number, 0–65535 (0 asks the OS for a free one). */
export function validatePort(value: unknown, name = 'port', allowZero = true): asserts value is number {
  validateInteger(value, name, allowZero ? 0 : 1, 65535);
}

/** Time in seconds for a delayed call: a finite number >= 0. */
export function validateDelay(value: unknown, name = 'delay'): asserts value is number {
  validateNumber(value, name, 0);
}

/** `4` or `6` for an IP literal (IPv6 may carry a `%scope`), else 0. */
export function ipFamily(host: string): 0 | 4 | 6 {
  return isIP(host) as 0 | 4 | 6;
}

/**
 * An interface argument: `''` (all interfaces) or an IP literal. Host names are refused, as in
 * Twisted, which does no DNS lookup when it binds.
 */
export function validateInterface(value: unknown, name = 'interface'): asserts value is string {
  validateString(value, name);
  if (value !== '' && ipFamily(value) === 0) {
    throw new InvalidAddressError(
      value,
      `The "${name}" argument must be '' (all interfaces) or an IP address literal such as ` +
        `'127.0.0.1' or '::1'; host names are not resolved here. Received ${inspect(value)}`,
    );
  }
}

/**
 * Reads an options-like object once, as `node:net` should: each own enumerable string-keyed
 * property is read exactly once into a fresh null-prototype record, which the caller then checks
 * and uses. A getter cannot answer one value to the check and another to the use, a Proxy's
 * traps run once per key, and inherited properties — a polluted `Object.prototype` — are never
 * seen. An own key not in `allowed` (`__proto__` from `JSON.parse` included) is refused
 * (`ERR_INVALID_ARG_TYPE`, listing the keys), as is a value whose reading throws (a revoked
 * Proxy, a throwing getter or trap): `TypeError` `ERR_INVALID_ARG_VALUE` naming the argument, the
 * thrown error as `cause`.
 *
 * @param value - checked to be an object first (`ERR_INVALID_ARG_TYPE` otherwise).
 * @param allowed - the accepted keys; the message lists them.
 */
export function readOptions(
  value: unknown,
  name: string,
  allowed: ReadonlySet<string>,
): Readonly<Record<string, unknown>> {
  validateObject(value, name);
  const copy = Object.create(null) as Record<string, unknown>;
  let keys: string[];
  try {
    keys = Object.keys(value);
  } catch (e) {
    throw unreadable(name, e);
  }
  for (const key of keys) {
    if (!allowed.has(key)) {
      throw invalidArgType(
        name,
        `an object with only the keys ${[...allowed].join(', ')}; ${JSON.stringify(key)} is not one of them`,
        value,
      );
    }
    try {
      copy[key] = value[key];
    } catch (e) {
      throw unreadable(`${name}.${key}`, e);
    }
  }
  return copy;
}

/** The error for an argument whose reading threw (a revoked Proxy, a throwing getter or trap). */
function unreadable(name: string, cause: unknown): Coded<TypeError> {
  const message = types.isNativeError(cause) ? Object.getOwnPropertyDescriptor(cause, 'message') : undefined;
  const why = typeof message?.value === 'string' ? message.value : inspect(cause, { depth: 0 });
  const err = invalidArgValue(name, `Reading it threw: ${why}`);
  err.cause = cause;
  return err;
}
