/**
 * Twisted's `ssl.CertificateOptions` (`OpenSSLCertificateOptions`).
 *
 * @module
 */
import type { KeyObject, X509Certificate } from 'node:crypto';
import type { ConnectionOptions, TLSSocketOptions } from 'node:tls';
import type { ITLSContextFactory } from '../../interfaces.ts';
import {
  invalidArgType,
  invalidArgValue,
  validateBoolean,
  validateObject,
  validateString,
} from '../../validate.ts';
import { asText, keyPEM, toPrivateKey, toX509, toX509List } from './pem.ts';
import { TLS_METHODS, type TLSMethod } from './tls-method.ts';
import { versionRank, type TLSVersionName } from './tls-version.ts';
import { toTrustRoot, type TrustRoot } from './trust-root.ts';

/** The options of {@link CertificateOptions} (Twisted's keyword arguments). */
export interface CertificateOptionsInit {
  /** This side's private key: PEM (string or bytes), a `KeyObject` or a `KeyPair`. Needs `certificate`. */
  privateKey?: unknown;
  /** This side's certificate: PEM, an `X509Certificate` or a `Certificate`. Needs `privateKey`. */
  certificate?: unknown;
  /** The certificates between `certificate` and a root, sent with it (a list, or a PEM bundle). */
  extraCertChain?: unknown;
  /**
   * The authorities the peer's certificate must chain to; giving it turns verification on
   * (and, on a server, requires a client certificate). `platformTrust()`, a `Certificate`, PEM,
   * or a list.
   */
  trustRoot?: unknown;
  /** Verify the peer's certificate against `caCerts` (Twisted's older form of `trustRoot`). Default false. */
  verify?: boolean;
  /** With `verify`: the authorities. */
  caCerts?: unknown;
  /** With `verify`, on a server: a client without a certificate is refused (default true). */
  requireCertificate?: boolean;
  /** A protocol method (`'TLSv1_2_METHOD'`…), Twisted's deprecated way to pin a version. */
  method?: TLSMethod;
  /** The oldest version allowed, if above Node's default (TLS 1.2). */
  raiseMinimumTo?: TLSVersionName;
  /** The oldest version allowed, below the default. Only if a peer needs it. */
  insecurelyLowerMinimumTo?: TLSVersionName;
  /** The newest version allowed. Only if a peer breaks on newer ones. */
  lowerMaximumSecurityTo?: TLSVersionName;
  /** An OpenSSL cipher list (`'ECDHE+AESGCM:…'`) instead of Node's default. */
  acceptableCiphers?: string;
  /** ALPN protocols, most preferred first (`['h2', 'http/1.1']`). */
  acceptableProtocols?: readonly (string | Uint8Array)[];
  /** Diffie-Hellman parameters (PEM) for DHE ciphers on a server; `'auto'` for OpenSSL's own. */
  dhParameters?: string | Uint8Array;
}

const KNOWN = new Set([
  'privateKey',
  'certificate',
  'extraCertChain',
  'trustRoot',
  'verify',
  'caCerts',
  'requireCertificate',
  'method',
  'raiseMinimumTo',
  'insecurelyLowerMinimumTo',
  'lowerMaximumSecurityTo',
  'acceptableCiphers',
  'acceptableProtocols',
  'dhParameters',
]);

/**
 * The `node:tls` options a context factory produces: a `TLSSocket`'s, plus the client-side
 * `servername` (SNI) and `checkServerIdentity` (the name check) of `tls.connect`.
 */
export type TLSOptions = TLSSocketOptions & Pick<ConnectionOptions, 'servername' | 'checkServerIdentity'>;

/**
 * The TLS settings of one side (Twisted's `CertificateOptions`): its key and certificate, how it
 * verifies its peer, the versions, ciphers and ALPN protocols. Give it to `listenSSL`,
 * `connectSSL`, `startTLS` or an SSL endpoint. Keys and certificates are parsed (and checked to
 * match) when it is made, so a bad PEM fails here rather than at the first connection.
 *
 * As in Twisted, it verifies certificate chains only (never host names — use
 * `optionsForClientTLS` for a client), and verification is off unless `trustRoot` (or
 * `verify` with `caCerts`) is given. Versions follow Node's defaults (TLS 1.2 to 1.3), not
 * Twisted's older minimum.
 *
 * @example
 * const server = new CertificateOptions({ privateKey: keyPem, certificate: certPem });
 * reactor.listenSSL(8443, factory, server);
 */
