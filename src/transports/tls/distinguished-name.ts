/**
 * Twisted's `ssl.DistinguishedName`.
 *
 * @module
 */

/** The short names OpenSSL prints and the long ones Twisted uses. */
const LONG_NAMES: Record<string, keyof DistinguishedNameFields> = {
  CN: 'commonName',
  O: 'organizationName',
  OU: 'organizationalUnitName',
  L: 'localityName',
  ST: 'stateOrProvinceName',
  C: 'countryName',
  emailAddress: 'emailAddress',
};

/** The fields a {@link DistinguishedName} may have. */
export interface DistinguishedNameFields {
  /** CN. */
  commonName?: string;
  /** O. */
  organizationName?: string;
  /** OU. */
  organizationalUnitName?: string;
  /** L. */
  localityName?: string;
  /** ST. */
  stateOrProvinceName?: string;
  /** C. */
  countryName?: string;
  /** The e-mail address attribute. */
  emailAddress?: string;
}

/**
 * The subject or issuer of a certificate: `commonName`, `organizationName`… (Twisted's
 * `DistinguishedName`). Values are strings here (ASCII bytes in Twisted).
 */
export class DistinguishedName implements DistinguishedNameFields {
  /** CN. */
  commonName?: string;
  /** O. */
  organizationName?: string;
  /** OU. */
  organizationalUnitName?: string;
  /** L. */
  localityName?: string;
  /** ST. */
  stateOrProvinceName?: string;
  /** C. */
  countryName?: string;
  /** The e-mail address attribute. */
  emailAddress?: string;

  /** @param fields - the fields to set. */
  constructor(fields: DistinguishedNameFields = {}) {
    Object.assign(this, fields);
  }

  /** Parses Node's `X509Certificate.subject`/`issuer` text (`CN=x\nO=y`). */
  static fromNode(text: string): DistinguishedName {
    const dn = new DistinguishedName();
    for (const line of text.split('\n')) {
      const eq = line.indexOf('=');
      if (eq === -1) continue;
      const field = LONG_NAMES[line.slice(0, eq)];
      if (field !== undefined && dn[field] === undefined) dn[field] = line.slice(eq + 1);
    }
    return dn;
  }

  /** A multi-line, human-readable form (Twisted's `inspect()`). */
  inspect(): string {
    const rows = Object.values(LONG_NAMES)
      .filter((f) => this[f] !== undefined)
      .map((f) => [f.replace(/([A-Z])/g, ' $1').replace(/^./, (c) => c.toUpperCase()), this[f]!] as const);
    const width = Math.max(0, ...rows.map(([label]) => label.length)) + 2;
    return rows.map(([label, value]) => `${label.padStart(width)}: ${value}`).join('\n');
  }
}
