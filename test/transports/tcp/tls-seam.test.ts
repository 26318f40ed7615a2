/**
 * The seam the TLS work builds on (src/transports/tcp/connection.ts `replaceSocket`): a live
 * connection swaps its net.Socket for a tls.TLSSocket wrapping it (STARTTLS) and the protocol
 * goes on unchanged — what was written before goes out in the clear, what is written after
 * encrypted, and connectionLost still comes once. The certificate is made at test time.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionDone, TLSError } from '../../../src/errors.ts';
import type { Connection } from '../../../src/transports/tcp/connection.ts';
import { captureLogPerTest, connectedPair, newReactor, Recording, until } from './helpers.ts';

let dir: string;
let key: Buffer;
let cert: Buffer;
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tt-tls-'));
  if (!hasOpenssl) return;
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  key = readFileSync(join(dir, 'key.pem'));
  cert = readFileSync(join(dir, 'cert.pem'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
captureLogPerTest();

const tlsReason = (e: Error): Error => new TLSError(undefined, { osError: e });

/** STARTTLS: "STARTTLS\n" from the client, "OK\n" back, then both sides wrap their socket. */
class Server extends Recording {
  upgraded = false;
  override dataReceived(data: Buffer): void {
    super.dataReceived(data);
    if (!this.upgraded && this.received.toString() === 'STARTTLS\n') {
      this.upgraded = true;
      this.transport.write(Buffer.from('OK\n')); // before the switch: in the clear
      const conn = this.transport as unknown as Connection;
      conn.replaceSocket(new tls.TLSSocket(conn.getHandle(), { isServer: true, key, cert }), tlsReason);
    } else if (this.upgraded) {
      this.transport.write(Buffer.from(`secure echo: ${data.toString()}`));
    }
  }
}

describe.skipIf(!hasOpenssl)('startTLS through replaceSocket', () => {
  it('clear text before, TLS after, the same protocol on both ends; connectionLost once', async () => {
    const { server, client } = await connectedPair(
      newReactor(),
      () => new Server(),
      () => new Recording(),
    );
    client.transport.write(Buffer.from('STARTTLS\n'));
    await client.bytes(3);
    expect(client.received.toString()).toBe('OK\n');
    const conn = client.transport as unknown as Connection;
    const secure = tls.connect({ socket: conn.getHandle(), ca: cert, servername: 'localhost' });
    conn.replaceSocket(secure, tlsReason);
    client.transport.write(Buffer.from('secret'));
    await until(() => client.received.toString().includes('secure echo: secret'), 'the secure echo');
    expect(secure.encrypted).toBe(true);
    expect(secure.authorized).toBe(true);
    expect(conn.getHandle()).toBe(secure);
    client.transport.loseConnection();
    expect((await client.lost.asPromise()).value).toBeInstanceOf(ConnectionDone);
    expect((await server.lost.asPromise()).value).toBeInstanceOf(ConnectionDone);
    expect(client.events).toEqual(['made', 'lost']);
    expect(server.events).toEqual(['made', 'lost']);
  });

  it('a failed certificate check reaches connectionLost as the TLSError the seam maps it to', async () => {
    const { client } = await connectedPair(
      newReactor(),
      () => new Server(),
      () => new Recording(),
    );
    client.transport.write(Buffer.from('STARTTLS\n'));
    await client.bytes(3);
    const conn = client.transport as unknown as Connection;
    // No trust root: the self-signed certificate is refused.
    conn.replaceSocket(tls.connect({ socket: conn.getHandle(), servername: 'localhost' }), tlsReason);
    const reason = await client.lost.asPromise();
    expect(reason.value).toBeInstanceOf(TLSError);
    expect((reason.value as TLSError).osError?.code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
  });
});
