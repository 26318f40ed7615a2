/**
 * The `ConnectError` a failed connection attempt reports, from Node's error (Twisted's
 * `error.getConnectError`, which maps errno to a class).
 *
 * @internal
 * @module
 */
import {
  ConnectBindError,
  ConnectError,
  ConnectionRefusedError,
  NoRouteError,
  TCPTimedOutError,
} from '../../errors.ts';

/** The `ConnectError` subclass for Node's connect error `e` (`bound`: a `bindAddress` was given). */
export function connectErrorFor(e: unknown, bound = false): ConnectError {
  const osError = e as NodeJS.ErrnoException;
  const code = osError?.code;
  if (osError?.syscall === 'bind' || (bound && (code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL'))) {
    return new ConnectBindError(undefined, { osError: e });
  }
  switch (code) {
    case 'ECONNREFUSED':
      return new ConnectionRefusedError(undefined, { osError: e });
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
      return new NoRouteError(undefined, { osError: e });
    case 'ETIMEDOUT':
      return new TCPTimedOutError(undefined, { osError: e });
    default:
      return new ConnectError(undefined, { osError: e });
  }
}
