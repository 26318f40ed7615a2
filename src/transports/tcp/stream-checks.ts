/**
 * The argument checks that `listenTCP`, `connectTCP`, `listenUNIX`, `connectUNIX` (and the
 * testing fakes that stand in for them) share: factories, the protocols they build, option
 * objects, bind addresses, timeouts and backlogs. Each error names the argument, in Node's
 * wording (src/validate.ts).
 *
 * @internal
 * @module
 */
import { inspect } from 'node:util';
import { InvalidAddressError } from '../../errors.ts';
import type { AddressTuple, IClientFactory, IProtocol, IProtocolFactory } from '../../interfaces.ts';
import {
  invalidArgType,
  readOptions as readCheckedOptions,
  invalidArgValue,
  ipFamily,
  outOfRange,
  validateBoolean,
  validateInteger,
  validatePort,
  validateString,
} from '../../validate.ts';

const factoryMethods = ['buildProtocol', 'doStart', 'doStop'] as const;
const clientFactoryMethods = [
  ...factoryMethods,
  'startedConnecting',
  'clientConnectionFailed',
  'clientConnectionLost',
] as const;
const protocolMethods = ['makeConnection', 'dataReceived', 'connectionLost'] as const;

/** The default backlog of `listenTCP`/`listenUNIX`, Twisted's. */
export const DEFAULT_BACKLOG = 50;
/** The default connect timeout of `connectTCP`/`connectUNIX`, in seconds, Twisted's. */
export const DEFAULT_CONNECT_TIMEOUT = 30;
/** The default permissions of a `listenUNIX` socket file, Twisted's. */
export const DEFAULT_UNIX_MODE = 0o666;

function missingMethod(value: unknown, methods: readonly string[]): string | undefined {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return methods[0];
  for (const method of methods) {
    if (typeof (value as Record<string, unknown>)[method] !== 'function') return method;
  }
  return undefined;
}

/** A protocol factory (an object with `buildProtocol`, `doStart` and `doStop`), or a TypeError naming `name`. */
export function validateFactory(value: unknown, name = 'factory'): asserts value is IProtocolFactory {
  const missing = missingMethod(value, factoryMethods);
  if (missing !== undefined) {
    throw invalidArgType(
      name,
      `a protocol factory (e.g. a Factory or ServerFactory), with a ${missing}() method`,
      value,
    );
  }
}

/** A client factory (a factory with `startedConnecting`, `clientConnectionFailed`, `clientConnectionLost`), or a TypeError. */
export function validateClientFactory(value: unknown, name = 'factory'): asserts value is IClientFactory {
  const missing = missingMethod(value, clientFactoryMethods);
  if (missing !== undefined) {
    throw invalidArgType(name, `a client factory (e.g. a ClientFactory), with a ${missing}() method`, value);
  }
}

/**
 * What `buildProtocol` returned: a protocol, or `undefined`/`null` (refuse the connection).
 * Anything else is a TypeError that says which factory returned what; the connection is then
 * closed and the error logged.
 */
export function checkBuiltProtocol(value: unknown, factory: IProtocolFactory): IProtocol | undefined {
  if (value === undefined || value === null) return undefined;
  const missing = missingMethod(value, protocolMethods);
  if (missing !== undefined) {
    const who = (factory as object).constructor?.name ?? 'factory';
    throw invalidArgType(
      `${who}.buildProtocol() return value`,
      `a protocol (e.g. an instance of Protocol), with a ${missing}() method, or undefined to refuse the connection`,
      value,
    );
  }
  return value as IProtocol;
}

/**
 * An options object whose own keys are all in `keys`, read once (src/validate.ts `readOptions`:
 * a getter is read once, `Object.prototype` never).
 */
export function readOptions(
  value: unknown,
  name: string,
  keys: readonly string[],
): Readonly<Record<string, unknown>> {
  return readCheckedOptions(value, name, new Set(keys));
}

/** listen(2)'s backlog: an integer from 0 to 2^31 - 1. */
export function validateBacklog(value: unknown, name = 'backlog'): asserts value is number {
  validateInteger(value, name, 0, 2 ** 31 - 1);
}

/**
 * A connect timeout in seconds: a number > 0, or `Infinity` for none (Twisted's `timeout=None`).
 */
export function validateConnectTimeout(value: unknown, name = 'timeout'): asserts value is number {
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value);
  if (!(value > 0)) throw outOfRange(name, 'a number > 0 (Infinity for no timeout)', value);
}

/**
 * The host to connect to: a non-empty string (an IP literal, or a name the reactor resolves).
 */
export function validateConnectHost(value: unknown, name = 'host'): asserts value is string {
  validateString(value, name);
  if (value === '' || value.includes('\0') || /\s/.test(value)) {
    throw invalidArgValue(name, `It must be an IP address or a host name. Received ${inspect(value)}`);
  }
}

/** A port to connect to: an integer from 1 to 65535. */
export function validateConnectPort(value: unknown, name = 'port'): asserts value is number {
  validatePort(value, name, false);
}

/**
 * `bindAddress`: a `[host, port]` tuple whose host is `''` or an IP literal (the local address
 * to connect from) and whose port is 0–65535 (0: any).
 */
export function validateBindAddress(value: unknown, name = 'bindAddress'): asserts value is AddressTuple {
  if (!Array.isArray(value) || value.length !== 2) {
    throw invalidArgType(name, 'a [host, port] tuple', value);
  }
  const [host, port] = value as unknown[];
  validateString(host, `${name}[0]`);
  if (host !== '' && ipFamily(host) === 0) {
    throw new InvalidAddressError(
      host,
      `The "${name}[0]" argument must be '' or an IP address literal; host names are not resolved here. ` +
        `Received ${inspect(host)}`,
    );
  }
  validatePort(port, `${name}[1]`);
}

/** The permissions of a UNIX socket file: an integer from 0 to 0o7777. */
export function validateMode(value: unknown, name = 'mode'): asserts value is number {
  validateInteger(value, name, 0, 0o7777);
}

/** Linux's `sun_path` holds 108 bytes, the BSDs' and macOS's 104, each with a terminating NUL. */
const MAX_UNIX_PATH_BYTES = process.platform === 'linux' ? 107 : 103;

/**
 * A UNIX socket address: a non-empty path, or `'\0name'` in Linux's abstract namespace, short
 * enough for `sun_path`.
 */
export function validateUnixPath(value: unknown, name = 'address'): asserts value is string {
  validateString(value, name);
  if (value === '' || value === '\0') {
    throw invalidArgValue(
      name,
      'It must be a socket path, or a name starting with "\\0" (abstract namespace).',
    );
  }
  if (value[0] === '\0' && process.platform !== 'linux') {
    throw invalidArgValue(
      name,
      `The abstract namespace ("\\0…" names) exists only on Linux, not on ${process.platform}.`,
    );
  }
  if (value[0] !== '\0' && value.includes('\0')) {
    throw invalidArgValue(name, `A socket path cannot contain NUL characters. Received ${inspect(value)}`);
  }
  const bytes = Buffer.byteLength(value);
  if (bytes > MAX_UNIX_PATH_BYTES) {
    throw outOfRange(
      `${name}.length`,
      `at most ${MAX_UNIX_PATH_BYTES} bytes (the size of sun_path on ${process.platform}); use a shorter path`,
      bytes,
    );
  }
}

/** A boolean flag (Twisted's `wantPID`/`checkPID`: `1`/`0` are not accepted). */
export function validateFlag(value: unknown, name: string): asserts value is boolean {
  validateBoolean(value, name);
}
