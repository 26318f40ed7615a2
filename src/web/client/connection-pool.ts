/**
 * `HTTPConnectionPool` (Twisted's `client.HTTPConnectionPool`): the connections an `Agent`
 * keeps open between requests. Node's `http.Agent` and `https.Agent` hold the sockets (as
 * undici's Pool sits under its Agent); this class keeps Twisted's knobs on top: at most
 * `maxPersistentPerHost` idle connections per destination, each closed after
 * `cachedConnectionTimeout` seconds unused (timed by the reactor, so a `Clock` can drive it),
 * and a retry on a fresh connection when a reused one turns out closed.
 *
 * The connections are the reactor's business, as Twisted's are (its `disconnectAll` at shutdown):
 * each socket registers with the pool's reactor while it is open, so `reactor.stop()` closes the
 * idle ones and fails the requests still in flight (the `ConnectError` or `ResponseNeverReceived`
 * of a `ConnectionLost`, through their Deferreds) in its `during shutdown` phase, and waits for
 * them to close. A program that used an `Agent` then exits once the reactor has stopped.
 *
 * @module
 */
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { Deferred } from '../../defer/deferred.ts';
import { ConnectError, ConnectionLost } from '../../errors/stream.ts';
import type {
  IConnectionOwner,
  IDelayedCall,
  IReactorTime,
  IRegisteredConnection,
} from '../../interfaces.ts';
import { reactor as globalReactor } from '../../reactor/index.ts';
import { validateBoolean, validateDelay, validateInteger } from '../../validate.ts';
import { restoreIdentityCheck } from './identity-checks.ts';

const kKey = Symbol('twisted-ts.web.pool.key');
const kShutdown = Symbol('twisted-ts.web.pool.shutdown');
type PooledSocket = Socket & { [kKey]?: string; [kShutdown]?: boolean };

/**
 * Whether the reactor's shutdown closed `socket`: a request on it must not be retried on a new
 * connection (the pool's `retryAutomatically`), the reactor is going away.
 *
 * @internal
 */
export function closedByShutdown(socket: Socket | null | undefined): boolean {
  return (socket as PooledSocket | null | undefined)?.[kShutdown] === true;
}

/** The reactor's connection registry, when the pool's reactor has one (a `Clock` has not). */
function connectionOwner(reactor: IReactorTime): IConnectionOwner | undefined {
  const owner = reactor as Partial<IConnectionOwner>;
  return typeof owner.registerConnection === 'function' && typeof owner.unregisterConnection === 'function'
    ? (owner as IConnectionOwner)
    : undefined;
}

/**
 * The persistent connections of one or more agents.
 *
 * @example
 * const pool = new HTTPConnectionPool(reactor);
 * pool.maxPersistentPerHost = 4;
 * const agent = new Agent(reactor, { pool });
 */
export class HTTPConnectionPool {
  /** Whether connections are kept open between requests (Twisted's `persistent`). */
  readonly persistent: boolean;
  #maxPersistentPerHost = 2;
  #cachedConnectionTimeout = 240;
  /** Whether an idempotent request that fails on a reused connection before any response is retried once. */
  retryAutomatically = true;
  readonly #reactor: IReactorTime;
  readonly #timeouts = new Map<Socket, IDelayedCall>();
  readonly #idle = new Map<string, Set<Socket>>();
  readonly #http: http.Agent;
  readonly #https: https.Agent;

