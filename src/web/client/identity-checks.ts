/**
 * How a policy's name check reaches the TLS connection without costing the pool its reuse.
 *
 * Node's `https.request` gives every request that carries its own `checkServerIdentity` a
 * per-request pool key, so such a connection is never reused. A policy's settings always carry
 * one (`optionsForClientTLS` checks the name it was given, not whatever Node connected to). The
 * `Agent` therefore hands the check under {@link kIdentityCheck}, which Node passes along
 * untouched, and the pool's `createConnection` puts it back where `tls.connect` looks for it.
 * Connections are then keyed, as Twisted's pool keys them, on scheme, host and port (and, as
 * Node's agent does, on the trust roots and the other TLS options).
 *
 * @module
 */
import type { TLSOptions } from '../../transports/tls/certificate-options.ts';

/** The option key under which a request carries its policy's name check. @internal */
export const kIdentityCheck = Symbol('twisted-ts identity check');

/** TLS options whose name check travels under {@link kIdentityCheck}. @internal */
export type CarriedTLSOptions = Omit<TLSOptions, 'checkServerIdentity'> & {
  [kIdentityCheck]?: TLSOptions['checkServerIdentity'];
};

/** A policy's TLS options for a request: the name check moved to {@link kIdentityCheck}. @internal */
export function carryIdentityCheck(options: TLSOptions): CarriedTLSOptions {
  const { checkServerIdentity, ...rest } = options;
  return checkServerIdentity === undefined ? rest : { ...rest, [kIdentityCheck]: checkServerIdentity };
}

/** Connection options with the carried name check back as `checkServerIdentity`. @internal */
export function restoreIdentityCheck<T extends object>(options: T): T {
  const check = (options as CarriedTLSOptions)[kIdentityCheck];
  return check === undefined ? options : { ...options, checkServerIdentity: check };
}
