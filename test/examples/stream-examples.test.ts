// examples/line-server.ts (a key-value line server on any endpoint description) and
// examples/tls-echo-server.ts (a TLS echo server making its certificate on its first run), each
// run as a child process as a user would run it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, describe, expect, test } from 'vitest';
import { runExample, runners, startExample } from './run-example.ts';

const dir = mkdtempSync(join(tmpdir(), 'twisted-ts-stream-examples-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const hasOpenSSL = spawnSync('openssl', ['version']).status === 0;

/** Sends `lines` one by one, each after the previous answer, and returns the answers. */
async function converse(socket: net.Socket, lines: string[]): Promise<string[]> {
  const answers: string[] = [];
  let buffer = '';
  const next = (): Promise<string> =>
    new Promise((resolve) => {
      const check = (): void => {
        const i = buffer.indexOf('\n');
        if (i === -1) return;
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 1);
        socket.off('data', onData);
        resolve(line);
      };
      const onData = (d: Buffer): void => {
        buffer += d.toString();
        check();
      };
      socket.on('data', onData);
      check();
    });
  answers.push(await next()); // READY
  for (const line of lines) {
    socket.write(`${line}\n`);
    answers.push(await next());
  }
  return answers;
}

describe.each(runners)('line-server (%s)', (runner) => {
  test('on a TCP description: commands answered, stops after --count clients', async () => {
    const server = startExample(
      'line-server',
      ['tcp:0:interface=127.0.0.1', '--count', '1'],
      /listening on IPv4Address\(type='TCP', host='127\.0\.0\.1', port=(\d+)\)/,
      runner,
    );
    const port = Number((await server.match)[1]);
    const socket = net.connect(port, '127.0.0.1');
    const answers = await converse(socket, [
      'SET greeting hello world',
      'GET greeting',
      'GET nothing',
      'KEYS',
      'NOPE',
      'QUIT',
    ]);
    expect(answers).toEqual([
      'READY',
      'OK',
      'VALUE hello world',
      'NOT_FOUND',
      'KEYS greeting',
      'ERROR unknown command "NOPE"',
      'BYE',
    ]);
    const done = await server.exit;
    expect(done.code).toBe(0);
    expect(done.stdout).toContain('1 client(s) left; stopped');
  }, 40_000);
});

test('line-server on a UNIX description', async () => {
  const path = join(dir, 'kv.sock');
  const server = startExample(
    'line-server',
    [`unix:${path}:lockfile=0`, '--count', '1'],
    /listening on (UNIXAddress.*)/,
  );
  await server.match;
  const answers = await converse(net.connect(path), ['SET a 1', 'GET a', 'QUIT']);
  expect(answers).toEqual(['READY', 'OK', 'VALUE 1', 'BYE']);
  expect((await server.exit).code).toBe(0);
}, 40_000);

test('line-server with a bad description shows where it is wrong and the usage, and exits 2', async () => {
  const { code, stdout, stderr } = await runExample('line-server', ['tcp:http']);
  expect(code).toBe(2);
  expect(stdout).toBe('');
  expect(stderr).toContain('"tcp:port" must be a decimal integer');
  expect(stderr).toMatch(/tcp:http\n\s+\^\^\^\^\n\nusage: node examples\/line-server\.ts/);
  expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
});

describe.skipIf(!hasOpenSSL)('tls-echo-server', () => {
  const certDir = join(dir, 'tls');

  async function echoOnce(): Promise<{ fingerprint: string; stdout: string }> {
    const server = startExample(
      'tls-echo-server',
      ['--dir', certDir, '--port', '0', '--count', '1'],
      /listening on IPv4Address\(type='TCP', host='127\.0\.0\.1', port=(\d+)\), certificate SHA-256 ([0-9A-F:]+)/,
    );
    const [, port, fingerprint] = await server.match;
    // The client trusts the generated certificate itself, and checks its name.
    const socket = tls.connect({
      port: Number(port),
      host: '127.0.0.1',
      servername: 'localhost',
      ca: readFileSync(join(certDir, 'server.crt')),
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    });
    expect(socket.getPeerX509Certificate()!.fingerprint256).toBe(fingerprint);
    socket.write('hello over TLS');
    const echoed = await new Promise<string>((resolve) =>
      socket.once('data', (d: Buffer) => resolve(d.toString())),
    );
    expect(echoed).toBe('hello over TLS');
    socket.end();
    const done = await server.exit;
    expect(done.code).toBe(0);
    return { fingerprint, stdout: done.stdout };
  }

  test('generates its certificate on the first run and reuses it on the next', async () => {
    const first = await echoOnce();
    expect(first.stdout).toContain(`generated a self-signed certificate for localhost in ${certDir}`);
    const second = await echoOnce();
    expect(second.stdout).toContain(`using the certificate in ${certDir}`);
    expect(second.fingerprint).toBe(first.fingerprint);
  }, 60_000);
});
