/**
 * Argument checks at the door, in the manner of Node's `lib/internal/validators.js`: every bad
 * argument becomes a `TypeError` (wrong type) or `RangeError` (right type, wrong value) whose
 * message names the argument, says what was expected and shows what was received. Nothing is
 * coerced: `'80'` is not a port.
 *
 * @internal
 */
import { isIP } from 'node:net';
import { inspect } from 'node:util';
import { InvalidAddressError } from './errors.ts';

type Coded<E extends Error> = E & { code: string };

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return `function ${value.name || '<anonymous>'}`;
  if (typeof value === 'object') {
    const name = (value as object).constructor?.name;
    return name ? `an instance of ${name}` : inspect(value, { depth: 0 });
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
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidArgType(name, 'of type object', value);
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
