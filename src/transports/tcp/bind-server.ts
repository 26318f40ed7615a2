/**
 * Binding a stream server inside the call (DESIGN.md decision 9): `listenTCP` and `listenUNIX`
 * return a bound, listening port, or throw `CannotListenError` with the OS error.
 *
 * Node's `net.Server.listen()` resolves a host — even an IP literal — through `dns.lookup`, on a
 * later turn, and reports failures as an `'error'` event on a later turn. Here:
 *
 * - **TCP** binds with `net.BoundSocket` (public, Node ≥ 24.21: a synchronous bind that throws),
 *   or where Node lacks it (22.12 – 24.20) with `net._createServerHandle` — the function Node's
 *   own `listen()` and `cluster` bind with, exported since Node 0.x — followed by `getsockname`,
 *   where libuv reports the EADDRINUSE its `uv_tcp_bind` defers. The bound handle is then given
 *   to `server.listen(handle, backlog)`, which adopts it without any lookup.
 * - **UNIX** paths bind inside `server.listen({ path, exclusive: true })` already (there is no
 *   name to look up).
 * - `listen(2)` itself can still fail (two sockets bound to one port, neither listening yet):
 *   `net.Server` then has no handle when `listen()` returns, and the error it will emit on the
 *   next turn has already been published, synchronously, on the `net.server.listen` tracing
 *   channel of `node:diagnostics_channel` (public) — that is where it is read from.
 *
 * `test/transports/tcp/sync-bind.test.ts` guards all of this, on both binding paths.
 *
 * @internal
 * @module
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import net from 'node:net';
import { getSystemErrorName } from 'node:util';
import { ipFamily } from '../../validate.ts';

/** How a TCP server socket is bound: Node's public `BoundSocket`, or `_createServerHandle` where Node lacks it. */
export type TcpBindPath = 'BoundSocket' | 'createServerHandle';

/** The binding path this Node offers. */
export const defaultTcpBindPath: TcpBindPath =
  typeof (net as { BoundSocket?: unknown }).BoundSocket === 'function' ? 'BoundSocket' : 'createServerHandle';

/** libuv's `UV_TCP_REUSEPORT` flag of `uv_tcp_bind` (uv.h; 2 since libuv 1.49, Node 22.12). */
const UV_TCP_REUSEPORT = 2;

/** What {@link bindTcpServer} needs. */
export interface TcpBindRequest {
  /** An IP literal (`'0.0.0.0'` for all IPv4 interfaces). */
  readonly host: string;
  /** The port (0: any free one). */
  readonly port: number;
  /** listen(2)'s backlog. */
  readonly backlog: number;
  /** SO_REUSEPORT. */
  readonly reusePort: boolean;
}

/** An OS error as Node makes them: `code`, `errno`, `syscall`, `address`, `port`. */
type OsError = NodeJS.ErrnoException & { address?: string; port?: number };

function uvError(errno: number, syscall: string, address: string, port?: number): OsError {
  const code = getSystemErrorName(errno);
  const where = port === undefined ? address : `${address}:${port}`;
  return Object.assign(new Error(`${syscall} ${code} ${where}`), { code, errno, syscall, address, port });
}

type BindHandle = { getsockname(out: Record<string, unknown>): number; close(): void };
type CreateServerHandle = (
  address: string,
  port: number,
  addressType: number,
  fd: undefined,
  flags: number,
) => BindHandle | number;

/** Binds a TCP socket to `host`:`port` now; throws the OS error. Returns what `server.listen()` adopts. */
function bindTcpHandle(request: TcpBindRequest, path: TcpBindPath): object {
  const { host, port, reusePort } = request;
  if (path === 'BoundSocket') {
    const BoundSocket = (net as unknown as { BoundSocket: new (o: object) => object }).BoundSocket;
    return new BoundSocket({ host, port, reusePort });
  }
  const create = (net as unknown as { _createServerHandle: CreateServerHandle })._createServerHandle;
  const handle = create(host, port, ipFamily(host), undefined, reusePort ? UV_TCP_REUSEPORT : 0);
  if (typeof handle === 'number') throw uvError(handle, 'bind', host, port);
  // uv_tcp_bind defers EADDRINUSE to the next getsockname/listen/connect: ask now.
  const err = handle.getsockname({});
  if (err !== 0) {
    handle.close();
    throw uvError(err, 'bind', host, port);
  }
  return handle;
}

const listenChannel = diagnosticsChannel.tracingChannel('net.server.listen');

/**
 * `server.listen(...args)` where the listen itself happens inside the call; throws the error the
 * server would emit on the next turn (the server is then closed and emits nothing).
 */
function listenNow(server: net.Server, args: unknown[], address: string, port?: number): void {
  let failure: unknown;
  const subscriber = {
    error(message: unknown): void {
      const m = message as { server?: unknown; error?: unknown };
      if (m.server === server) failure = m.error;
    },
  };
  listenChannel.subscribe(subscriber as Parameters<typeof listenChannel.subscribe>[0]);
  try {
    (server.listen as (...a: unknown[]) => net.Server)(...args);
  } finally {
    listenChannel.unsubscribe(subscriber as Parameters<typeof listenChannel.unsubscribe>[0]);
  }
  if (server.listening) return;
  // The 'error' event is already scheduled: swallow it, the caller gets it as a throw.
  server.once('error', () => {});
  server.close();
  throw failure ?? uvError(-22, 'listen', address, port);
}

/**
 * A `net.Server` listening on `host`:`port`, bound and listening when this returns.
 *
 * @throws the OS error (`code` `EADDRINUSE`, `EACCES`, `EADDRNOTAVAIL`…; `syscall` `bind` or `listen`).
 */
export function bindTcpServer(
  server: net.Server,
  request: TcpBindRequest,
  path: TcpBindPath = defaultTcpBindPath,
): net.AddressInfo {
  const bound = bindTcpHandle(request, path);
  try {
    listenNow(server, [bound, Math.max(1, request.backlog)], request.host, request.port);
  } catch (e) {
    // The handle was adopted by the server (closed with it) unless listen() refused it outright.
    try {
      (bound as { close?: () => void }).close?.();
    } catch {
      // adopted: already closed with the server
    }
    throw e;
  }
  return server.address() as net.AddressInfo;
}

/**
 * A `net.Server` listening on the UNIX socket `path` (or abstract name), bound and listening when
 * this returns.
 *
 * @throws the OS error (`EADDRINUSE` for a path in use, `EACCES`, `ENOENT` for a missing directory…).
 */
export function bindUnixServer(server: net.Server, path: string, backlog: number): void {
  listenNow(server, [{ path, backlog: Math.max(1, backlog), exclusive: true }], path);
}
