/**
 * `Failure`: an error travelling down a Deferred's errback chain (Twisted's
 * `twisted.python.failure.Failure`). It sits below both `log` and `defer`, as in Twisted.
 *
 * @module
 */
import { inspect } from 'node:util';

/** A class (constructor) or a class name, as `trap` and `check` accept them. */
export type ErrorType = string | (abstract new (...args: never[]) => unknown);

/** Wraps a thrown value that is not an `Error`, so that `Failure.value` is always an `Error`. */
export class NonErrorThrown extends Error {
  /** The value that was thrown. */
  readonly thrown: unknown;
  constructor(thrown: unknown) {
    super(`A non-Error value was thrown: ${inspect(thrown, { depth: 1, breakLength: Infinity })}`);
    this.name = 'NonErrorThrown';
    this.thrown = thrown;
  }
}

/**
 * An error with the methods errbacks use: `trap`, `check`, `getErrorMessage`, `getTraceback`.
 *
 * @example
 * d.addErrback((f: Failure) => {
 *   f.trap(TimeoutError);        // anything else goes on down the chain
 *   return 'fallback';
 * });
 */
export class Failure {
  /** The error. A thrown non-Error is wrapped in a {@link NonErrorThrown}. */
  readonly value: Error;
  /** The error's class. */
  readonly type: abstract new (...args: never[]) => unknown;

  /** `new Failure(err)` wraps any thrown value; a `Failure` given is copied. */
  constructor(reason: unknown) {
    let kind: 'failure' | 'error' | 'other';
    try {
      kind = reason instanceof Failure ? 'failure' : reason instanceof Error ? 'error' : 'other';
    } catch {
      // A thrown Proxy that is revoked, or whose getPrototypeOf trap throws: not an Error we can
      // use, so it is wrapped like any other thrown value (inspect reads it without its traps).
      kind = 'other';
    }
    if (kind === 'failure') this.value = (reason as Failure).value;
    else this.value = kind === 'error' ? (reason as Error) : new NonErrorThrown(reason);
    let type: unknown;
    try {
      type = this.value.constructor;
    } catch {
      type = undefined;
    }
    this.type = (typeof type === 'function' ? type : Error) as abstract new (...args: never[]) => unknown;
  }

  /** The first of `types` this failure's error is an instance of (or has the class name of), else undefined. */
  check(...types: ErrorType[]): ErrorType | undefined {
    for (const t of types) {
      if (typeof t === 'string') {
        for (let c: unknown = this.type; typeof c === 'function'; c = Object.getPrototypeOf(c)) {
          if ((c as { name: string }).name === t) return t;
        }
      } else if (this.value instanceof t) {
        return t;
      }
    }
    return undefined;
  }

  /**
   * Like `check`, but when nothing matches it rethrows the error, so that inside an errback the
   * failure continues down the chain (Twisted's `trap`).
   */
  trap(...types: ErrorType[]): ErrorType {
    const matched = this.check(...types);
    if (matched === undefined) throw this.value;
    return matched;
  }

  /** The error's message. */
  getErrorMessage(): string {
    return this.value.message;
  }

  /** The error's stack trace (its name and message when it has none). */
  getTraceback(): string {
    return this.value.stack ?? `${this.value.name}: ${this.value.message}`;
  }

  /** Throws the wrapped error (Twisted's `raiseException`). */
  raiseException(): never {
    throw this.value;
  }

  /** Twisted's repr: `[Failure instance: Error: message]`. */
  toString(): string {
    return `[Failure instance: ${this.value.name}: ${this.value.message}]`;
  }
}
