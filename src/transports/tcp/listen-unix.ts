/**
 * `listenUNIX`: checks its arguments, takes the `wantPID` lock, binds the socket inside the call
 * (replacing a stale socket file), sets its mode and starts a {@link UnixPort}.
 *
 * @module
 */
import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import net from 'node:net';
import { CannotListenError } from '../../errors.ts';
import type { IProtocolFactory, ListenUNIXOptions } from '../../interfaces.ts';
import { UNIXAddress } from '../address.ts';
import { bindUnixServer } from './bind-server.ts';
import type { StreamOwner, StreamPortKind } from './stream-port.ts';
import { FilesystemLock } from './unix-lock.ts';
import { parseListenUNIXArgs } from './unix-options.ts';
import { UnixPort } from './unix-port.ts';
import { socketFileStatus } from './unix-stale.ts';

/** Twisted's repr of a socket path, for log lines: `'/tmp/echo.sock'`. */
export function quotePath(path: string): string {
  return JSON.stringify(path).replace(/^"|"$/g, "'");
}

function explainUnixBindError(error: NodeJS.ErrnoException, path: string): string | undefined {
  switch (error.code) {
    case 'EADDRINUSE':
      return path[0] === '\0'
        ? 'a live server holds this abstract socket name'
        : 'a live server listens on this socket path (a socket file left by a server that is gone would ' +
            'have been replaced)';
    case 'EACCES':
    case 'ENOENT':
      // libuv reports a missing directory as EACCES too (for Windows' sake): tell them apart.
      return existsSync(dirname(path))
        ? 'permission denied: the process cannot create a file in that directory'
        : `the directory of the socket path (${quotePath(dirname(path))}) does not exist`;
    case 'ENAMETOOLONG':
      return 'the path is too long for a UNIX socket address';
    case 'ENOTSOCK':
    case 'EEXIST':
      return 'a file that is not a socket exists at this path';
    default:
      return undefined;
  }
}

/** What a UNIX port's connections are, for {@link StreamPort}. */
export function unixPortKind(path: string, lock: FilesystemLock | undefined): StreamPortKind<UNIXAddress> {
  const host = new UNIXAddress(path);
  const unnamed = new UNIXAddress(undefined);
  return {
    type: 'UNIX',
    host,
    where: quotePath(path),
    peerOf: () => unnamed,
    hostOf: () => host,
    connectionPrefix: (protocol, sessionno) => `${protocol},${sessionno},${path}`,
    release: () => lock?.unlock(),
  };
}

/**
 * Listens for connections on the UNIX socket `address` (Twisted's `reactor.listenUNIX`); a name
 * starting with `'\0'` is in Linux's abstract namespace (no file).
 *
 * The socket is bound and listening when this returns. A path held by a live listener throws
 * `CannotListenError`; a socket file left by a server that is gone is replaced (on Linux, where
 * `/proc/net/unix` tells them apart; elsewhere only when a `wantPID` lock shows its server is
 * dead, as in Twisted). The file gets `mode` (default `0o666`). With `wantPID`, the lock file
 * `<address>.lock` holds this process's pid while the port listens (Twisted's format), and a
 * lock held by a live process throws `CannotListenError`. `stopListening()` removes the socket
 * file and the lock.
 *
 * @param backlogOrOptions Twisted's `backlog`, or `{ backlog, mode, wantPID, signal }`.
 *
 * @example
 * const port = listenUNIX(reactor, '/tmp/echo.sock', Factory.forProtocol(Echo));
 */
export function listenUNIX(
  owner: StreamOwner,
  address: string,
  factory: IProtocolFactory,
  backlogOrOptions?: number | ListenUNIXOptions,
  mode?: number,
  wantPID?: boolean,
): UnixPort {
  const args = parseListenUNIXArgs(address, factory, backlogOrOptions, mode, wantPID);
  const path = args.address;
  const abstract = path[0] === '\0';
  let lock: FilesystemLock | undefined;
  if (args.wantPID && !abstract) {
    lock = new FilesystemLock(`${path}.lock`);
    let taken: boolean;
    try {
      taken = lock.lock();
    } catch (e) {
      throw new CannotListenError('', 0, e, `cannot create the lock file ${quotePath(`${path}.lock`)}`, {
        path,
      });
    }
    if (!taken) {
      const busy = Object.assign(new Error('Cannot acquire lock'), { code: 'EADDRINUSE' });
      throw new CannotListenError('', 0, busy, `a live process holds the lock ${quotePath(`${path}.lock`)}`, {
        path,
      });
    }
    // The lock's last holder died: its socket file is garbage (Twisted removes it too).
    if (!lock.clean && socketFileStatus(path) !== 'live') removeSocketFile(path);
  }
  const server = net.createServer({ allowHalfOpen: true });
  try {
    bindStaleSafe(server, path, args.backlog);
    if (!abstract) chmodSync(path, args.mode);
  } catch (e) {
    lock?.unlock();
    if (server.listening) server.close();
    const cause = e as NodeJS.ErrnoException;
    throw new CannotListenError('', 0, cause, explainUnixBindError(cause, path), { path });
  }
  const port = new UnixPort(owner, args.factory, server, unixPortKind(path, lock), args.signal);
  port.start();
  return port;
}

/** Binds; on EADDRINUSE over a stale socket file, removes the file and binds again (once). */
function bindStaleSafe(server: net.Server, path: string, backlog: number): void {
  try {
    bindUnixServer(server, path, backlog);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || path[0] === '\0') throw e;
    if (socketFileStatus(path) !== 'stale') throw e;
    removeSocketFile(path);
    bindUnixServer(server, path, backlog);
  }
}

function removeSocketFile(path: string): void {
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}
