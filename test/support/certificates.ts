/**
 * Certificates made at test time with the system's `openssl` (Debian's): a throw-away
 * authority, and server or client certificates it signs — valid, expired, for another name — or
 * self-signed ones. EC P-256 keys, so that making them takes milliseconds.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A certificate and its key, as PEM text and as files. */
export interface Issued {
  /** The certificate, PEM. */
  cert: string;
  /** Its private key, PEM (PKCS#8). */
  key: string;
  /** Path of the certificate file. */
  certPath: string;
  /** Path of the key file. */
  keyPath: string;
}

/** What to put in a certificate. */
export interface IssueOptions {
  /** The subject's common name (default `'localhost'`). */
  commonName?: string;
  /** subjectAltName entries (default `['DNS:localhost', 'IP:127.0.0.1', 'IP:::1']`; `[]` for none). */
  altNames?: string[];
  /** Validity, as openssl `YYYYMMDDHHMMSSZ` dates (default: from yesterday for 30 days). */
  notBefore?: string;
  /** The end of validity (see `notBefore`). */
  notAfter?: string;
  /** Sign it with its own key instead of the authority's. */
  selfSigned?: boolean;
  /** Make it a client certificate (extendedKeyUsage clientAuth) rather than a server one. */
  client?: boolean;
}

/** A throw-away public key infrastructure in a temporary directory. */
export interface TestPKI {
  /** The directory everything is written to. */
  dir: string;
  /** The authority's certificate and key. */
  ca: Issued;
  /** Issues a certificate (signed by the authority unless `selfSigned`). */
  issue(name: string, options?: IssueOptions): Issued;
  /** Removes the directory. */
  remove(): void;
}

const openssl = (cwd: string, args: string[]): string =>
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function stamp(date: Date): string {
  return `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

/** Makes an authority in a new temporary directory; call `remove()` when done. */
export function makeTestPKI(caName = 'twisted-ts test CA'): TestPKI {
  const dir = mkdtempSync(join(tmpdir(), 'twisted-ts-pki-'));
  writeFileSync(
    join(dir, 'ca.cnf'),
    [
      '[ca]',
      'default_ca = CA_default',
      '[CA_default]',
      'dir = .',
      'database = index.txt',
      'new_certs_dir = .',
      'serial = serial',
      'default_md = sha256',
      'policy = policy_any',
      'copy_extensions = copy',
      'unique_subject = no',
      '[policy_any]',
      'commonName = supplied',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  openssl(dir, [
    'req',
    '-x509',
    ...EC,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '30',
    '-subj',
    `/CN=${caName}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const read = (name: string): Issued => ({
    cert: readFileSync(join(dir, `${name}.crt`), 'utf8'),
    key: readFileSync(join(dir, `${name}.key`), 'utf8'),
    certPath: join(dir, `${name}.crt`),
    keyPath: join(dir, `${name}.key`),
  });
  const ca = read('ca');
  return {
    dir,
    ca,
    issue(name, options = {}) {
      const cn = options.commonName ?? 'localhost';
      const alt = options.altNames ?? ['DNS:localhost', 'IP:127.0.0.1', 'IP:::1'];
      const ext = [
        ...(alt.length ? ['-addext', `subjectAltName=${alt.join(',')}`] : []),
        '-addext',
        `extendedKeyUsage=${options.client ? 'clientAuth' : 'serverAuth'}`,
        '-addext',
        'basicConstraints=CA:FALSE',
      ];
      const day = 86_400_000;
      const notBefore = options.notBefore ?? stamp(new Date(Date.now() - day));
      const notAfter = options.notAfter ?? stamp(new Date(Date.now() + 30 * day));
      if (options.selfSigned) {
        openssl(dir, [
          'req',
          '-x509',
          ...EC,
          '-keyout',
          `${name}.key`,
          '-out',
          `${name}.crt`,
          '-days',
          '30',
          '-subj',
          `/CN=${cn}`,
          ...ext,
        ]);
      } else {
        openssl(dir, [
          'req',
          ...EC,
          '-keyout',
          `${name}.key`,
          '-out',
          `${name}.csr`,
          '-subj',
          `/CN=${cn}`,
          ...ext,
        ]);
        openssl(dir, [
          'ca',
          '-batch',
          '-config',
          'ca.cnf',
          '-cert',
          'ca.crt',
          '-keyfile',
          'ca.key',
          '-in',
          `${name}.csr`,
          '-out',
          `${name}.crt`,
          '-notext',
          '-startdate',
          notBefore,
          '-enddate',
          notAfter,
        ]);
      }
      return read(name);
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
