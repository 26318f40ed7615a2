/**
 * What a failed request errbacks with, as Twisted's agent does: a connection that could not be
 * made fails with the `ConnectError` that says why; a connection that broke (or a TLS handshake
 * or certificate check that failed) before the response fails with `ResponseNeverReceived`
 * holding the reason.
 *
 * @internal
 * @module
 */
import {
  ConnectBindError,
  ConnectError,
  ConnectionDone,
  ConnectionLost,
  ConnectionRefusedError,
  DNSLookupError,
  NoRouteError,
  TCPTimedOutError,
  TLSError,
} from '../../errors/stream.ts';
import { ResponseNeverReceived } from '../../errors/web.ts';
import { Failure } from '../../failure.ts';
import { TwistedError } from '../../errors/base.ts';

type OsError = Error & { code?: string; syscall?: string };

/** The reason a connection attempt failed with `err` (Node's error for the socket). */
export function connectFailure(err: OsError): Error {
  if (err instanceof TwistedError) return err;
  const options = { osError: err };
  switch (err.code) {
    case 'ECONNREFUSED':
      return new ConnectionRefusedError(undefined, options);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NONAME':
      return new DNSLookupError(undefined, options);
    case 'ETIMEDOUT':
      return new TCPTimedOutError(undefined, options);
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
      return new NoRouteError(undefined, options);
    case 'EADDRINUSE':
    case 'EADDRNOTAVAIL':
      return err.syscall === 'bind' || err.syscall === 'connect'
        ? new ConnectBindError(undefined, options)
        : new ConnectError(undefined, options);
    default:
      return new ConnectError(undefined, options);
  }
}

// node:tls reports a failed verification with OpenSSL's code (or ERR_TLS_… for a name mismatch).
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|EPROTO)/;

/** Whether `err` is a TLS handshake or verification failure. */
export function isTLSFailure(err: OsError): boolean {
  return err instanceof TLSError || (err.code !== undefined && TLS_CODE.test(err.code));
}

/** The failure of a request whose connection was made but broke before the response. */
export function neverReceived(err: OsError): ResponseNeverReceived {
  let reason: Error;
  if (err instanceof TwistedError) reason = err;
  else if (isTLSFailure(err)) reason = new TLSError(undefined, { osError: err });
  else if (err.code === 'ECONNRESET' && err.message === 'socket hang up') reason = new ConnectionDone();
  else reason = new ConnectionLost(undefined, { osError: err });
  return new ResponseNeverReceived([new Failure(reason)]);
}
