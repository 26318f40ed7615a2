/**
 * listenUNIX and connectUNIX (src/transports/tcp/listen-unix.ts, connect.ts), after Twisted's
 * test_unix.py: paths and the abstract namespace, the socket file's mode, stale socket files,
 * the wantPID/checkPID lock files (in Twisted's on-disk format, checked against Python Twisted).
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BadFileError,
  CannotListenError,
  ConnectError,
  ConnectionAborted,
  ConnectionDone,
  ConnectionRefusedError,
} from '../../../src/errors.ts';
import type { UNIXAddress } from '../../../src/transports/address.ts';
import {
  captureLog,
  cleanup,
  ClientRecorder,
  newReactor,
  Recording,
  ServerRecorder,
  until,
} from './helpers.ts';

const PYTHON = '/usr/bin/python3';
const hasTwisted = spawnSync(PYTHON, ['-c', 'import twisted'], { encoding: 'utf8' }).status === 0;
const linux = process.platform === 'linux';

let dir: string;
let log: ReturnType<typeof captureLog>;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tt-unix-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => {
  log = captureLog();
});
afterEach(async () => {
  await cleanup();
  log.stop();
});

let n = 0;
const nextPath = (): string => join(dir, `s${n++}.sock`);

class Echo extends Recording<UNIXAddress> {
  override dataReceived(data: Buffer): void {
    super.dataReceived(data);
    this.transport.write(data);
  }
}

async function pair(path: string, checkPID = false, wantPID = false) {
  const reactor = newReactor();
  const serverFactory = new ServerRecorder(() => new Echo());
  const port = reactor.listenUNIX(path, serverFactory, { wantPID });
  const clientFactory = new ClientRecorder(() => new Recording<UNIXAddress>());
  const connector = reactor.connectUNIX(path, clientFactory, { checkPID });
  await until(() => clientFactory.built.length > 0 || clientFactory.failed.called, 'the connection');
  return { reactor, port, serverFactory, clientFactory, connector };
}

/** A socket file whose server died without removing it (SIGKILL). */
function staleSocket(path: string): void {
  const script = `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`;
  spawnSync(process.execPath, ['-e', script]);
  expect(lstatSync(path).isSocket()).toBe(true);
}

describe('paths', () => {
  it('echo over a path; UNIXAddress on both ends; the file is removed when the port stops', async () => {
    const path = nextPath();
    const { port, serverFactory, clientFactory, connector } = await pair(path);
    const client = clientFactory.built[0];
    client.transport.write(Buffer.from('over unix'));
    expect((await client.bytes(9)).toString()).toBe('over unix');
    const server = await serverFactory.nth(0);
    expect(String(port.getHost())).toBe(`UNIXAddress('${path}')`);
    expect(server.transport.getHost().name).toBe(path);
    expect(server.transport.getPeer().name).toBeUndefined();
    expect(client.transport.getPeer().name).toBe(path);
    expect(String(connector.getDestination())).toBe(`UNIXAddress('${path}')`);
    expect(server.transport.logPrefix()).toBe(`Echo,0,${path}`);
    await port.stopListening();
    expect(existsSync(path)).toBe(false);
    expect(log.messages()).toContain(`(UNIX Port '${path}' Closed)`);
  });

  it('the socket file gets the mode asked for (default 0o666)', () => {
    const reactor = newReactor();
    const a = nextPath();
    reactor.listenUNIX(a, new ServerRecorder(() => new Echo()), 50, 0o600);
    expect(statSync(a).mode & 0o777).toBe(0o600);
    const b = nextPath();
    reactor.listenUNIX(b, new ServerRecorder(() => new Echo()));
    expect(statSync(b).mode & 0o777).toBe(0o666);
  });

  it.skipIf(!linux)('the abstract namespace: no file, and the name is in use while listening', async () => {
    const name = `\0twisted-ts-test-${process.pid}-${n++}`;
    const { reactor, clientFactory, port } = await pair(name);
    expect(clientFactory.built).toHaveLength(1);
    expect(() => reactor.listenUNIX(name, new ServerRecorder(() => new Echo()))).toThrow(CannotListenError);
    await port.stopListening();
    reactor.listenUNIX(name, new ServerRecorder(() => new Echo())); // free again
  });

  it.skipIf(!linux)('a stale socket file (its server killed) is replaced', async () => {
    const path = nextPath();
    staleSocket(path);
    const { clientFactory } = await pair(path);
    expect(clientFactory.built).toHaveLength(1);
  });

  it('a file that is not a socket is left alone: CannotListenError', () => {
    const path = nextPath();
    writeFileSync(path, 'precious');
    expect(() => newReactor().listenUNIX(path, new ServerRecorder(() => new Echo()))).toThrow(
      CannotListenError,
    );
    expect(existsSync(path)).toBe(true);
  });

  it('a missing directory: CannotListenError that says so', () => {
    let error: CannotListenError | undefined;
    try {
      newReactor().listenUNIX(join(dir, 'no', 'such', 'dir.sock'), new ServerRecorder(() => new Echo()));
    } catch (e) {
      error = e as CannotListenError;
    }
    expect(['ENOENT', 'EACCES']).toContain(error?.socketError.code); // libuv says EACCES
    expect(error?.message).toContain('does not exist');
  });

  it('connecting to a missing path fails with ConnectError; to a stale file with ConnectionRefusedError', async () => {
    const missing = new ClientRecorder(() => new Recording<UNIXAddress>());
    newReactor().connectUNIX(nextPath(), missing);
    const reason = await missing.failed.asPromise();
    expect(reason.value).toBeInstanceOf(ConnectError);
    expect((reason.value as ConnectError).osError?.code).toBe('ENOENT');
    if (!linux) return;
    const stale = nextPath();
    staleSocket(stale);
    const refused = new ClientRecorder(() => new Recording<UNIXAddress>());
    newReactor().connectUNIX(stale, refused);
    expect((await refused.failed.asPromise()).value).toBeInstanceOf(ConnectionRefusedError);
  });

  it('abortConnection on a UNIX connection: ConnectionAborted here, a close there', async () => {
    const { serverFactory, clientFactory } = await pair(nextPath());
    const client = clientFactory.built[0];
    await client.made.asPromise();
    client.transport.abortConnection();
    expect((await client.lost.asPromise()).value).toBeInstanceOf(ConnectionAborted);
    const server = await serverFactory.nth(0);
    expect((await server.lost.asPromise()).value).toBeInstanceOf(ConnectionDone);
  });
});

