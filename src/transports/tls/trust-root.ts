/**
 * Twisted's trust roots: `platformTrust()`, `trustRootFromCertificates()` and the certificates a
 * `trustRoot` argument may be.
 *
 * @module
 */
import type { X509Certificate } from 'node:crypto';
import { invalidArgType } from '../../validate.ts';
import { toX509List } from './pem.ts';

/**
 * The authorities a TLS side trusts to sign its peer's certificate: the platform's (Node's
 * bundled Mozilla list, or the system's store when Node runs with `--use-system-ca`), or a
 * given set.
 */
export class TrustRoot {
  /** The authorities, or `undefined` for the platform's. */
  readonly certificates: readonly X509Certificate[] | undefined;

  /** Use {@link platformTrust} or {@link trustRootFromCertificates}. */
  constructor(certificates: readonly X509Certificate[] | undefined) {
    this.certificates = certificates;
  }

  /** The `ca` option of `node:tls`: PEM texts, or `undefined` for Node's defaults. */
  caOption(): string[] | undefined {
    return this.certificates?.map((c) => c.toString());
  }
}

/** The platform's trusted authorities (Twisted's `platformTrust()`); the default of `optionsForClientTLS`. */
export function platformTrust(): TrustRoot {
  return new TrustRoot(undefined);
}

/**
 * A trust root made of the given authorities only (Twisted's `trustRootFromCertificates`):
 * `Certificate`s, PEM texts or bundles, or Node's `X509Certificate`s.
 */
export function trustRootFromCertificates(certificates: readonly unknown[]): TrustRoot {
  if (!Array.isArray(certificates))
    throw invalidArgType('certificates', 'an array of certificates', certificates);
  return new TrustRoot(certificates.flatMap((c, i) => toX509List(c, `certificates[${i}]`)));
}

/**
 * A `trustRoot` argument as a {@link TrustRoot}: one already, a certificate (`Certificate`,
 * PEM, `X509Certificate`), a PEM bundle, or a list of them.
 */
export function toTrustRoot(value: unknown, name: string): TrustRoot {
  if (value instanceof TrustRoot) return value;
  return new TrustRoot(toX509List(value, name));
}
