/**
 * Which errors of a TLS socket are TLS failures (Twisted's `SSL.Error`, our `TLSError`) and
 * which are the connection's own (`ConnectionLost`).
 *
 * @internal
 */
import { ConnectionLost, TLSError } from '../../errors.ts';

/** OpenSSL's certificate verification results, as Node names them (`X509_V_ERR_*` without the prefix). */
const VERIFY_CODE =
  /^(?:UNABLE_TO_|CERT_|CRL_|ERROR_IN_|DEPTH_ZERO_|SELF_SIGNED_|INVALID_CA|INVALID_PURPOSE|PATH_LENGTH_|HOSTNAME_MISMATCH|OUT_OF_MEM|PEER_DID_NOT_RETURN_A_CERTIFICATE)/;
/** Node's and OpenSSL's TLS error codes. */
const TLS_CODE = /^(?:ERR_SSL_|ERR_TLS_|ERR_OSSL_)/;

/** True for an error that a TLS handshake or certificate check produced. */
export function isTLSFailure(error: Error): boolean {
  const e = error as Error & { code?: unknown; library?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  return TLS_CODE.test(code) || VERIFY_CODE.test(code) || e.library === 'SSL routines';
}

/**
 * The reason a connection over TLS gives its protocol for a socket error: `TLSError` (with
 * Node's error as `osError`, so `reason.value.osError.code` is `'CERT_HAS_EXPIRED'`,
 * `'ERR_TLS_CERT_ALTNAME_INVALID'`, `'ERR_SSL_…'`…) for a TLS failure, else
 * `ConnectionLost` as for a plain connection.
 */
export function tlsErrorReason(error: Error): Error {
  if (!isTLSFailure(error)) return new ConnectionLost(undefined, { osError: error });
  return new TLSError(undefined, { osError: error });
}
