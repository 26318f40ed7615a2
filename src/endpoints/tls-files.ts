/**
 * The TLS material endpoint descriptions name by path (Twisted's `_parseSSL`,
 * `_privateCertFromPaths`, `_loadCAsFromDir`), read when the endpoint is made.
 *
 * @internal
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Certificate } from '../transports/tls/certificate.ts';
import { KeyPair } from '../transports/tls/key-pair.ts';
import { PrivateCertificate } from '../transports/tls/private-certificate.ts';
import { trustRootFromCertificates, type TrustRoot } from '../transports/tls/trust-root.ts';
import { invalidArgValue } from '../validate.ts';

/** A file's text, or a TypeError naming the description's part (`'ssl:privateKey'`) and why. */
export function readPart(path: string, part: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw Object.assign(invalidArgValue(part, `Cannot read ${JSON.stringify(path)}: ${code}.`), { cause: e });
  }
}

/** The certificates of a PEM file; an empty one is an error, as in Twisted. */
export function certificatesIn(path: string, part: string): Certificate[] {
  const text = readPart(path, part);
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) {
    throw invalidArgValue(
      part,
      `Specified chain file '${path}' doesn't contain any valid certificates in PEM format.`,
    );
  }
  return blocks.map((b) => Certificate.loadPEM(b));
}

/**
 * A client certificate from a certificate path and an optional key path (Twisted's
 * `_privateCertFromPaths`): without a key path, the certificate file holds the key too.
 */
export function privateCertificateFrom(
  certificatePath: string,
  keyPath: string | undefined,
  part: string,
): PrivateCertificate {
  const certText = readPart(certificatePath, part);
  if (keyPath === undefined) return PrivateCertificate.loadPEM(certText);
  return PrivateCertificate.fromCertificateAndKeyPair(
    Certificate.loadPEM(certText),
    KeyPair.load(readPart(keyPath, part)),
  );
}

/**
 * The authorities in a directory: every `*.pem` file's certificates (Twisted's
 * `_loadCAsFromDir`, which skips files it cannot read or parse).
 */
export function trustRootFromDirectory(path: string, part: string): TrustRoot {
  let names: string[];
  try {
    names = readdirSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw Object.assign(
      invalidArgValue(part, `Cannot read the directory ${JSON.stringify(path)}: ${code}.`),
      { cause: e },
    );
  }
  const certificates: Certificate[] = [];
  for (const name of names.filter((n) => n.toLowerCase().endsWith('.pem')).sort()) {
    try {
      certificates.push(...certificatesIn(join(path, name), part));
    } catch {
      // unreadable or not a certificate: skipped, as Twisted does
    }
  }
  return trustRootFromCertificates(certificates);
}
