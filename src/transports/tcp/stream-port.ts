/**
 * `StreamPort`: what a listening TCP or UNIX port does (Twisted's `tcp.Port`): accept
 * connections, build a protocol for each through the factory, count itself in the factory
 * (`doStart`/`doStop`), and stop.
 *
 * @module
 */
import type net from 'node:net';
import { Deferred } from '../../defer/deferred.ts';
import type {
  IConnectionOwner,
  IListeningPort,
  IPortOwner,
  IProtocol,
  IProtocolFactory,
  StreamAddress,
} from '../../interfaces.ts';
import { err as logErr, msg as logMsg } from '../../log/log.ts';
import { Connection } from './connection.ts';
import { watchHookResult } from './hook-result.ts';
import { checkBuiltProtocol } from './stream-checks.ts';

/** Where a stream port is in its life: listening until `stopListening()`, stopping until its socket is closed. */
export type StreamPortState = 'listening' | 'stopping' | 'stopped';

/** What a port needs from its reactor: name resolution and the registry of ports and connections. */
export type StreamOwner = IPortOwner & IConnectionOwner;

/**
 * What differs between a TCP and a UNIX port (and, through `wrapSocket`/`errorReason`, a TLS
 * one). @internal
 */
export interface StreamPortKind<A extends StreamAddress> {
  /** `'TCP'` or `'UNIX'`: what the close message says, and whether aborts send a reset. */
  readonly type: 'TCP' | 'UNIX';
  /** The port's own address. */
  readonly host: A;
  /** What "starting on" and "Closed" name: the port number, or the quoted path. */
  readonly where: string;
  /** The peer of an accepted socket, or `undefined` when the socket is already gone. */
  peerOf(socket: net.Socket): A | undefined;
  /** This end of an accepted socket. */
  hostOf(socket: net.Socket): A;
  /** The log prefix of a connection (Twisted's `logstr`). */
  connectionPrefix(protocol: string, sessionno: number, peer: A): string;
  /** Called once the port's socket is closed (a UNIX port releases its lock file). */
  release?(): void;
  /** The TLS seam: the socket the connection uses, made from the accepted one (a `tls.TLSSocket`). */
  wrapSocket?(socket: net.Socket): net.Socket;
  /** The TLS seam: the reason for a socket error (`TLSError` for handshake failures). */
  errorReason?(error: Error): Error;
}

/** The `logPrefix()` of a protocol, or its class name (Twisted's `_getLogPrefix`). */
export function protocolName(protocol: object): string {
  const logPrefix = (protocol as { logPrefix?: unknown }).logPrefix;
  if (typeof logPrefix === 'function') {
    const prefix: unknown = logPrefix.call(protocol);
    if (typeof prefix === 'string') return prefix;
  }
  return protocol.constructor?.name ?? 'Protocol';
}

/**
 * A listening stream port. `TcpPort` and `UnixPort` are this with their address kind.
 *
 * Stopping (`stopListening()`, the `signal`, reactor shutdown) stops accepting and closes the
 * listening socket; connections already accepted stay open, as in Twisted.
 */
export class StreamPort<A extends StreamAddress> implements IListeningPort<A> {
  #state: StreamPortState = 'listening';
  readonly #server: net.Server;
  readonly #factory: IProtocolFactory;
  readonly #owner: StreamOwner;
  readonly #kind: StreamPortKind<A>;
  readonly #signal: AbortSignal | undefined;
  #sessionno = 0;
  #waiters: Deferred<void>[] = [];

  /** @internal Made by `listenTCP`/`listenUNIX` around a server that is already listening; call {@link start} next. */
  constructor(
    owner: StreamOwner,
    factory: IProtocolFactory,
    server: net.Server,
    kind: StreamPortKind<A>,
    signal?: AbortSignal,
  ) {
    this.#owner = owner;
    this.#factory = factory;
    this.#server = server;
    this.#kind = kind;
    this.#signal = signal;
  }

  /**
   * @internal Starts the factory (`doStart`), registers with the owner and accepts. If
   * `doStart` throws, the socket is closed and the error thrown on.
   */
  start(): void {
    const factory = this.#factory;
    logMsg(`${protocolName(factory)} starting on ${this.#kind.where}`);
    let started: unknown;
    try {
      started = factory.doStart();
    } catch (e) {
      this.#state = 'stopped';
      this.#server.close();
      this.#kind.release?.();
      throw e;
    }
    watchHookResult(started, (e) => logErr(e, `Unhandled error in ${protocolName(factory)}.startFactory`));
    this.#server.on('connection', this.#accept);
    this.#server.on('error', this.#acceptFailed);
    this.#owner.registerPort(this);
    this.#signal?.addEventListener('abort', this.#abort, { once: true });
  }

