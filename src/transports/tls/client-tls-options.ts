/**
 * Twisted's `ssl.optionsForClientTLS` and the `ClientTLSOptions` it makes.
 *
 * @module
 */
import { checkServerIdentity } from 'node:tls';
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import type { ITLSContextFactory } from '../../interfaces.ts';
import { invalidArgType, invalidArgValue, validateObject, validateString } from '../../validate.ts';
import { CertificateOptions, type CertificateOptionsInit, type TLSOptions } from './certificate-options.ts';
import type { PrivateCertificate } from './private-certificate.ts';
import { platformTrust } from './trust-root.ts';

/** The keyword form of {@link optionsForClientTLS}'s arguments. */
export interface ClientTLSOptionsInit {
  /** The authorities to trust (default: the platform's): a `Certificate`, PEM, a list, or `platformTrust()`. */
  trustRoot?: unknown;
  /** A certificate (with its key) to present to the server. */
  clientCertificate?: PrivateCertificate;
  /** ALPN protocols, most preferred first. */
  acceptableProtocols?: readonly (string | Uint8Array)[];
  /** More `CertificateOptions` (versions, ciphers…); avoid unless a peer needs it. */
  extraCertificateOptions?: CertificateOptionsInit;
}

/**
 * A client's TLS settings for one server name: the server must present a certificate that
 * chains to the trust root and carries `hostname`. Made by {@link optionsForClientTLS}.
 */
export class ClientTLSOptions implements ITLSContextFactory {
  /** The name checked, as given. */
  readonly hostname: string;
  /** The name checked and sent, in ASCII (IDNA). */
  readonly asciiHostname: string;
  readonly #certificateOptions: CertificateOptions;

  /**
   * @param hostname - the name the certificate must carry.
   * @param certificateOptions - the rest of the settings.
   */
  constructor(hostname: string, certificateOptions: CertificateOptions) {
    validateString(hostname, 'hostname');
    this.hostname = hostname;
    const ascii = isIP(hostname) !== 0 ? hostname : domainToASCII(hostname);
    if (ascii === '')
      throw invalidArgValue('hostname', `It is not a valid host name. Received '${hostname}'.`);
    this.asciiHostname = ascii;
    this.#certificateOptions = certificateOptions;
  }

  /** Client options: SNI with the name (not for an IP address), and the name and chain checked. */
  getTLSOptions(side: 'server' | 'client'): TLSOptions {
    if (side !== 'client') {
      throw invalidArgValue(
        'side',
        'optionsForClientTLS makes client settings; a server needs CertificateOptions.',
      );
    }
    const node = this.#certificateOptions.getTLSOptions('client');
    const name = this.asciiHostname;
    node.rejectUnauthorized = true;
    // Node checks whatever name it connected to; ours is the name we were given.
    node.checkServerIdentity = (_host, cert) => checkServerIdentity(name, cert);
    if (isIP(name) === 0) node.servername = name;
    else delete node.servername;
    return node;
  }
}

/**
 * Client TLS settings that verify the server (Twisted's `optionsForClientTLS`): its chain must
 * lead to `trustRoot` (the platform's authorities by default) and it must be for `hostname`
 * (a DNS name, sent as SNI, or an IP address matched against the certificate's IP entries).
 *
 * `optionsForClientTLS(hostname, trustRoot?, clientCertificate?, acceptableProtocols?)` or
 * `optionsForClientTLS(hostname, { trustRoot, clientCertificate, acceptableProtocols,
 * extraCertificateOptions })`.
 *
 * @example
 * const options = optionsForClientTLS('example.com', { trustRoot: Certificate.loadPEM(caPem) });
 * reactor.connectSSL('example.com', 443, factory, options);
 */
export function optionsForClientTLS(
  hostname: string,
  trustRootOrOptions?: unknown,
  clientCertificate?: PrivateCertificate,
  acceptableProtocols?: readonly (string | Uint8Array)[],
): ClientTLSOptions {
  if (typeof hostname !== 'string') {
    throw invalidArgType('hostname', 'of type string (text, as Twisted requires for host names)', hostname);
  }
  let init: ClientTLSOptionsInit;
  if (isPlainObject(trustRootOrOptions)) {
    validateObject(trustRootOrOptions, 'options');
    init = trustRootOrOptions as ClientTLSOptionsInit;
  } else {
    init = { trustRoot: trustRootOrOptions, clientCertificate, acceptableProtocols };
  }
  const extra: CertificateOptionsInit = { ...(init.extraCertificateOptions ?? {}) };
  if (init.clientCertificate !== undefined) {
    extra.privateKey = init.clientCertificate.privateKey;
    extra.certificate = init.clientCertificate;
  }
  if (init.acceptableProtocols !== undefined) extra.acceptableProtocols = init.acceptableProtocols;
  const options = new CertificateOptions({ ...extra, trustRoot: init.trustRoot ?? platformTrust() });
  return new ClientTLSOptions(hostname, options);
}

function isPlainObject(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
