/**
 * Twisted's `ssl.PrivateCertificate`.
 *
 * @module
 */
import type { X509Certificate } from 'node:crypto';
import { invalidArgType, invalidArgValue } from '../../validate.ts';
import { Certificate } from './certificate.ts';
import { CertificateOptions } from './certificate-options.ts';
import { KeyPair } from './key-pair.ts';
import { asText, pemBlocks, toPrivateKey, toX509 } from './pem.ts';

/**
 * A certificate with its private key (Twisted's `ssl.PrivateCertificate`): what a server (or a
 * client that authenticates) presents.
 *
 * @example
 * const mine = PrivateCertificate.loadPEM(readFileSync('server.pem')); // certificate + key
 * reactor.listenSSL(8443, factory, mine.options());
 */
export class PrivateCertificate extends Certificate {
  /** The private key. */
  readonly privateKey: KeyPair;

  /**
   * @param original - the certificate.
   * @param privateKey - its private key.
   */
  constructor(original: X509Certificate, privateKey: KeyPair) {
    super(original);
    if (!(privateKey instanceof KeyPair))
      throw invalidArgType('privateKey', 'an instance of KeyPair', privateKey);
    if (!original.checkPrivateKey(privateKey.original)) {
      throw invalidArgValue('privateKey', 'It does not match the public key of the certificate.');
    }
    this.privateKey = privateKey;
  }

  /** Loads a certificate and its private key from one PEM text (both blocks, in any order). */
  static override loadPEM(data: string | Uint8Array): PrivateCertificate {
    const text = asText(data);
    const certificates = pemBlocks(text, 'CERTIFICATE');
    if (certificates.length === 0) throw invalidArgValue('data', 'It holds no PEM certificate.');
    const key = text.match(
      /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----[\s\S]+?-----END (?:[A-Z]+ )?PRIVATE KEY-----/,
    );
    if (key === null) throw invalidArgValue('data', 'It holds no PEM private key.');
    return new PrivateCertificate(toX509(certificates[0], 'data'), new KeyPair(toPrivateKey(key[0], 'data')));
  }

  /** Pairs a certificate with its key (Twisted's `fromCertificateAndKeyPair`). */
  static fromCertificateAndKeyPair(certificate: Certificate, keyPair: KeyPair): PrivateCertificate {
    if (!(certificate instanceof Certificate))
      throw invalidArgType('certificate', 'an instance of Certificate', certificate);
    return new PrivateCertificate(certificate.original, keyPair);
  }

  /** The certificate and the key, as one PEM text. */
  override dumpPEM(): string {
    return `${super.dumpPEM()}${this.privateKey.dump()}`;
  }

  /**
   * `CertificateOptions` presenting this certificate; with `authorities`, the peer must present
   * a certificate signed by one of them (Twisted's `options(*authorities)`).
   */
  options(...authorities: Certificate[]): CertificateOptions {
    return new CertificateOptions({
      privateKey: this.privateKey,
      certificate: this,
      ...(authorities.length > 0 ? { trustRoot: authorities } : {}),
    });
  }
}
