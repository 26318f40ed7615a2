/**
 * Twisted's `ssl.Certificate`.
 *
 * @module
 */
import { createHash, type KeyObject, X509Certificate } from 'node:crypto';
import { invalidArgType, invalidArgValue, validateString } from '../../validate.ts';
import { DistinguishedName } from './distinguished-name.ts';
import { toX509 } from './pem.ts';

/** What {@link Certificate.peerFromTransport} needs of a transport. */
interface CertificateHolder {
  getPeerCertificate?(): unknown;
  getHostCertificate?(): unknown;
}

/**
 * An X.509 certificate (Twisted's `ssl.Certificate`), over Node's `X509Certificate`
 * (`original`).
 *
 * @example
 * const cert = Certificate.loadPEM(readFileSync('server.crt'));
 * cert.getSubject().commonName; // 'example.com'
 */
export class Certificate {
  /** Node's certificate. */
  readonly original: X509Certificate;

  /** @param original - Node's `X509Certificate`. */
  constructor(original: X509Certificate) {
    if (!(original instanceof X509Certificate))
      throw invalidArgType('original', 'an instance of X509Certificate', original);
    this.original = original;
  }

  /** Loads a certificate from PEM text (the first certificate of the text). */
  static loadPEM(data: string | Uint8Array): Certificate {
    return new Certificate(toX509(data, 'data'));
  }

  /** Loads a certificate from DER bytes (Twisted's default, `FILETYPE_ASN1`) or PEM. */
  static load(data: Uint8Array | string, format: 'der' | 'pem' = 'der'): Certificate {
    if (format !== 'der' && format !== 'pem') throw invalidArgValue('format', `It must be 'der' or 'pem'.`);
    return new Certificate(toX509(data, 'data'));
  }

  /** The certificate the peer of a TLS `transport` presented (Twisted's `peerFromTransport`). */
  static peerFromTransport(transport: unknown): Certificate {
    return fromTransport(transport, 'getPeerCertificate', 'peer');
  }

  /** The certificate this side of a TLS `transport` presented (Twisted's `hostFromTransport`). */
  static hostFromTransport(transport: unknown): Certificate {
    return fromTransport(transport, 'getHostCertificate', 'host');
  }

  /** The certificate as PEM text. */
  dumpPEM(): string {
    return this.original.toString();
  }

  /** The certificate as DER bytes (`'der'`, Twisted's default) or PEM bytes. */
  dump(format: 'der' | 'pem' = 'der'): Buffer {
    return format === 'pem' ? Buffer.from(this.dumpPEM()) : Buffer.from(this.original.raw);
  }

  /** Its subject. */
  getSubject(): DistinguishedName {
    return DistinguishedName.fromNode(this.original.subject);
  }

  /** Its issuer. */
  getIssuer(): DistinguishedName {
    return DistinguishedName.fromNode(this.original.issuer);
  }

  /** Its serial number. */
  serialNumber(): bigint {
    return BigInt(`0x${this.original.serialNumber}`);
  }

  /** Its public key, as Node's `KeyObject`. */
  getPublicKey(): KeyObject {
    return this.original.publicKey;
  }

  /**
   * The digest of its DER form as colon-separated hex (`'AB:CD:…'`), with `method` a hash name
   * Node knows (Twisted's default, `'md5'`; prefer `'sha256'`).
   */
  digest(method = 'md5'): string {
    validateString(method, 'method');
    const hex = createHash(method).update(this.original.raw).digest('hex').toUpperCase();
    return hex.match(/../g)!.join(':');
  }

  /** `true` for the same certificate (the same DER bytes). */
  equals(other: unknown): boolean {
    return other instanceof Certificate && this.original.raw.equals(other.original.raw);
  }

  /** A multi-line, human-readable description (Twisted's `inspect()`). */
  inspect(): string {
    return [
      'Certificate For Subject:',
      this.getSubject().inspect(),
      '',
      'Issuer:',
      this.getIssuer().inspect(),
      '',
      `Serial Number: ${this.serialNumber()}`,
      `Digest: ${this.digest('sha256')}`,
      `Valid From: ${this.original.validFrom}`,
      `Valid To: ${this.original.validTo}`,
    ].join('\n');
  }

  /** `<Certificate subject=… issuer=…>`. */
  toString(): string {
    return `<Certificate subject=${this.getSubject().commonName ?? '?'} issuer=${this.getIssuer().commonName ?? '?'}>`;
  }
}

function fromTransport(transport: unknown, method: keyof CertificateHolder, side: string): Certificate {
  const getter = (transport as CertificateHolder | undefined)?.[method];
  if (typeof getter !== 'function') throw invalidArgType('transport', 'a TLS transport', transport);
  const cert = getter.call(transport);
  if (!(cert instanceof Certificate)) {
    throw invalidArgValue('transport', `The TLS connection has no ${side} certificate (yet).`);
  }
  return cert;
}
