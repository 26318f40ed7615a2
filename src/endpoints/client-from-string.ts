/**
 * Twisted's `endpoints.clientFromString`.
 *
 * @module
 */
import type { IStreamClientEndpoint, ITLSContextFactory } from '../interfaces.ts';
import { CertificateOptions } from '../transports/tls/certificate-options.ts';
import { optionsForClientTLS } from '../transports/tls/client-tls-options.ts';
import {
  parseClientDescription,
  type ClientDescription,
  type SSLClientDescription,
} from './description/client-parsers.ts';
import { checkDescription } from './description/check-description.ts';
import { HostnameEndpoint } from './hostname-endpoint.ts';
import { SSL4ClientEndpoint } from './ssl-endpoints.ts';
import { TCP4ClientEndpoint } from './tcp-client-endpoint.ts';
import { privateCertificateFrom, trustRootFromDirectory } from './tls-files.ts';
import { UNIXClientEndpoint } from './unix-endpoints.ts';
import { wrapClientTLS } from './wrap-client-tls.ts';

/**
 * A client endpoint from a description string (Twisted's `clientFromString`):
 *
 * - `tcp:example.com:80`, `tcp:host=example.com:port=80:timeout=10:bindAddress=10.0.0.2`
 * - `unix:/run/app.sock`, `unix:path=/run/app.sock:timeout=5:lockfile=1`
 * - `tls:example.com:443[:trustRoots=/etc/ssl/mine][:certificate=c.pem:privateKey=k.pem]`
 *   — every address of the name tried (`HostnameEndpoint`), the server's chain and name
 *   verified; `endpoint=` wraps another client description instead
 * - `ssl:host=example.com:port=443[:caCertsDir=…][:hostname=…][:certKey=…:privateKey=…]`
 *   (Twisted's older form; verifies only with `caCertsDir`, the name only with `hostname`)
 *
 * A bad description throws an `EndpointSyntaxError` (a `TypeError`) pointing at the faulty
 * part; a file that cannot be read throws a `TypeError` naming the part.
 *
 * @example
 * const proto = await clientFromString(reactor, 'tls:example.com:443').connect(factory);
 */
export function clientFromString(reactor: object, description: string | Uint8Array): IStreamClientEndpoint {
  return build(reactor, parseClientDescription(checkDescription(description)));
}

function build(reactor: object, d: ClientDescription): IStreamClientEndpoint {
  const r = reactor as never;
  switch (d.type) {
    case 'tcp':
      return new TCP4ClientEndpoint(r, d.host, d.port, d.timeout, d.bindAddress);
    case 'unix':
      return new UNIXClientEndpoint(r, d.path, d.timeout, d.checkPID);
    case 'ssl':
      return new SSL4ClientEndpoint(r, d.host, d.port, sslClientOptions(d), d.timeout, d.bindAddress);
    case 'tls': {
      const options = optionsForClientTLS(d.host, {
        ...(d.trustRoots !== undefined
          ? { trustRoot: trustRootFromDirectory(d.trustRoots, 'tls:trustRoots') }
          : {}),
        ...(d.certificate !== undefined
          ? { clientCertificate: privateCertificateFrom(d.certificate, d.privateKey, 'tls:certificate') }
          : {}),
      });
      const inner =
        d.endpoint !== undefined
          ? build(reactor, d.endpoint)
          : new HostnameEndpoint(r, d.host, d.port, d.timeout, d.bindAddress);
      return wrapClientTLS(options, inner);
    }
  }
}

/** The TLS settings of an `ssl:` description (Twisted's `_parseClientSSLOptions`). */
function sslClientOptions(d: SSLClientDescription): ITLSContextFactory {
  const clientCertificate =
    d.certKey === undefined ? undefined : privateCertificateFrom(d.certKey, d.privateKey, 'ssl:certKey');
  const trustRoot =
    d.caCertsDir === undefined ? undefined : trustRootFromDirectory(d.caCertsDir, 'ssl:caCertsDir');
  if (d.hostname !== undefined) {
    return optionsForClientTLS(d.hostname, {
      ...(trustRoot !== undefined ? { trustRoot } : {}),
      ...(clientCertificate !== undefined ? { clientCertificate } : {}),
    });
  }
  // Without a hostname Twisted verifies the chain only when given authorities, never the name.
  return new CertificateOptions({
    ...(trustRoot !== undefined ? { trustRoot } : {}),
    ...(clientCertificate !== undefined
      ? { privateKey: clientCertificate.privateKey, certificate: clientCertificate }
      : {}),
  });
}