  /** Where the port is in its life. */
  get state(): StreamPortState {
    return this.#state;
  }

  /** The factory building the protocols of this port's connections. */
  get factory(): IProtocolFactory {
    return this.#factory;
  }

  /** The address the port listens on (the real port number when 0 was asked for). */
  getHost(): A {
    return this.#kind.host;
  }

  /**
   * Stops accepting and closes the listening socket; established connections stay open.
   * Fires once the socket is closed and the factory was told (`doStop`). Calling it again is
   * harmless: it waits on the same stop (fired at once once stopped).
   */
  stopListening(): Deferred<void> {
    const d = new Deferred<void>();
    if (this.#state === 'stopped') {
      d.callback(undefined);
      return d;
    }
    this.#waiters.push(d);
    if (this.#state === 'listening') {
      this.#state = 'stopping';
      this.#signal?.removeEventListener('abort', this.#abort);
      this.#server.close();
      // The listening fd is closed inside close(); Node's 'close' event would wait for every
      // accepted connection, which Twisted's stopListening does not.
      setImmediate(() => this.#stopped());
    }
    return d;
  }

  /** Stops listening (`await using port = reactor.listenTCP(...)`). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stopListening();
  }

  /** `<TcpPort of EchoFactory on 8000>`. */
  toString(): string {
    const name = this.#kind.type === 'UNIX' ? 'UnixPort' : 'TcpPort';
    const where = this.#state === 'stopped' ? '(not listening)' : `on ${this.#kind.where}`;
    return `<${name} of ${protocolName(this.#factory)} ${where}>`;
  }

  readonly #abort = (): void => {
    this.stopListening();
  };

  #stopped(): void {
    this.#state = 'stopped';
    logMsg(`(${this.#kind.type} Port ${this.#kind.where} Closed)`);
    try {
      this.#kind.release?.();
    } catch (e) {
      logErr(e, `Error releasing ${String(this)}`);
    }
    this.#owner.unregisterPort(this);
    const factory = this.#factory;
    try {
      watchHookResult(factory.doStop(), (e) =>
        logErr(e, `Unhandled error in ${protocolName(factory)}.stopFactory`),
      );
    } catch (e) {
      logErr(e, `Unhandled error in ${protocolName(factory)}.stopFactory`);
    }
    for (const d of this.#waiters.splice(0)) d.callback(undefined);
  }

  /** An accepted socket: a protocol from the factory, a connection around both. */
  readonly #accept = (socket: net.Socket): void => {
    if (this.#state !== 'listening') {
      socket.destroy();
      return;
    }
    const kind = this.#kind;
    const peer = kind.peerOf(socket);
    if (peer === undefined) {
      socket.destroy(); // reset before we got to it
      return;
    }
    let protocol: IProtocol | undefined;
    try {
      protocol = checkBuiltProtocol(this.#factory.buildProtocol(peer), this.#factory);
    } catch (e) {
      logErr(e, `Error building a protocol for a connection from ${String(peer)}; connection closed`);
      socket.destroy();
      return;
    }
    if (protocol === undefined) {
      socket.destroy();
      return;
    }
    const sessionno = this.#sessionno++;
    const connection = new Connection<A>({
      socket: kind.wrapSocket?.(socket) ?? socket,
      protocol,
      owner: this.#owner,
      host: () => kind.hostOf(socket),
      peer,
      logPrefix: kind.connectionPrefix(protocolName(protocol), sessionno, peer),
      tcp: kind.type === 'TCP',
      side: 'server',
      errorReason: kind.errorReason?.bind(kind),
    });
    connection.start();
  };

  /**
   * An accept failed (EMFILE, ENFILE, ENOBUFS…): libuv has already closed the connections it
   * could not take; the port goes on listening and accepts again once descriptors are free,
   * as Twisted's does. Logged, never thrown.
   */
  readonly #acceptFailed = (error: NodeJS.ErrnoException): void => {
    logMsg(
      `${String(this)}: could not accept a new connection (${error.code ?? error.message}); still listening`,
    );
  };
}
