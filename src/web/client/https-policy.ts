/**
 * `BrowserLikePolicyForHTTPS` (Twisted's `client.BrowserLikePolicyForHTTPS`): verify an HTTPS
 * server as a browser does — its certificate chain against the trust roots (the system's, or
 * the ones given), its name against the host asked for.
 *
 * @module
 */
import { isIP } from 'node:net';
import type { X509Certificate } from 'node:crypto';
import type { ITLSContextFactory } from '../../interfaces.ts';
import { invalidArgType } from '../../validate.ts';
import type { IPolicyForHTTPS } from '../iweb.ts';

/**
 * A trust root: a PEM (string or Buffer), Node's `X509Certificate`, or an object with the PEM
 * (`dumpPEM()`, as Twisted's `Certificate`, or `original`, an `X509Certificate`).
 */
export type TrustRoot = string | Uint8Array | X509Certificate | PEMDumper | WrappedX509;

/** A certificate object that gives its PEM (Twisted's `Certificate.dumpPEM`). */
export interface PEMDumper {
  /** The certificate as PEM. */
  dumpPEM(): string | Uint8Array;
}

/** A certificate object wrapping Node's (`Certificate.original`). */
export interface WrappedX509 {
  /** Node's certificate. */
  original: X509Certificate;
}

function pemOf(root: TrustRoot, name: string): string | Buffer {
  if (typeof root === 'string') return root;
  if (root instanceof Uint8Array) return Buffer.from(root);
  if (root !== null && typeof root === 'object') {
    if ('dumpPEM' in root && typeof root.dumpPEM === 'function') {
      const pem = root.dumpPEM();
      return typeof pem === 'string' ? pem : Buffer.from(pem);
    }
    if ('original' in root && root.original !== null && typeof root.original === 'object')
      return root.original.toString();
    if ('raw' in root && 'subject' in root) return (root as X509Certificate).toString();
  }
  throw invalidArgType(name, 'a PEM certificate, an X509Certificate or a Certificate', root);
}

/**
 * The default HTTPS policy of `Agent`: certificates are verified against `trustRoot` (the
 * system's and Node's roots when absent) and must name the host.
 *
 * @example
 * const agent = new Agent(reactor, { contextFactory: new BrowserLikePolicyForHTTPS(caPem) });
 */
export class BrowserLikePolicyForHTTPS implements IPolicyForHTTPS {
  readonly #ca: (string | Buffer)[] | undefined;

  /** @param trustRoot - the certificates to trust instead of the system's: one, or a list. */
  constructor(trustRoot?: TrustRoot | readonly TrustRoot[]) {
    if (trustRoot === undefined || trustRoot === null) this.#ca = undefined;
    else if (Array.isArray(trustRoot))
      this.#ca = trustRoot.map((r, i) => pemOf(r as TrustRoot, `trustRoot[${i}]`));
    else this.#ca = [pemOf(trustRoot as TrustRoot, 'trustRoot')];
  }

  /** Verifying TLS settings for `hostname` (sent as SNI unless it is an IP literal). */
  creatorForNetloc(hostname: string, _port: number): ITLSContextFactory {
    const ca = this.#ca;
    return {
      getTLSOptions: () => ({
        ...(isIP(hostname) === 0 ? { servername: hostname } : {}),
        ...(ca === undefined ? {} : { ca }),
        rejectUnauthorized: true,
      }),
    };
  }
}
