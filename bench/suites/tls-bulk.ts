/**
 * TLS bulk throughput: 256 MiB (16 MiB with --quick) through one TLS connection, both ways,
 * twisted-ts's `listenSSL` against a raw `node:tls` server, with a raw node:tls client for both.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeChild, type Child } from '../lib/child.ts';
import { Section, type SectionResult, type SuiteContext } from '../lib/results.ts';
import { num } from './tcp-common.ts';

const TT = 'twisted-ts (listenSSL)';
const RAW = 'raw node:tls';

async function startServer(contender: string, args: string[]): Promise<{ child: Child; port: number }> {
  const child = nodeChild(contender, 'tls-server.ts', ['--impl', contender === TT ? 'tt' : 'raw', ...args]);
  try {
    const ready = await child.next(15_000);
    if (ready.ready !== true)
      throw new Error(`${contender}: unexpected first message ${JSON.stringify(ready)}`);
    return { child, port: Number(ready.port) };
  } catch (e) {
    child.kill();
    throw e;
  }
}

export async function run(ctx: SuiteContext): Promise<SectionResult> {
  const section = new Section(
    'tls-bulk',
    'TLS bulk throughput',
    'One TLS 1.3 connection (ECDSA P-256 certificate made with openssl at the start of the run), ' +
      '64 KiB writes. *receive*: a raw node:tls client writes the data as fast as flow control ' +
      'allows, then half-closes; timed from the end of the handshake until the server has read it ' +
      'all and closed; twisted-ts counts bytes in `dataReceived` of a protocol served by ' +
      "`listenSSL` with `CertificateOptions`, node:tls in `'data'` of a `tls.Server`. *send*: the " +
      'server writes the data through its flow control (a push producer on twisted-ts, ' +
      "`write()`/`'drain'` on node:tls), then closes; timed by the client from the first byte to " +
      "the close. Server CPU = the server process's user+system time per MB.",
    [
      { key: 'rate', label: 'throughput', unit: 'MB/s', better: 'higher' },
      { key: 'cpu', label: 'server CPU per MB', unit: 'ms', better: 'lower' },
    ],
  );
  const dir = mkdtempSync(join(tmpdir(), 'twisted-ts-bench-tls-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '2',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
    const bytes = ctx.quick ? 16 * 1024 * 1024 : 256 * 1024 * 1024;
    const size = ctx.quick ? '16 MiB' : '256 MiB';
    const receive = `receive ${size}`;
    const send = `send ${size}`;
    ctx.log('tls-bulk');
    await section.alternateCases([receive, send], [TT, RAW], ctx.heavyRounds, async (contender) => {
      const results: Record<string, Record<string, number>> = {};
      for (const [name, mode, clientMode] of [
        [receive, 'sink', 'send'],
        [send, 'source', 'recv'],
      ] as const) {
        const { child, port } = await startServer(contender, [
          '--mode',
          mode,
          '--bytes',
          String(bytes),
          '--key',
          key,
          '--cert',
          cert,
        ]);
        try {
          const before = await child.ask('stats');
          const client = nodeChild('tls client', 'tls-client.ts', [
            '--mode',
            clientMode,
            '--port',
            String(port),
            '--bytes',
            String(bytes),
            '--ca',
            cert,
          ]);
          let done;
          try {
            done = await client.next(120_000);
            await client.close();
          } catch (e) {
            client.kill();
            throw e;
          }
          const after = await child.ask('stats');
          const mb = num(done, 'bytes') / 1e6;
          results[name] = {
            rate: num(done, 'rate'),
            cpu: ((num(after, 'cpu') - num(before, 'cpu')) / mb) * 1e3,
          };
        } finally {
          await child.close();
        }
      }
      return results;
    });
    for (const name of [receive, send]) {
      section.ratio(name, 'rate', TT, RAW, { target: { op: '>=', value: 0.97 } });
      section.ratio(name, 'cpu', TT, RAW, { invert: true, chart: false });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return section.finish();
}
