/**
 * The errors a connection makes for its own end (`ConnectionDone`, `ConnectionLost`,
 * `ConnectionAborted`), made without a stack trace.
 *
 * Their stack would only show this transport's internals (the OS error they carry keeps its own,
 * as `osError`/`cause`), and capturing it is most of what making an error costs: about 15 µs
 * against 1 µs without, for every connection that closes. Twisted shares one `connectionDone`
 * Failure for the same reason; here each close still gets its own error.
 *
 * @internal
 * @module
 */
import type { StreamErrorOptions } from '../../errors.ts';
import { Failure } from '../../failure.ts';

/** `new E(message, options)` without a stack trace, in a `Failure`. */
export function closeReason(
  E: new (message?: string, options?: StreamErrorOptions) => Error,
  message?: string,
  options?: StreamErrorOptions,
): Failure {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new Failure(new E(message, options));
  } finally {
    Error.stackTraceLimit = limit;
  }
}