describe('wantPID and checkPID (lock files in Twisted’s format)', () => {
  it('the lock is a symlink to our pid while listening, refused to a second wantPID port, removed on stop', async () => {
    const reactor = newReactor();
    const path = nextPath();
    const port = reactor.listenUNIX(path, new ServerRecorder(() => new Echo()), { wantPID: true });
    expect(readlinkSync(`${path}.lock`)).toBe(String(process.pid));
    let error: CannotListenError | undefined;
    try {
      reactor.listenUNIX(path, new ServerRecorder(() => new Echo()), 50, 0o666, true);
    } catch (e) {
      error = e as CannotListenError;
    }
    expect(error).toBeInstanceOf(CannotListenError);
    expect(error?.message).toContain('a live process holds the lock');
    await port.stopListening();
    expect(existsSync(`${path}.lock`)).toBe(false);
    expect(existsSync(path)).toBe(false);
  });

  it('a lock left by a dead process is broken and its stale socket file replaced', async () => {
    const path = nextPath();
    staleSocket(path);
    symlinkSync('999999999', `${path}.lock`);
    const { clientFactory } = await pair(path, false, true);
    expect(clientFactory.built).toHaveLength(1);
    expect(readlinkSync(`${path}.lock`)).toBe(String(process.pid));
  });

  it('checkPID: connects when a live process holds the lock, else fails with BadFileError', async () => {
    const reactor = newReactor();
    const locked = nextPath();
    reactor.listenUNIX(locked, new ServerRecorder(() => new Echo()), { wantPID: true });
    const ok = new ClientRecorder(() => new Recording<UNIXAddress>());
    reactor.connectUNIX(locked, ok, 30, true);
    await until(() => ok.built.length === 1, 'the connection');

    const unlocked = nextPath();
    reactor.listenUNIX(unlocked, new ServerRecorder(() => new Echo()));
    const bad = new ClientRecorder(() => new Recording<UNIXAddress>());
    reactor.connectUNIX(unlocked, bad, { checkPID: true });
    expect(bad.calls).toEqual(['startFactory', 'startedConnecting']); // the failure comes later, as in Twisted
    expect((await bad.failed.asPromise()).value).toBeInstanceOf(BadFileError);
  });

  it.skipIf(!hasTwisted)("Python Twisted's lockfile.isLocked sees our lock (and we see its)", () => {
    const reactor = newReactor();
    const path = nextPath();
    reactor.listenUNIX(path, new ServerRecorder(() => new Echo()), { wantPID: true });
    const check = spawnSync(
      PYTHON,
      [
        '-c',
        `from twisted.python import lockfile; print(lockfile.isLocked(${JSON.stringify(`${path}.lock`)}))`,
      ],
      { encoding: 'utf8' },
    );
    expect(check.stdout.trim()).toBe('True');
  });
});
