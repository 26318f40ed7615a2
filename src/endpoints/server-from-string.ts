/**
 * Twisted's `endpoints.serverFromString`.
 *
 * @module
 */
import type { IStreamServerEndpoint } from '../interfaces.ts';
import { CertificateOptions } from '../transports/tls/certificate-options.ts';
import { AdoptedStreamServerEndpoint, type IReactorSocket } from './adopted-stream-server-endpoint.ts';
import {
  parseServerDescription,
  type SSLServerDescription,
  type ServerParseContext,
} from './description/server-parsers.ts';
import { checkDescription } from './description/check-description.ts';
import { SSL4ServerEndpoint } from './ssl-endpoints.ts';
import { TCP4ServerEndpoint, TCP6ServerEndpoint } from './tcp-server-endpoint.ts';
import { certificatesIn, readPart } from './tls-files.ts';
import { UNIXServerEndpoint } from './unix-endpoints.ts';
import { invalidArgValue } from '../validate.ts';

/**
 * A server endpoint from a description string (Twisted's `serverFromString`):
 *
 * - `tcp:8080`, `tcp:8080:interface=127.0.0.1:backlog=50`, `tcp6:8080:interface=\:\:1`
 * - `unix:/run/app.sock:mode=660:lockfile=0`
 * - `ssl:8443:privateKey=key.pem:certKey=cert.pem[:extraCertChain=chain.pem][:dhParameters=dh.pem]`
 * - `systemd:domain=INET:index=0` (or `name=<FileDescriptorName>`): a socket passed by systemd
 *
 * Arguments are separated by `:`; `\` escapes the next character (write a Windows path or an
 * IPv6 address with `\:`; `quoteStringArgument` does it). A bad description throws an
 * `EndpointSyntaxError` (a `TypeError`) pointing at the faulty part; an `ssl:` file that cannot
 * be read throws a `TypeError` naming the part.
 *
 * @example
 * const port = await serverFromString(reactor, process.argv[2] ?? 'tcp:8080').listen(factory);
 */
export function serverFromString(
  reactor: object,
  description: string | Uint8Array,
  /** For tests: the inherited descriptors `systemd:` picks from (default: this process's). */
  context: ServerParseContext = {},
): IStreamServerEndpoint {
  const parsed = parseServerDescription(checkDescription(description), context);
  const r = reactor as never;
  switch (parsed.type) {
    case 'tcp':
      return new TCP4ServerEndpoint(r, parsed.port, parsed.backlog, parsed.interface);
    case 'tcp6':
      return new TCP6ServerEndpoint(r, parsed.port, parsed.backlog, parsed.interface);
    case 'unix':
      return new UNIXServerEndpoint(r, parsed.address, parsed.backlog, parsed.mode, parsed.wantPID);
    case 'ssl':
      return new SSL4ServerEndpoint(
        r,
        parsed.port,
        sslServerOptions(parsed),
        parsed.backlog,
        parsed.interface,
      );
    case 'systemd':
      return new AdoptedStreamServerEndpoint(reactor as IReactorSocket, parsed.fileno, parsed.domain);
  }
}

/** The `CertificateOptions` of an `ssl:` description, its files read now (Twisted's `_parseSSL`). */
function sslServerOptions(d: SSLServerDescription): CertificateOptions {
  const keyText = readPart(d.privateKey, 'ssl:privateKey');
  const certText = d.certKey === d.privateKey ? keyText : readPart(d.certKey, 'ssl:certKey');
  // One file may hold both (Twisted's default: server.pem): take each block from its file.
  const key = keyText.match(
    /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----[\s\S]+?-----END (?:[A-Z]+ )?PRIVATE KEY-----/,
  )?.[0];
  const cert = certText.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/)?.[0];
  if (key === undefined)
    throw invalidArgValue('ssl:privateKey', `${JSON.stringify(d.privateKey)} holds no PEM private key.`);
  if (cert === undefined)
    throw invalidArgValue('ssl:certKey', `${JSON.stringify(d.certKey)} holds no PEM certificate.`);
  return new CertificateOptions({
    privateKey: key,
    certificate: cert,
    ...(d.extraCertChain !== undefined
      ? { extraCertChain: certificatesIn(d.extraCertChain, 'ssl:extraCertChain') }
      : {}),
    ...(d.dhParameters !== undefined ? { dhParameters: readPart(d.dhParameters, 'ssl:dhParameters') } : {}),
    ...(d.sslmethod !== undefined ? { method: d.sslmethod } : {}),
  });
}
