/**
 * `BrowserLikePolicyForHTTPS` (Twisted's `client.BrowserLikePolicyForHTTPS`): verify an HTTPS
 * server as a browser does — its certificate chain against the trust roots (the platform's, or
 * the ones given), its name against the host asked for. Like Twisted's, it is a thin policy over
 * the TLS layer: each host gets `optionsForClientTLS(host, { trustRoot })`.
 *
 * @module
 */
import { ClientTLSOptions, optionsForClientTLS } from '../../transports/tls/client-tls-options.ts';
import { TrustRoot, platformTrust, toTrustRoot } from '../../transports/tls/trust-root.ts';
import type { IPolicyForHTTPS } from '../iweb.ts';

/**
 * The default HTTPS policy of `Agent`: certificates are verified against `trustRoot` (the
 * platform's authorities when absent) and must name the host.
 *
 * @example
 * const agent = new Agent(reactor, {
 *   contextFactory: new BrowserLikePolicyForHTTPS(Certificate.loadPEM(caPem)),
 * });
 */
export class BrowserLikePolicyForHTTPS implements IPolicyForHTTPS {
  readonly #trustRoot: TrustRoot;

  /**
   * @param trustRoot - the authorities to trust instead of the platform's: a `TrustRoot`
   * (`trustRootFromCertificates`, `platformTrust`), a `Certificate`, PEM text or bytes (one
   * certificate or a bundle), Node's `X509Certificate`, or a list of them.
   */
  constructor(trustRoot?: unknown) {
    // Checked here, not at the first request: a bad root is the caller's bug, named at once.
    this.#trustRoot =
      trustRoot === undefined || trustRoot === null ? platformTrust() : toTrustRoot(trustRoot, 'trustRoot');
  }

  /**
   * The client TLS settings for `hostname` (Twisted's `creatorForNetloc`): the chain checked
   * against the trust root, the name against `hostname` (sent as SNI unless an IP literal).
   */
  creatorForNetloc(hostname: string, _port: number): ClientTLSOptions {
    return optionsForClientTLS(hostname, { trustRoot: this.#trustRoot });
  }
}
