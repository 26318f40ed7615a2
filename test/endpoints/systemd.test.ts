/**
 * Socket activation for real: a parent makes a listening socket and starts a child the way
 * systemd does — the socket as fd 3, LISTEN_PID set to the child's own pid, LISTEN_FDS=1 — and
 * the child listens on `systemd:domain=…:index=0` (or `name=`); connections reach it.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { closeSync, linkSync, mkdtempSync, openSync, renameSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AdoptedStreamServerEndpoint } from '../../src/endpoints/adopted-stream-server-endpoint.ts';
import { AlreadyListened } from '../../src/errors/endpoints.ts';
import { CannotListenError } from '../../src/errors.ts';
import { Factory } from '../../src/protocols/factory.ts';
import { Protocol } from '../../src/protocols/protocol.ts';
import { cleanup, newReactor } from '../transports/tcp/helpers.ts';

const CHILD = fileURLToPath(new URL('./fixtures/systemd-child.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'twisted-ts-systemd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const children: ChildProcessWithoutNullStreams[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  await cleanup();
});

/** A listening socket's descriptor (Node's handle keeps it). */
function fdOf(server: net.Server): number {
  return (server as unknown as { _handle: { fd: number } })._handle.fd;
}

/**
 * Starts the child with `server`'s socket as fd 3 and systemd's variables, then closes the
 * parent's copy (so only the child accepts). Resolves with what the child printed.
 */
async function activate(
  server: net.Server,
  description: string,
  names?: string,
): Promise<{ host?: string; listenFds?: string | null; error?: string }> {
  // Closing a server bound to a path unlinks the file (libuv): keep a second name for the
  // socket's inode and put it back, as the file of a socket systemd made would stay.
  const path = typeof server.address() === 'string' ? (server.address() as string) : undefined;
  if (path !== undefined) linkSync(path, `${path}.keep`);
  const env = { ...process.env, LISTEN_FDS: '1', ...(names ? { LISTEN_FDNAMES: names } : {}) };
  // `exec` keeps the shell's pid, which is what LISTEN_PID must name (systemd sets it after fork).
  const child = spawn(
    '/bin/sh',
    ['-c', 'LISTEN_PID=$$ exec "$0" "$@"', process.execPath, CHILD, description],
    {
      env,
      stdio: ['pipe', 'pipe', 'pipe', fdOf(server)],
    },
  ) as unknown as ChildProcessWithoutNullStreams;
  children.push(child);
  await new Promise<void>((r) => server.close(() => r()));
  if (path !== undefined) renameSync(`${path}.keep`, path);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the child exited (${code}): ${stderr}`)));
  });
  return JSON.parse(line) as { host?: string; listenFds?: string | null; error?: string };
}

async function exchange(connect: () => net.Socket): Promise<string> {
  const socket = connect();
  socket.write('ping\n');
  let got = '';
  for await (const chunk of socket) {
    got += (chunk as Buffer).toString();
    if (got.includes('\n')) break;
  }
  socket.destroy();
  return got;
}

async function listeningServer(listen: (s: net.Server, done: () => void) => void): Promise<net.Server> {
  const server = net.createServer();
  server.on('connection', (c) => c.destroy()); // only until the child takes over
  await new Promise<void>((r) => listen(server, r));
  return server;
}

describe('systemd: socket activation in a child process', () => {
  it('systemd:domain=INET:index=0 adopts fd 3; the variables are removed once read', async () => {
    const server = await listeningServer((s, done) => s.listen(0, '127.0.0.1', done));
    const { port } = server.address() as net.AddressInfo;
    const out = await activate(server, 'systemd:domain=INET:index=0');
    expect(out.host).toBe(`IPv4Address(type='TCP', host='127.0.0.1', port=${port})`);
    expect(out.listenFds).toBeNull();
    expect(await exchange(() => net.connect(port, '127.0.0.1'))).toBe('pong: ping\n');
  });

  it('by name (LISTEN_FDNAMES), IPv6', async () => {
    const server = await listeningServer((s, done) => s.listen(0, '::1', done));
    const { port } = server.address() as net.AddressInfo;
    const out = await activate(server, 'systemd:domain=INET6:name=web', 'web');
    expect(out.host).toContain("host='::1'");
    expect(await exchange(() => net.connect(port, '::1'))).toBe('pong: ping\n');
  });

  it('a UNIX socket, left in place for its creator', async () => {
    const path = join(dir, 'activated.sock');
    const server = await listeningServer((s, done) => s.listen(path, done));
    const out = await activate(server, 'systemd:domain=UNIX:index=0');
    expect(out, JSON.stringify(out)).toMatchObject({ listenFds: null });
    expect(out.host).toContain(path);
    expect(await exchange(() => net.connect(path))).toBe('pong: ping\n');
  });

  it('the wrong family is refused with a CannotListenError that says so', async () => {
    const server = await listeningServer((s, done) => s.listen(0, '127.0.0.1', done));
    const out = await activate(server, 'systemd:domain=UNIX:index=0');
    expect(out.error).toMatch(/is a TCP socket, not UNIX/);
  });
});

describe('AdoptedStreamServerEndpoint in this process', () => {
  it('a descriptor that is not open fails with CannotListenError, and a second listen with AlreadyListened', async () => {
    const reactor = newReactor();
    const endpoint = new AdoptedStreamServerEndpoint(reactor, 1_000_000, 'INET');
    await expect(endpoint.listen(Factory.forProtocol(Protocol)).asPromise()).rejects.toBeInstanceOf(
      CannotListenError,
    );
    await expect(endpoint.listen(Factory.forProtocol(Protocol)).asPromise()).rejects.toBeInstanceOf(
      AlreadyListened,
    );
  });

  it('a descriptor that is not a socket fails with CannotListenError (ENOTSOCK)', async () => {
    const reactor = newReactor();
    const fd = openSync(join(dir, 'plain-file'), 'w');
    try {
      const error = await new AdoptedStreamServerEndpoint(reactor, fd, 'INET')
        .listen(Factory.forProtocol(Protocol))
        .asPromise()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CannotListenError);
      expect((error as CannotListenError).socketError.code).toBe('ENOTSOCK');
    } finally {
      closeSync(fd);
    }
  });

  it('bad arguments are refused at once', () => {
    const reactor = newReactor();
    expect(() => new AdoptedStreamServerEndpoint(reactor, -1, 'INET')).toThrow(/"fileno"/);
    expect(() => new AdoptedStreamServerEndpoint(reactor, 3, 'AF_INET' as never)).toThrow(/"addressFamily"/);
  });
});
