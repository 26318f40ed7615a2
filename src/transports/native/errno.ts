/**
 * OS errors from the native addon, shaped as Node shapes them (`lib/internal/errors.js`'s
 * `errnoException` and `exceptionWithHostPort`): the message `"<syscall> <CODE>[ <address>[:<port>]]"`,
 * and `code`, `errno`, `syscall`, `address`, `port` — so code written for the dgram path reads
 * them the same way.
 *
 * @internal
 * @module
 */
import { getSystemErrorName } from 'node:util';

/** A Node-style OS error with the destination (for sends), as dgram reports them. */
export type SocketError = NodeJS.ErrnoException & { address?: string; port?: number };

/** `errno` is negative (libuv's UV_E* values are -errno on POSIX). */
export function errnoException(errno: number, syscall: string, address?: string, port?: number): SocketError {
  let code: string;
  try {
    code = getSystemErrorName(errno);
  } catch {
    code = `Unknown system error ${errno}`;
  }
  let where = '';
  if (address !== undefined) where = port !== undefined && port > 0 ? ` ${address}:${port}` : ` ${address}`;
  const error: SocketError = new Error(`${syscall} ${code}${where}`);
  error.errno = errno;
  error.code = code;
  error.syscall = syscall;
  if (address !== undefined) error.address = address;
  if (port !== undefined && port > 0) error.port = port;
  return error;
}
