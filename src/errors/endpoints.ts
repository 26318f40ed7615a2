/**
 * The errors of endpoints: a bad description (`serverFromString`, `clientFromString`), a
 * cancelled connection attempt, a factory that built nothing, a descriptor adopted twice.
 *
 * @module
 */

import { TwistedError } from './base.ts';

const brandKey = (name: string): symbol => Symbol.for(`twisted-ts.error.${name}`);

/** How far either side of the faulty part the shown excerpt of a long description reaches. */
const EXCERPT_CONTEXT = 30;

/** Control characters would shift the caret line; they are shown escaped, as JSON would. */
function visible(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
}

/**
 * The description, or the part of a long one around the fault, with a caret line under the
 * faulty part: `tcp:http` / `    ^^^^`.
 */
function pointAt(description: string, index: number, length: number): string {
  let from = Math.max(0, index - EXCERPT_CONTEXT);
  let to = Math.min(description.length, index + Math.max(length, 1) + EXCERPT_CONTEXT);
  if (to - from > 2 * EXCERPT_CONTEXT + 40) to = from + 2 * EXCERPT_CONTEXT + 40;
  // Never cut a surrogate pair in two.
  if (from > 0 && /[\udc00-\udfff]/.test(description[from] ?? '')) from -= 1;
  const before = (from > 0 ? '...' : '') + visible(description.slice(from, index));
  const faulty = visible(description.slice(index, index + length));
  const after = visible(description.slice(index + length, to)) + (to < description.length ? '...' : '');
  const pad = ' '.repeat([...before].length);
  const marks = '^'.repeat(Math.max([...faulty].length, 1));
  return `  ${before}${faulty}${after}\n  ${pad}${marks}`;
}

/** What makes an {@link EndpointSyntaxError}. */
export interface EndpointSyntaxErrorInit {
  /** The whole description that was parsed. */
  description: string;
  /** Where the faulty part starts (a UTF-16 offset into `description`). */
  index: number;
  /** How long the faulty part is (0 when something is missing at `index`). */
  length: number;
  /** What is wrong, as one sentence. */
  reason: string;
  /** The part at fault, named as `"<type>:<parameter>"` (`'tcp:port'`), when it is one parameter. */
  part?: string;
  /** The error behind it (a validator's `RangeError`, say). */
  cause?: unknown;
}

/**
 * An endpoint description that cannot be parsed (Twisted raises `ValueError`; here it is a
 * `TypeError`, as for every bad argument). `index` and `length` locate the faulty part in
 * `description`, and the message ends with the description and a caret line under that part:
 *
 * ```text
 * Bad endpoint description: "tcp:port" must be a decimal integer; received 'http'
 *   tcp:http:interface=127.0.0.1
 *       ^^^^
 * ```
 *
 * It is also an instance of {@link TwistedError} (by brand), with a stable `code`.
 */
export class EndpointSyntaxError extends TypeError {
  /** Always `'ERR_ENDPOINT_SYNTAX'`. */
  readonly code = 'ERR_ENDPOINT_SYNTAX';
  /** The whole description that was parsed. */
  readonly description: string;
  /** Where the faulty part starts: a UTF-16 offset into `description`. */
  readonly index: number;
  /** How many UTF-16 units the faulty part spans (0 when something is missing at `index`). */
  readonly length: number;
  /** The part at fault as `"<type>:<parameter>"` (`'tcp:port'`), or `undefined`. */
  readonly part: string | undefined;
  /** The first line of the message: what is wrong, without the excerpt. */
  readonly reason: string;

  /** @param init - the description, where the fault is, and what is wrong. */
  constructor(init: EndpointSyntaxErrorInit) {
    super(
      `Bad endpoint description: ${init.reason}\n${pointAt(init.description, init.index, init.length)}`,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.name = new.target.name;
    this.description = init.description;
    this.index = init.index;
    this.length = init.length;
    this.part = init.part;
    this.reason = init.reason;
    // A TypeError cannot extend TwistedError, so it carries TwistedError's brand (and its own,
    // for every class of its chain) to answer `instanceof TwistedError` as the other errors do.
    Object.defineProperty(this, brandKey('TwistedError'), { value: true });
    for (let c: unknown = new.target; c && c !== TypeError; c = Object.getPrototypeOf(c)) {
      Object.defineProperty(this, brandKey((c as { name: string }).name), { value: true });
    }
  }

  /** Answers `instanceof` by brand, so a copy made by the other build (ESM/CommonJS) matches. */
  static override [Symbol.hasInstance](instance: unknown): boolean {
    return (
      instance !== null &&
      (typeof instance === 'object' || typeof instance === 'function') &&
      (instance as Record<symbol, unknown>)[brandKey(this.name)] === true
    );
  }
}

/**
 * An endpoint's `connect()` was cancelled before the connection was made (Twisted's
 * `error.ConnectingCancelledError`): `address` is where it was connecting to.
 */
export class ConnectingCancelledError extends TwistedError {
  override readonly code: string = 'ERR_CONNECTING_CANCELLED';
  /** The destination of the cancelled attempt. */
  readonly address: unknown;

  /** @param address - the destination of the cancelled attempt. */
  constructor(address: unknown, message = `Connecting to ${String(address)} was cancelled.`) {
    super(message);
    this.address = address;
  }
}

/**
 * The factory given to an endpoint's `connect()` built no protocol (returned `undefined`;
 * Twisted's `error.NoProtocol`): the connection is closed and the Deferred fails with this.
 */
export class NoProtocol extends TwistedError {
  override readonly code: string = 'ERR_NO_PROTOCOL';
}

/**
 * `listen()` on an `AdoptedStreamServerEndpoint` that already listened (Twisted's
 * `error.AlreadyListened`): its file descriptor can be adopted only once.
 */
export class AlreadyListened extends TwistedError {
  override readonly code: string = 'ERR_ALREADY_LISTENED';
}