export class CertificateOptions implements ITLSContextFactory {
  /** The private key, or `undefined`. */
  readonly privateKey: KeyObject | undefined;
  /** The certificate, or `undefined`. */
  readonly certificate: X509Certificate | undefined;
  /** The chain sent after the certificate. */
  readonly extraCertChain: readonly X509Certificate[];
  /** Whether the peer's certificate is verified. */
  readonly verify: boolean;
  /** On a server that verifies: whether a client must present a certificate. */
  readonly requireCertificate: boolean;
  /** The authorities trusted when verifying, or `undefined`. */
  readonly trustRoot: TrustRoot | undefined;
  readonly #node: TLSOptions;

  /** @param options - Twisted's keyword arguments (see {@link CertificateOptionsInit}). */
  constructor(options: CertificateOptionsInit = {}) {
    validateObject(options, 'options');
    for (const key of Object.keys(options)) {
      if (!KNOWN.has(key)) {
        throw invalidArgValue(
          `options.${key}`,
          `CertificateOptions has no such option (known: ${[...KNOWN].join(', ')}).`,
        );
      }
    }
    const has = (k: keyof CertificateOptionsInit) => options[k] !== undefined;
    if (has('privateKey') !== has('certificate')) {
      throw invalidArgValue('options', 'Specify neither or both of privateKey and certificate.');
    }
    for (const [a, b] of [
      ['trustRoot', 'requireCertificate'],
      ['trustRoot', 'verify'],
      ['trustRoot', 'caCerts'],
      ['method', 'insecurelyLowerMinimumTo'],
      ['method', 'raiseMinimumTo'],
      ['raiseMinimumTo', 'insecurelyLowerMinimumTo'],
      ['method', 'lowerMaximumSecurityTo'],
    ] as const) {
      if (has(a) && has(b)) throw invalidArgValue('options', `Specify ${a} or ${b}, not both.`);
    }
    const verify: unknown = options.verify ?? false;
    const requireCertificate: unknown = options.requireCertificate ?? true;
    validateBoolean(verify, 'options.verify');
    validateBoolean(requireCertificate, 'options.requireCertificate');
    if (verify && !has('caCerts')) {
      throw invalidArgValue(
        'options.caCerts',
        'Specify client CA certificate information if and only if enabling certificate verification.',
      );
    }
    if (has('extraCertChain') && !has('certificate')) {
      throw invalidArgValue(
        'options.extraCertChain',
        'A private key and a certificate are required when adding a supplemental certificate chain.',
      );
    }

    this.privateKey = has('privateKey') ? toPrivateKey(options.privateKey, 'options.privateKey') : undefined;
    this.certificate = has('certificate') ? toX509(options.certificate, 'options.certificate') : undefined;
    if (this.privateKey && this.certificate && !this.certificate.checkPrivateKey(this.privateKey)) {
      throw invalidArgValue('options.privateKey', 'It does not match the public key of options.certificate.');
    }
    this.extraCertChain = has('extraCertChain')
      ? toX509List(options.extraCertChain, 'options.extraCertChain')
      : [];
    if (has('trustRoot')) {
      this.trustRoot = toTrustRoot(options.trustRoot, 'options.trustRoot');
      this.verify = true;
      this.requireCertificate = true;
    } else {
      this.verify = verify;
      this.requireCertificate = requireCertificate;
      this.trustRoot = this.verify ? toTrustRoot(options.caCerts, 'options.caCerts') : undefined;
    }
    this.#node = this.#nodeOptions(options);
  }

