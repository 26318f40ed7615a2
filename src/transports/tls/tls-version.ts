/**
 * Twisted's `ssl.TLSVersion`.
 *
 * @module
 */

/**
 * The TLS protocol versions, for `CertificateOptions`' `raiseMinimumTo`,
 * `insecurelyLowerMinimumTo` and `lowerMaximumSecurityTo`; each value is the name Node's
 * `minVersion`/`maxVersion` use. SSLv3 is not here: Node's OpenSSL cannot speak it.
 */
export const TLSVersion = Object.freeze({
  /** TLS 1.0 (disabled by OpenSSL 3's default security level unless ciphers say `@SECLEVEL=0`). */
  TLSv1_0: 'TLSv1',
  /** TLS 1.1 (as TLS 1.0). */
  TLSv1_1: 'TLSv1.1',
  /** TLS 1.2: Node's default minimum. */
  TLSv1_2: 'TLSv1.2',
  /** TLS 1.3. */
  TLSv1_3: 'TLSv1.3',
} as const);

/** One of the {@link TLSVersion} values. */
export type TLSVersionName = (typeof TLSVersion)[keyof typeof TLSVersion];

const ORDER: readonly string[] = Object.values(TLSVersion);

/** Where a version stands (0 for TLS 1.0), or -1 when it is not one. */
export function versionRank(version: unknown): number {
  return typeof version === 'string' ? ORDER.indexOf(version) : -1;
}
