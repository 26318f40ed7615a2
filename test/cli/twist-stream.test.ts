// `twisted-ts twist` running a tree of stream services (TCPServer, strportsService) in a child
// process: serving over loopback, SIGTERM closing the port and the open connections and exiting
// 0, and a busy strports port failing the start (exit 1, the error shown, no pid file left).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, expect, test } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const bin = resolve(root, 'dist/esm/cli/main.js');
const fixture = resolve(import.meta.dirname, 'fixtures', 'tcp-maker.ts');
const dir = mkdtempSync(join(tmpdir(), 'twist-stream-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const running: ChildProcess[] = [];
afterEach(() => {
  for (const c of running.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

/** Starts `twist --log-format text …`; `line(re)` resolves with the first stdout match of `re`. */
function twist(args: string[]) {
  const child = spawn(process.execPath, [bin, 'twist', '--log-format', 'text', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const line = (re: RegExp): Promise<RegExpMatchArray> =>
    new Promise((r, reject) => {
      const check = (): void => {
        const m = out.match(re);
        if (m) {
          child.stdout!.off('data', check);
          r(m);
        }
      };
      child.stdout!.on('data', check);
      check();
      void exit.then(() => reject(new Error(`twist exited before printing ${String(re)}:\n${out}\n${err}`)));
    });
  return { child, exit, line, stdout: () => out, stderr: () => err };
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((r, reject) => {
    const s = net.connect(port, '127.0.0.1', () => r(s));
    s.once('error', reject);
  });
}

test('serves over TCP; SIGTERM closes the port and the open connection, and exits 0', async () => {
  const socketPath = join(dir, 'echo.sock');
  const pidfile = join(dir, 'tcp.pid');
  const run = twist(['--pidfile', pidfile, fixture, '--listen', `unix:${socketPath}:lockfile=0`]);
  const port = Number((await run.line(/echo listening on (\d+)/))[1]);
  expect(existsSync(pidfile)).toBe(true);

  const socket = await connect(port);
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  const echoed = new Promise<string>((r) => socket.once('data', (d) => r(d.toString())));
  socket.write('over tcp');
  expect(await echoed).toBe('over tcp');
  const unix = net.connect(socketPath);
  const unixEcho = new Promise<string>((r) => unix.once('data', (d) => r(d.toString())));
  unix.write('over unix');
  expect(await unixEcho).toBe('over unix');
  unix.end();

  run.child.kill('SIGTERM');
  expect(await run.exit).toBe(0);
  await closed; // the reactor's shutdown closed the accepted connection
  expect(run.stdout()).toContain('Received SIGTERM, shutting down.');
  expect(run.stdout()).toMatch(new RegExp(`\\(TCP Port ${port} Closed\\)`));
  expect(run.stdout()).toContain('Server Shut Down.');
  expect(existsSync(pidfile)).toBe(false);
  expect(existsSync(socketPath)).toBe(false);
  await expect(connect(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
}, 30_000);

test('a strports description whose port is busy fails the start: exit 1, the error shown, no pid file', async () => {
  const busy = net.createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  const taken = (busy.address() as net.AddressInfo).port;
  const pidfile = join(dir, 'busy.pid');
  const run = twist(['--pidfile', pidfile, fixture, '--listen', `tcp:${taken}:interface=127.0.0.1`]);
  expect(await run.exit).toBe(1);
  expect(run.stdout() + run.stderr()).toMatch(new RegExp(`Couldn't listen on 127\\.0\\.0\\.1:${taken}`));
  expect(existsSync(pidfile)).toBe(false);
  busy.close();
}, 30_000);