  /**
   * @param reactor - the clock for idle timeouts (the global reactor by default).
   * @param persistent - keep connections open between requests (Twisted's default `true`;
   *   an `Agent` without a pool uses a non-persistent one).
   */
  constructor(reactor?: IReactorTime, persistent = true) {
    validateBoolean(persistent, 'persistent');
    this.#reactor = reactor ?? globalReactor;
    this.persistent = persistent;
    const pool = this;
    const hooks = {
      keepSocketAlive(this: http.Agent, socket: Socket): boolean {
        // Node's keepSocketAlive answers true or false (its typings say void).
        const base = http.Agent.prototype.keepSocketAlive as unknown as (
          this: http.Agent,
          s: Socket,
        ) => boolean;
        return pool.#keep(socket) && base.call(this, socket);
      },
      reuseSocket(this: http.Agent, socket: Socket, request: http.ClientRequest): void {
        pool.#reuse(socket);
        http.Agent.prototype.reuseSocket.call(this, socket, request);
      },
      createConnection(this: http.Agent, options: object, callback: unknown): Socket {
        const base = this instanceof https.Agent ? https.Agent.prototype : http.Agent.prototype;
        const socket = (
          base as unknown as { createConnection: (o: object, cb: unknown) => PooledSocket }
        ).createConnection.call(this, restoreIdentityCheck(options), callback);
        socket[kKey] = this.getName(options as http.AgentOptions);
        socket.once('close', () => pool.#forget(socket));
        pool.#register(socket);
        return socket;
      },
    };
    // Twisted limits idle connections, not open ones: the agents open as many as requests need.
    const options = {
      keepAlive: persistent,
      maxFreeSockets: Number.MAX_SAFE_INTEGER,
      scheduling: 'lifo' as const,
    };
    this.#http = Object.assign(new http.Agent(options), hooks);
    this.#https = Object.assign(new https.Agent(options), hooks);
  }

  /**
   * The most idle connections kept per destination (scheme, host, port); 0 keeps none.
   *
   * @throws RangeError (`ERR_OUT_OF_RANGE`) for anything but an integer >= 0.
   */
  get maxPersistentPerHost(): number {
    return this.#maxPersistentPerHost;
  }
  /** Sets the limit (an integer >= 0). */
  set maxPersistentPerHost(value: number) {
    validateInteger(value, 'maxPersistentPerHost', 0);
    this.#maxPersistentPerHost = value;
  }

  /**
   * Seconds an idle connection is kept before it is closed.
   *
   * @throws RangeError (`ERR_OUT_OF_RANGE`) for anything but a finite number >= 0.
   */
  get cachedConnectionTimeout(): number {
    return this.#cachedConnectionTimeout;
  }
  /** Sets the time (seconds >= 0). */
  set cachedConnectionTimeout(value: number) {
    validateDelay(value, 'cachedConnectionTimeout');
    this.#cachedConnectionTimeout = value;
  }

  /**
   * The Node agent for `scheme` (`'http'` or `'https'`).
   *
   * @internal
   */
  nodeAgent(scheme: string): http.Agent {
    return scheme === 'https' ? this.#https : this.#http;
  }

  /** The reactor the pool times idle connections with. @internal */
  get reactor(): IReactorTime {
    return this.#reactor;
  }

  /** How many idle connections the pool holds now. */
  get cachedConnections(): number {
    let n = 0;
    for (const set of this.#idle.values()) n += set.size;
    return n;
  }

  /**
   * Closes every idle connection (those in use finish their request first); fires once they
   * are closed. Calling it again is harmless.
   */
  closeCachedConnections(): Deferred<void> {
    const closing: Promise<void>[] = [];
    for (const set of this.#idle.values()) {
      for (const socket of set) {
        closing.push(
          new Promise<void>((resolve) =>
            socket.destroyed ? resolve() : socket.once('close', () => resolve()),
          ),
        );
        this.#forget(socket);
        socket.destroy();
      }
    }
    this.#idle.clear();
    return Deferred.fromPromise(Promise.all(closing).then(() => undefined));
  }

  /** Puts `socket` in the reactor's registry until it closes, so that shutdown closes it. */
  #register(socket: PooledSocket): void {
    const owner = connectionOwner(this.#reactor);
    if (owner === undefined) return;
    const registered = {
      disconnectForShutdown: () => this.#closeForShutdown(socket),
      toString: () => `HTTP client connection to ${socket[kKey] ?? '?'}`,
    };
    owner.registerConnection(registered satisfies IRegisteredConnection);
    socket.once('close', () => owner.unregisterConnection(registered));
  }

  /**
   * The reactor shuts down: an idle socket is closed; one still connecting fails its request with
   * `ConnectError`, one in use with `ConnectionLost` (the request's `ResponseNeverReceived`, or
   * its body's `ResponseFailed`). Resolves once the socket has closed.
   */
  #closeForShutdown(socket: PooledSocket): Promise<void> | undefined {
    if (socket.destroyed) return undefined;
    const idle = this.#idle.get(socket[kKey] ?? '')?.has(socket) === true;
    this.#forget(socket);
    socket[kShutdown] = true;
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    if (idle) socket.destroy();
    else if (socket.connecting) {
      socket.destroy(new ConnectError('The reactor shut down before the connection was made.'));
    } else {
      socket.destroy(new ConnectionLost('The reactor shut down while the request was in progress.'));
    }
    return closed;
  }

  #keep(socket: PooledSocket): boolean {
    const key = socket[kKey] ?? '';
    let set = this.#idle.get(key);
    if (set === undefined) this.#idle.set(key, (set = new Set()));
    if (this.#maxPersistentPerHost === 0) return false; // keep none: Node closes it
    if (set.size >= this.#maxPersistentPerHost) {
      // Twisted drops the oldest cached connection to make room for the newest.
      const oldest = set.values().next().value as Socket;
      this.#forget(oldest);
      oldest.destroy();
    }
    set.add(socket);
    const timeout = this.#reactor.callLater(this.cachedConnectionTimeout, () => {
      this.#forget(socket);
      socket.destroy();
    });
    this.#timeouts.set(socket, timeout);
    return true;
  }

  #reuse(socket: PooledSocket): void {
    this.#forget(socket);
  }

  #forget(socket: PooledSocket): void {
    const timeout = this.#timeouts.get(socket);
    if (timeout !== undefined) {
      this.#timeouts.delete(socket);
      if (timeout.active()) timeout.cancel();
    }
    this.#idle.get(socket[kKey] ?? '')?.delete(socket);
  }
}
