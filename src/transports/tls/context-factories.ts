/**
 * Twisted's `ssl.DefaultOpenSSLContextFactory` and `ssl.ClientContextFactory`.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import type { ITLSContextFactory } from '../../interfaces.ts';
import { invalidArgValue, validateString } from '../../validate.ts';
import { CertificateOptions, type TLSOptions } from './certificate-options.ts';
import type { TLSMethod } from './tls-method.ts';

function readPEM(path: string, name: string): string {
  validateString(path, name);
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw Object.assign(
      invalidArgValue(name, `Cannot read ${JSON.stringify(path)}: ${code ?? (e as Error).message}.`),
      {
        cause: e,
      },
    );
  }
}

/**
 * A server's TLS settings read from two PEM files (Twisted's `DefaultOpenSSLContextFactory`):
 * the private key and the certificate (which may hold a chain after it). The files are read
 * when it is made; no peer verification.
 *
 * @example
 * reactor.listenSSL(8443, factory, new DefaultOpenSSLContextFactory('server.key', 'server.crt'));
 */
export class DefaultOpenSSLContextFactory implements ITLSContextFactory {
  /** The key file. */
  readonly privateKeyFileName: string;
  /** The certificate file. */
  readonly certificateFileName: string;
  readonly #options: CertificateOptions;

  /**
   * @param privateKeyFileName - path of the PEM private key.
   * @param certificateFileName - path of the PEM certificate (and chain).
   * @param sslmethod - a protocol method (`'TLSv1_2_METHOD'`…); default: Node's version range.
   */
  constructor(privateKeyFileName: string, certificateFileName: string, sslmethod?: TLSMethod) {
    this.privateKeyFileName = privateKeyFileName;
    this.certificateFileName = certificateFileName;
    const key = readPEM(privateKeyFileName, 'privateKeyFileName');
    const certs = readPEM(certificateFileName, 'certificateFileName');
    const [certificate, ...chain] = certs.match(
      /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g,
    ) ?? [certs];
    this.#options = new CertificateOptions({
      privateKey: key,
      certificate,
      ...(chain.length > 0 ? { extraCertChain: chain } : {}),
      ...(sslmethod !== undefined ? { method: sslmethod } : {}),
    });
  }

  /** The server options (a client side may use them too, presenting the certificate). */
  getTLSOptions(side: 'server' | 'client'): TLSOptions {
    return this.#options.getTLSOptions(side);
  }
}

/**
 * A client's TLS settings that verify nothing (Twisted's `ssl.ClientContextFactory`): the
 * connection is encrypted but the server is not authenticated. Use `optionsForClientTLS`
 * unless the peer truly cannot be verified.
 */
export class ClientContextFactory implements ITLSContextFactory {
  /** Always `true` (Twisted's attribute). */
  readonly isClient = true;

  /** `{ rejectUnauthorized: false }`, for the client side only. */
  getTLSOptions(side: 'server' | 'client'): TLSOptions {
    if (side !== 'client') throw invalidArgValue('side', 'ClientContextFactory makes client settings only.');
    return new CertificateOptions().getTLSOptions('client');
  }
}
