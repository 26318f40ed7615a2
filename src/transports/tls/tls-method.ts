/**
 * pyOpenSSL's protocol methods, which Twisted's `sslmethod`/`method` arguments name.
 *
 * @internal
 */
import type { TLSVersionName } from './tls-version.ts';

/** A method name (`'SSLv23_METHOD'`, `'TLSv1_2_METHOD'`…). */
export type TLSMethod =
  | 'SSLv23_METHOD'
  | 'TLS_METHOD'
  | 'TLS_SERVER_METHOD'
  | 'TLS_CLIENT_METHOD'
  | 'TLSv1_METHOD'
  | 'TLSv1_1_METHOD'
  | 'TLSv1_2_METHOD';

/** The version range of each method (the negotiating ones: Node's default range). */
export const TLS_METHODS: Readonly<
  Record<string, { minVersion?: TLSVersionName; maxVersion?: TLSVersionName }>
> = {
  SSLv23_METHOD: {},
  TLS_METHOD: {},
  TLS_SERVER_METHOD: {},
  TLS_CLIENT_METHOD: {},
  TLSv1_METHOD: { minVersion: 'TLSv1', maxVersion: 'TLSv1' },
  TLSv1_1_METHOD: { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1' },
  TLSv1_2_METHOD: { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' },
};