  #nodeOptions(options: CertificateOptionsInit): TLSOptions {
    const node: TLSOptions = {};
    if (this.privateKey && this.certificate) {
      node.key = keyPEM(this.privateKey);
      node.cert = [this.certificate, ...this.extraCertChain].map((c) => c.toString()).join('\n');
    }
    if (this.trustRoot !== undefined) {
      const ca = this.trustRoot.caOption();
      if (ca !== undefined) node.ca = ca;
    }
    const versions = versionRange(options);
    Object.assign(node, versions);
    if (options.acceptableCiphers !== undefined) {
      validateString(options.acceptableCiphers, 'options.acceptableCiphers');
      node.ciphers = options.acceptableCiphers;
    }
    if (options.acceptableProtocols !== undefined) {
      if (!Array.isArray(options.acceptableProtocols) || options.acceptableProtocols.length === 0) {
        throw invalidArgType(
          'options.acceptableProtocols',
          'a non-empty array of protocol names',
          options.acceptableProtocols,
        );
      }
      node.ALPNProtocols = options.acceptableProtocols.map((p, i) => {
        if (typeof p !== 'string' && !(p instanceof Uint8Array)) {
          throw invalidArgType(`options.acceptableProtocols[${i}]`, 'a string or bytes', p);
        }
        return typeof p === 'string' ? p : asText(p);
      });
    }
    if (options.dhParameters !== undefined) {
      const dh = options.dhParameters;
      if (typeof dh !== 'string' && !(dh instanceof Uint8Array)) {
        throw invalidArgType('options.dhParameters', "PEM parameters or 'auto'", dh);
      }
      node.dhparam = dh === 'auto' ? 'auto' : asText(dh);
    }
    return node;
  }

  /**
   * The `node:tls` options for `side`. A server that verifies asks for a client certificate
   * (and refuses a client without one when `requireCertificate`); a client that verifies
   * refuses a server whose chain does not lead to the trust root, without looking at its name.
   */
  getTLSOptions(side: 'server' | 'client'): TLSOptions {
    if (side !== 'server' && side !== 'client')
      throw invalidArgValue('side', `It must be 'server' or 'client'.`);
    const node: TLSOptions = { ...this.#node };
    if (side === 'server') {
      node.requestCert = this.verify;
      node.rejectUnauthorized = this.verify && this.requireCertificate;
    } else {
      node.rejectUnauthorized = this.verify;
      // Twisted's CertificateOptions checks the chain, not the name (optionsForClientTLS does).
      node.checkServerIdentity = () => undefined;
    }
    return node;
  }
}

/** `minVersion`/`maxVersion` from Twisted's version arguments (or its deprecated `method`). */
function versionRange(options: CertificateOptionsInit): Pick<TLSOptions, 'minVersion' | 'maxVersion'> {
  const check = (name: keyof CertificateOptionsInit): TLSVersionName | undefined => {
    const v = options[name];
    if (v === undefined) return undefined;
    if (versionRank(v) === -1) {
      throw invalidArgValue(
        `options.${name}`,
        `It must be a TLSVersion ('TLSv1', 'TLSv1.1', 'TLSv1.2' or 'TLSv1.3'). Received ${String(v)}.`,
      );
    }
    return v as TLSVersionName;
  };
  if (options.method !== undefined) {
    const range = TLS_METHODS[options.method];
    if (range === undefined) {
      throw invalidArgValue(
        'options.method',
        `It must be one of ${Object.keys(TLS_METHODS).join(', ')}. Received ${String(options.method)}.`,
      );
    }
    return { ...range };
  }
  const raise = check('raiseMinimumTo');
  const lower = check('insecurelyLowerMinimumTo');
  const max = check('lowerMaximumSecurityTo');
  const min =
    lower ?? (raise !== undefined && versionRank(raise) > versionRank('TLSv1.2') ? raise : undefined);
  if (min !== undefined && max !== undefined && versionRank(min) > versionRank(max)) {
    throw invalidArgValue(
      'options.lowerMaximumSecurityTo',
      `It must not be below the minimum version (${min}).`,
    );
  }
  const range: Pick<TLSOptions, 'minVersion' | 'maxVersion'> = {};
  if (min !== undefined) range.minVersion = min;
  if (max !== undefined) {
    range.maxVersion = max;
    // Pulling the maximum under Node's default minimum pulls the minimum down with it, as Twisted does.
    if (min === undefined && versionRank(max) < versionRank('TLSv1.2')) range.minVersion = max;
  }
  return range;
}
