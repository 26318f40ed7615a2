/**
 * Interop with Debian's OpenSSL command line as a real TLS peer: `openssl s_client` against a
 * twisted-ts `listenSSL` server, and a twisted-ts `connectSSL` client against `openssl
 * s_server`, with client certificates both ways. Certificates are made at test time; everything
 * stays on 127.0.0.1. Skipped, with the reason, when `openssl` is not installed.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TLSError } from '../../src/errors.ts';
import { LineReceiver } from '../../src/protocols/basic/line-receiver.ts';
import { CertificateOptions } from '../../src/transports/tls/certificate-options.ts';
import { optionsForClientTLS } from '../../src/transports/tls/client-tls-options.ts';
import { PrivateCertificate } from '../../src/transports/tls/private-certificate.ts';
import type { IProtocolFactory } from '../../src/interfaces.ts';
import type { Connection } from '../../src/transports/tcp/connection.ts';
import { makeTestPKI, type Issued, type TestPKI } from '../support/certificates.ts';
import {
  ClientRecorder,
  Recording,
  ServerRecorder,
  cleanup,
  newReactor,
  until,
} from '../transports/tcp/helpers.ts';

const hasOpenSSL = spawnSync('openssl', ['version']).status === 0;

let pki: TestPKI;
let server: Issued;
let alice: Issued;
beforeAll(() => {
  if (!hasOpenSSL) return;
  pki = makeTestPKI();
  server = pki.issue('server');
  alice = pki.issue('alice', { commonName: 'alice', altNames: [], client: true });
});
afterAll(() => pki?.remove());

const children: ChildProcessWithoutNullStreams[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  await cleanup();
});

/** An openssl child whose stdout is collected. */
function openssl(args: string[]): {
  child: ChildProcessWithoutNullStreams;
  out: () => string;
  err: () => string;
} {
  const child = spawn('openssl', args, { stdio: 'pipe' });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { child, out: () => out, err: () => err };
}

/** A port free right now (the test runs in its own network namespace). */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Waits until something accepts TCP connections on `port`. */
async function listening(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

class Echo extends LineReceiver {
  override delimiter = '\n';
  override lineReceived(line: Buffer): void {
    this.sendLine(`echo: ${line.toString()}`);
  }
}

describe.skipIf(!hasOpenSSL)('openssl s_client against listenSSL', () => {
  /** A listenSSL server on 127.0.0.1 with our server certificate; its port number. */
  function serve(factory: IProtocolFactory, trustRoot?: string): number {
    const options = new CertificateOptions({
      privateKey: server.key,
      certificate: server.cert,
      ...(trustRoot === undefined ? {} : { trustRoot }),
    });
    return newReactor().listenSSL(0, factory, options, { interface: '127.0.0.1' }).getHost().port;
  }

  /** `openssl s_client -quiet` to `port`, trusting our CA, with `extra` arguments. */
  function sClient(port: number, extra: string[] = []): ReturnType<typeof openssl> {
    return openssl([
      's_client',
      '-connect',
      `127.0.0.1:${port}`,
      '-CAfile',
      pki.ca.certPath,
      ...extra,
      '-quiet',
    ]);
  }

  it('verifies our certificate and exchanges lines', async () => {
    const port = serve(new ServerRecorder(() => new Echo()));
    const s = sClient(port, ['-verify_return_error', '-servername', 'localhost']);
    s.child.stdin.write('hello\n');
    await until(() => s.out().includes('echo: hello'), 'the echo through s_client', 10_000);
    expect(s.err()).toMatch(/verify return:1/);
  });

  it('presents a client certificate our server requires, which the server sees', async () => {
    const factory = new ServerRecorder(() => new Echo());
    const s = sClient(serve(factory, pki.ca.cert), ['-cert', alice.certPath, '-key', alice.keyPath]);
    s.child.stdin.write('hi\n');
    await until(() => s.out().includes('echo: hi'), 'the echo', 10_000);
    const proto = await factory.nth(0);
    expect((proto.transport as unknown as Connection).getPeerCertificate()!.getSubject().commonName).toBe(
      'alice',
    );
  });

  it('without the required client certificate it is refused, and our protocol sees a TLSError', async () => {
    const factory = new ServerRecorder(() => new Recording());
    const s = sClient(serve(factory, pki.ca.cert));
    s.child.stdin.write('secret\n');
    const proto = await factory.nth(0);
    const reason = await proto.lost.promise;
    expect(reason.value).toBeInstanceOf(TLSError);
    expect(proto.received.length).toBe(0);
  });
});

describe.skipIf(!hasOpenSSL)('connectSSL against openssl s_server', () => {
  async function sServer(extra: string[] = []): Promise<number> {
    const port = await freePort();
    openssl([
      's_server',
      '-accept',
      `127.0.0.1:${port}`,
      '-cert',
      server.certPath,
      '-key',
      server.keyPath,
      '-rev',
      '-quiet',
      ...extra,
    ]);
    await listening(port);
    return port;
  }

  /** A connectSSL client to s_server on `port` with `options`. */
  function connect(port: number, options: Parameters<typeof optionsForClientTLS>): ClientRecorder<Recording> {
    const factory = new ClientRecorder(() => new Recording());
    newReactor().connectSSL('127.0.0.1', port, factory, optionsForClientTLS(...options));
    return factory;
  }

  it('verifies s_server and gets its reversed lines back', async () => {
    const port = await sServer();
    const factory = connect(port, ['localhost', { trustRoot: pki.ca.cert }]);
    await until(() => factory.built.length > 0, 'the connection', 10_000);
    const c = factory.built[0];
    c.transport.write(Buffer.from('hello\n'));
    expect((await c.bytes(6)).toString()).toContain('olleh');
  });

  it('refuses s_server under the wrong name, with a TLSError to the factory', async () => {
    const port = await sServer();
    const factory = connect(port, ['elsewhere.example', { trustRoot: pki.ca.cert }]);
    const reason = await factory.lostConnection.promise;
    expect(reason.value).toBeInstanceOf(TLSError);
    expect((reason.value as TLSError).osError?.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('presents a client certificate s_server demands (-Verify)', async () => {
    const port = await sServer(['-Verify', '1', '-CAfile', pki.ca.certPath]);
    const mine = PrivateCertificate.loadPEM(alice.cert + alice.key);
    const factory = connect(port, ['localhost', { trustRoot: pki.ca.cert, clientCertificate: mine }]);
    await until(() => factory.built.length > 0, 'the connection', 10_000);
    factory.built[0].transport.write(Buffer.from('abc\n'));
    expect((await factory.built[0].bytes(4)).toString()).toContain('cba');
  });

  it('without one, s_server refuses and the client sees a TLSError', async () => {
    const port = await sServer(['-Verify', '1', '-CAfile', pki.ca.certPath]);
    const factory = connect(port, ['localhost', { trustRoot: pki.ca.cert }]);
    await until(() => factory.built.length > 0, 'the connection', 10_000);
    factory.built[0].transport.write(Buffer.from('abc\n'));
    const reason = await factory.lostConnection.promise;
    expect(reason.value).toBeInstanceOf(TLSError);
    expect(factory.built[0].received.length).toBe(0);
  });
});
