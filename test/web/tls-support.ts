// Certificates made at test time with the system's openssl: a throw-away authority and server
// certificates it signs (EC P-256, so making them takes milliseconds).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface WebPKI {
  caCert: string;
  /** A server certificate and key for `names` (subjectAltName entries such as `IP:127.0.0.1`). */
  server(names: string[]): { cert: string; key: string };
  /** A self-signed certificate for 127.0.0.1, signed by no authority. */
  selfSigned(): { cert: string; key: string };
  remove(): void;
}

export function makeWebPKI(): WebPKI {
  const dir = mkdtempSync(join(tmpdir(), 'web-pki-'));
  const run = (args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=web test CA',
  ]);
  let n = 0;
  return {
    caCert: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    server(names) {
      const id = `s${n++}`;
      writeFileSync(
        join(dir, `${id}.ext`),
        `subjectAltName=${names.join(',')}\nextendedKeyUsage=serverAuth\n`,
      );
      run(['req', ...ec, '-keyout', `${id}.key`, '-out', `${id}.csr`, '-subj', '/CN=web test server']);
      run([
        'x509',
        '-req',
        '-in',
        `${id}.csr`,
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-days',
        '2',
        '-extfile',
        `${id}.ext`,
        '-out',
        `${id}.pem`,
      ]);
      return {
        cert: readFileSync(join(dir, `${id}.pem`), 'utf8'),
        key: readFileSync(join(dir, `${id}.key`), 'utf8'),
      };
    },
    selfSigned() {
      const id = `self${n++}`;
      run([
        'req',
        '-x509',
        ...ec,
        '-keyout',
        `${id}.key`,
        '-out',
        `${id}.pem`,
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ]);
      return {
        cert: readFileSync(join(dir, `${id}.pem`), 'utf8'),
        key: readFileSync(join(dir, `${id}.key`), 'utf8'),
      };
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
