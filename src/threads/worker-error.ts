/**
 * Rebuilding, in the reactor's thread, the error a job threw in a worker.
 *
 * @internal
 * @module
 */
import { inspect } from 'node:util';
import type { SerializedError } from './job.ts';

type ErrorClass = new (message?: string, options?: ErrorOptions) => Error;

/** JavaScript's own error classes: an error of one of these comes back as that class. */
const BUILT_IN: Record<string, ErrorClass> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/**
 * One class per error name not built in (a job's `class ParseError extends Error`), made once:
 * the rebuilt error's class then has that name, so `failure.check('ParseError')` and
 * `failure.trap('ParseError')` work, although the job's own class cannot cross the thread.
 */
const namedClasses = new Map<string, ErrorClass>();

function classFor(name: string): ErrorClass {
  const builtIn = BUILT_IN[name];
  if (builtIn !== undefined) return builtIn;
  let cls = namedClasses.get(name);
  if (cls === undefined) {
    cls = class extends Error {};
    Object.defineProperty(cls, 'name', { value: name });
    Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, configurable: true });
    namedClasses.set(name, cls);
  }
  return cls;
}

/**
 * The worker's error as an `Error` of this thread: same name (and class, for JavaScript's own
 * error classes), message, stack trace and primitive fields (`code`, `errno`…), and `cause`.
 *
 * @param hint - appended to the message (e.g. why a ReferenceError is likely).
 */
export function rebuildError(serialized: SerializedError, hint?: string): Error {
  const cls = classFor(serialized.name);
  const cause = serialized.cause === undefined ? undefined : rebuildError(serialized.cause);
  const message = hint === undefined ? serialized.message : `${serialized.message} ${hint}`;
  const error = new cls(message, cause === undefined ? undefined : { cause });
  if (error.name !== serialized.name) error.name = serialized.name;
  if (serialized.stack !== undefined) {
    // The worker's trace, with the hint in its first line too (that line repeats the message).
    error.stack =
      hint === undefined ? serialized.stack : serialized.stack.replace(serialized.message, message);
  }
  for (const [key, value] of Object.entries(serialized.fields)) {
    if (key !== 'name' && key !== 'message' && key !== 'stack') {
      Object.defineProperty(error, key, { value, writable: true, configurable: true, enumerable: true });
    }
  }
  return error;
}

/**
 * A pool error as it reaches this thread, made readable. When the job's result cannot be
 * copied back (a function, say), the worker fails while posting it, and the error arrives with
 * an empty message and only its stack (`DataCloneError: () => 1 could not be cloned.`): the
 * name and message are taken back from the stack's first line, and the message says what can
 * cross.
 */
export function readablePoolError(error: unknown): unknown {
  if (!(error instanceof Error)) {
    // An error thrown outside the job, e.g. by a worker that crashed, can arrive as a plain
    // object (Node 22 clones a DOMException so): say where it came from.
    return new Error(`The worker thread running the job failed: ${inspect(error, { depth: 2 })}`);
  }
  if (error.message !== '' || typeof error.stack !== 'string') return error;
  const first = /^(\w+): (.*)$/m.exec(error.stack);
  if (first === null) return error;
  const [, name, message] = first;
  const hint =
    name === 'DataCloneError'
      ? " (a job's result is copied to the reactor's thread with the structured clone algorithm: " +
        'functions, Deferreds and objects holding them cannot cross; return plain data)'
      : '';
  const readable = new Error(`${message}${hint}`, { cause: error });
  readable.name = name;
  readable.stack = `${name}: ${message}${hint}${error.stack.slice(first[0].length)}`;
  return readable;
}
