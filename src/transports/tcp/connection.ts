/**
 * `Connection`: the transport of one TCP or UNIX stream (Twisted's `tcp.Connection`, `Server`
 * and `Client`), over a `net.Socket`.
 *
 * @module
 */
import type net from 'node:net';
import { ConnectionAborted, ConnectionDone, ConnectionLost } from '../../errors.ts';
import { Failure } from '../../failure.ts';
import type {
  IConnectionOwner,
  IProtocol,
  IPullProducer,
  IPushProducer,
  IRegisteredConnection,
  IStreamTransport,
  ITLSContextFactory,
  ITLSTransport,
  StreamAddress,
} from '../../interfaces.ts';
import { err as logErr } from '../../log/log.ts';
import { validateBoolean } from '../../validate.ts';
import type { Certificate } from '../tls/certificate.ts';
import { hostCertificateOf, peerCertificateOf, startTLS } from '../tls/start-tls.ts';
import { ProducerSlot } from './producer-slot.ts';
import { checkStreamData, checkStreamSequence } from './stream-data.ts';
import { closeReason } from './close-reason.ts';
import { callHook, isEnding, isOpenish, readsData, tellConnectionLost } from './protocol-calls.ts';
import { halfCloseable, lostReason } from './connection-config.ts';
import type { ConnectionConfig, ConnectionState } from './connection-config.ts';

export type { ConnectionConfig, ConnectionState } from './connection-config.ts';

const kConnection = Symbol('twisted-ts.connection');
type OwnedSocket = net.Socket & { [kConnection]?: Connection<StreamAddress> };

/**
 * A TCP or UNIX connection, as its protocol sees it (`this.transport`). Node's socket does the
 * buffering and flow control; this class keeps Twisted's semantics on top: one state, every
 * protocol callback guarded (a throw, or an `async` one's rejection, is logged and drops the
 * connection with that error as the reason), `connectionLost` exactly once.
 *
 * @example
 * class Echo extends Protocol {
 *   override dataReceived(data: Buffer) {
 *     this.transport.write(data);
 *   }
 * }
 */
export class Connection<A extends StreamAddress = StreamAddress>
  implements IStreamTransport<A>, IRegisteredConnection, ITLSTransport
{
  #state: ConnectionState = 'open';
  #socket: OwnedSocket;
  readonly #protocol: IProtocol;
  readonly #owner: IConnectionOwner;
  #host: A | (() => A);
  readonly #peer: A;
  readonly #prefix: string;
  readonly #logContext: { readonly system: string };
  readonly #tcp: boolean;
  readonly #side: 'server' | 'client';
  readonly #onLost: ((reason: Failure) => void) | undefined;
  #errorReason: (error: Error) => Error;
  readonly #halfCloseable: boolean;
  /** Made when a producer registers: most connections never have one. */
  #producer: ProducerSlot | undefined = undefined;
  #reason: Failure | undefined = undefined;
  #noDelay = false;
  #keepAlive = false;
  #closedWaiters: (() => void)[] = [];
  #chunk: Buffer | undefined = undefined;

  /** @internal Made by a port or a connector; call {@link start} next. */
  constructor(config: ConnectionConfig<A>) {
    this.#socket = config.socket as OwnedSocket;
    this.#protocol = config.protocol;
    this.#owner = config.owner;
    this.#host = config.host;
    this.#peer = config.peer;
    this.#prefix = config.logPrefix;
    this.#logContext = { system: config.logPrefix };
    this.#tcp = config.tcp;
    this.#side = config.side;
    this.#onLost = config.onLost;
    this.#errorReason = config.errorReason ?? lostReason;
    this.#halfCloseable = halfCloseable(config.protocol);
  }

  // ---------------------------------------------------------------------------------------------
  // Life

  /**
   * @internal Registers with the owner, listens to the socket and calls the protocol's
   * `makeConnection(this)` (so `connectionMade`). A throw there drops the connection.
   */
  start(): void {
    this.#owner.registerConnection(this);
    this.#attach(this.#socket);
    this.#call('connectionMade', () => this.#protocol.makeConnection(this));
  }

  /** Where the connection is in its life (see {@link ConnectionState}). */
  get state(): ConnectionState {
    return this.#state;
  }

  /** `true` until the connection is closed and the protocol told (`connectionLost`). */
  get connected(): boolean {
    return this.#state !== 'closed';
  }

  /** `true` once the connection is ending: after `loseConnection()`, `abortConnection()` or an error. */
  get disconnecting(): boolean {
    return this.#state === 'disconnecting' || this.#state === 'closing';
  }

  /** `true` once the connection is closed and the protocol told. */
  get disconnected(): boolean {
    return this.#state === 'closed';
  }

  // ---------------------------------------------------------------------------------------------
  // ITransport

  /**
   * Queues `data`; Node's socket sends it in order. In `'open'` and `'readClosed'` (and in
   * `'disconnecting'` while a producer is still registered, so it can finish) it is written;
   * otherwise ignored, as Twisted ignores writes to a closed connection. A full buffer pauses a
   * registered streaming producer.
   *
   * @throws TypeError when `data` is not a `Uint8Array` (a `Buffer`).
   */
  write(data: Uint8Array): void {
    checkStreamData(data);
    if (!this.#writable() || data.length === 0) return;
    this.#send(data);
  }

  /**
   * Writes each chunk of `data`, in order (every chunk is checked before any is written), in one
   * `writev` where the socket allows (`cork`/`uncork`).
   */
  writeSequence(data: readonly Uint8Array[]): void {
    const chunks = checkStreamSequence(data);
    if (!this.#writable()) return;
    const socket = this.#socket;
    socket.cork();
    try {
      for (const chunk of chunks) {
        if (chunk.length !== 0) this.#send(chunk);
      }
    } finally {
      socket.uncork();
    }
  }

  /**
   * Closes the connection once everything written has been sent; with a producer registered,
   * once it has unregistered too (Twisted). The protocol then gets `connectionLost` with
   * `ConnectionDone`. Data that arrives meanwhile is discarded. A no-op once disconnecting.
   */
  loseConnection(): void {
    if (!isOpenish(this.#state)) return;
    this.#reason ??= closeReason(ConnectionDone);
    this.#state = 'disconnecting';
    if (this.#producer?.producer === undefined) this.#socket.destroySoon();
  }

  /**
   * Closes the connection at once: unsent data is dropped and the peer gets a reset (RST; a
   * UNIX socket is just closed). The protocol gets `connectionLost` with `ConnectionAborted`. A
   * no-op once closing.
   */
  abortConnection(): void {
    if (isEnding(this.#state)) return;
    this.#reason = closeReason(ConnectionAborted);
    this.#destroy(true);
  }

  /**
   * Half-closes: sends FIN once the buffer is sent; reading goes on. A half-close protocol's
   * `writeConnectionLost()` is called then. Writes afterwards are ignored. A no-op unless
   * `'open'` or `'readClosed'`.
   */
  loseWriteConnection(): void {
    if (this.#state === 'open') this.#state = 'writeClosed';
    else if (this.#state === 'readClosed') this.#state = 'halfClosed';
    else return;
    this.#socket.end(this.#writeEnded);
  }

  /** The other end's address. */
  getPeer(): A {
    return this.#peer;
  }

  /** This end's address. */
  getHost(): A {
    const host = this.#host;
    if (typeof host !== 'function') return host;
    return (this.#host = host());
  }

  // ---------------------------------------------------------------------------------------------
  // ITCPTransport

  /** Whether Nagle's algorithm is off (the last `setTcpNoDelay`; false at first, as in Twisted). */
  getTcpNoDelay(): boolean {
    return this.#noDelay;
  }

  /** Turns Nagle's algorithm off (`true`) or on: `socket.setNoDelay`. Ignored on UNIX sockets. */
  setTcpNoDelay(enabled: boolean): void {
    validateBoolean(enabled, 'enabled');
    this.#noDelay = enabled;
    if (this.#tcp && this.connected) this.#socket.setNoDelay(enabled);
  }

  /** Whether TCP keep-alive probes are on (the last `setTcpKeepAlive`; false at first). */
  getTcpKeepAlive(): boolean {
    return this.#keepAlive;
  }

  /** Turns TCP keep-alive probes on or off: `socket.setKeepAlive`. Ignored on UNIX sockets. */
  setTcpKeepAlive(enabled: boolean): void {
    validateBoolean(enabled, 'enabled');
    this.#keepAlive = enabled;
    if (this.#tcp && this.connected) this.#socket.setKeepAlive(enabled);
  }

  // ---------------------------------------------------------------------------------------------
  // IConsumer

  /**
   * Registers a producer to feed this connection (`streaming` true: a push producer, paused
   * when Node's write buffer is full and resumed on drain; false: a pull producer, asked for a
   * chunk each time the buffer has been sent). On a closed connection the producer is told to
   * stop at once.
   *
   * @throws ProducerStateError when a producer is registered already; TypeError for a non-producer.
   */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.#producer === undefined) {
      this.#producer = new ProducerSlot(
        () => this.#socket.writableLength === 0,
        (e) => this.#hookFailed(e, 'resumeProducing'),
      );
      // Only a producer cares when the buffer drains: most connections never listen for it.
      this.#socket.on('drain', socketHandlers.drain);
    }
    this.#producer.register(producer, streaming, isEnding(this.#state));
  }

  /** Unregisters the producer; a `loseConnection()` that waited for it now proceeds. */
  unregisterProducer(): void {
    this.#producer?.unregister();
    if (this.#state === 'disconnecting') this.#socket.destroySoon();
  }

  // ---------------------------------------------------------------------------------------------
  // IPushProducer: the connection produces what it reads

  /** Stops reading from the socket (the peer is slowed down by TCP's own flow control). */
  pauseProducing(): void {
    if (this.connected) this.#socket.pause();
  }

  /** Reads again after `pauseProducing()`; not once disconnecting. */
  resumeProducing(): void {
    if (isOpenish(this.#state)) this.#socket.resume();
  }

  /** Stops for good: `loseConnection()`. */
  stopProducing(): void {
    this.loseConnection();
  }

  // ---------------------------------------------------------------------------------------------
  // Beyond Twisted's interfaces

  /** The `system` name of what this connection logs: `Echo,3,127.0.0.1` on a server, `Echo,client` on a client. */
  logPrefix(): string {
    return this.#prefix;
  }

  /**
   * The underlying `net.Socket` (a `tls.TLSSocket` once TLS started): an escape hatch for what
   * this transport does not offer. Reading from or writing to it directly bypasses the protocol.
   */
  getHandle(): net.Socket {
    return this.#socket;
  }

  /** @internal Which end this is (`'server'`: accepted by a port), for `startTLS`. */
  get side(): 'server' | 'client' {
    return this.#side;
  }

  /**
   * Upgrades the connection to TLS in place (STARTTLS; Twisted's `ITLSTransport.startTLS`): what
   * was written before goes out in the clear, what is written after goes encrypted once the peer
   * is verified. An accepted connection takes the server side, a connector's the client side
   * (`normal = false` swaps them). A failed handshake reaches `connectionLost` as a `TLSError`.
   *
   * @throws TLSError when TLS is already on; TypeError for a bad context factory.
   */
  startTLS(contextFactory: ITLSContextFactory, normal = true): void {
    startTLS(this, this.#socket, this.#side, contextFactory, normal);
  }

  /** The certificate the peer presented, once TLS is up (`undefined` before, or without one). */
  getPeerCertificate(): Certificate | undefined {
    return peerCertificateOf(this.#socket);
  }

  /** The certificate this side presented, once TLS is up (`undefined` otherwise). */
  getHostCertificate(): Certificate | undefined {
    return hostCertificateOf(this.#socket);
  }

  /** `<Connection Echo,3,127.0.0.1 open>`. */
  toString(): string {
    return `<Connection ${this.#prefix} ${this.#state}>`;
  }

  /**
   * @internal Reactor shutdown (Twisted's `disconnectAll`): drops the connection; the protocol
   * gets `connectionLost` with `ConnectionLost`. Resolves once it has.
   */
  disconnectForShutdown(): Promise<void> | undefined {
    if (this.#state === 'closed') return undefined;
    const closed = new Promise<void>((resolve) => this.#closedWaiters.push(resolve));
    if (this.#state !== 'closing') {
      if (this.#reason === undefined || this.#reason.value instanceof ConnectionDone) {
        this.#reason = closeReason(ConnectionLost, 'The reactor shut down.');
      }
      this.#destroy(false);
    }
    return closed;
  }

  /**
   * @internal The TLS seam: makes `next` (a `tls.TLSSocket` wrapping the current socket, for
   * `startTLS`) the socket this connection reads from and writes to. Listeners move from the
   * old socket to `next`; what was written before stays queued on the old socket, ahead of
   * what `next` writes through it. `errorReason` maps `next`'s errors (to `TLSError`).
   */
  replaceSocket(next: net.Socket, errorReason?: (error: Error) => Error): void {
    const previous = this.#socket;
    this.#detach(previous);
    this.#socket = next as OwnedSocket;
    if (errorReason !== undefined) this.#errorReason = errorReason;
    this.#attach(this.#socket);
    // The wrapped socket's own end and errors still matter (a reset under the TLS layer).
    previous.on('error', socketHandlers.error);
  }

  // ---------------------------------------------------------------------------------------------
  // Internals

  #writable(): boolean {
    const state = this.#state;
    return (
      state === 'open' ||
      state === 'readClosed' ||
      (state === 'disconnecting' && this.#producer?.producer !== undefined && this.#socket.writable)
    );
  }

  /** Writes to the socket; a registered producer learns whether the buffer is full. */
  #send(data: Uint8Array): void {
    const producer = this.#producer;
    if (producer === undefined) this.#socket.write(data);
    else if (producer.pulling) producer.wrote(this.#socket.write(data, producer.pullFlushed));
    else producer.wrote(this.#socket.write(data));
  }

  #attach(socket: OwnedSocket): void {
    socket[kConnection] = this as Connection<StreamAddress>;
    socket.on('data', socketHandlers.data);
    socket.on('end', socketHandlers.end);
    if (this.#producer !== undefined) socket.on('drain', socketHandlers.drain);
    socket.on('error', socketHandlers.error);
    socket.on('close', socketHandlers.close);
  }

  #detach(socket: OwnedSocket): void {
    socket.off('data', socketHandlers.data);
    socket.off('end', socketHandlers.end);
    socket.off('drain', socketHandlers.drain);
    socket.off('error', socketHandlers.error);
    socket.off('close', socketHandlers.close);
  }

  /** Destroys the socket now (`reset`: with RST where TCP allows); the protocol is told on `'close'`. */
  #destroy(reset: boolean): void {
    this.#state = 'closing';
    const socket = this.#socket;
    if (reset && this.#tcp && typeof socket.resetAndDestroy === 'function' && !socket.destroyed) {
      try {
        socket.resetAndDestroy();
        return;
      } catch {
        // not a TCP handle after all (a wrapped socket): fall back to a plain close
      }
    }
    socket.destroy();
  }

  /** Calls `fn` (a protocol hook) in this connection's log context; a throw or rejection drops it. */
  #call(hook: string, fn: () => unknown): void {
    callHook(this.#logContext, hook, fn, this.#hookFailed);
  }

  /** A protocol hook threw (or rejected): log it and drop the connection with it as the reason (Twisted). */
  readonly #hookFailed = (error: unknown, hook: string): void => {
    logErr(error, `Unhandled error in ${this.#prefix} ${hook}`, this.#prefix);
    if (isEnding(this.#state)) return;
    this.#reason = new Failure(error);
    this.#destroy(false);
  };

  readonly #deliver = (): unknown => {
    const chunk = this.#chunk as Buffer;
    this.#chunk = undefined;
    return this.#protocol.dataReceived(chunk);
  };

  /** `'data'`: the protocol gets it, unless the connection is ending. */
  static #onData(connection: Connection<StreamAddress>, chunk: Buffer): void {
    if (!readsData(connection.#state)) return;
    connection.#chunk = chunk;
    connection.#call('dataReceived', connection.#deliver);
  }

  /** `'end'`: the peer sent FIN. */
  static #onEnd(connection: Connection<StreamAddress>): void {
    const state = connection.#state;
    if (!readsData(state)) return;
    if (connection.#halfCloseable) {
      connection.#state = state === 'open' ? 'readClosed' : 'halfClosed';
      const protocol = connection.#protocol as IProtocol & { readConnectionLost(): unknown };
      connection.#call('readConnectionLost', () => protocol.readConnectionLost());
      return;
    }
    // A protocol that does not handle half-close: the connection ends cleanly, after what was
    // written is sent (Twisted drops it at once).
    connection.#reason ??= closeReason(ConnectionDone);
    connection.#state = 'disconnecting';
    connection.#socket.destroySoon();
  }

  readonly #writeEnded = (): void => {
    if (!this.#halfCloseable || isEnding(this.#state)) return;
    const protocol = this.#protocol as IProtocol & { writeConnectionLost(): unknown };
    this.#call('writeConnectionLost', () => protocol.writeConnectionLost());
  };

  static #onDrain(connection: Connection<StreamAddress>): void {
    connection.#producer?.drained();
  }

  /** `'error'`: Node destroys the socket next; the reason is the error unless one was set by us. */
  static #onError(connection: Connection<StreamAddress>, error: Error): void {
    const current = connection.#reason?.value;
    if (current === undefined || current instanceof ConnectionDone) {
      connection.#reason = new Failure(connection.#errorReason(error));
    }
    if (connection.#state !== 'closed') connection.#state = 'closing';
  }

  /** `'close'`: the socket is gone. Tells the protocol (once), then the connector. */
  static #onClose(connection: Connection<StreamAddress>): void {
    if (connection.#state === 'closed') return;
    connection.#state = 'closed';
    connection.#owner.unregisterConnection(connection);
    const reason = connection.#reason ?? closeReason(ConnectionDone);
    tellConnectionLost(connection.#logContext, connection.#producer, connection.#protocol, reason);
    connection.#onLost?.(reason);
    for (const resolve of connection.#closedWaiters.splice(0)) resolve();
  }

  /** @internal The socket event handlers, shared by every connection (`this` is the socket). */
  static readonly handlers = {
    data(this: OwnedSocket, chunk: Buffer): void {
      const c = this[kConnection];
      if (c !== undefined) Connection.#onData(c, chunk);
    },
    end(this: OwnedSocket): void {
      const c = this[kConnection];
      if (c !== undefined) Connection.#onEnd(c);
    },
    drain(this: OwnedSocket): void {
      const c = this[kConnection];
      if (c !== undefined) Connection.#onDrain(c);
    },
    error(this: OwnedSocket, error: Error): void {
      const c = this[kConnection];
      if (c !== undefined) Connection.#onError(c, error);
    },
    close(this: OwnedSocket): void {
      const c = this[kConnection];
      if (c !== undefined) Connection.#onClose(c);
    },
  };
}

const socketHandlers = Connection.handlers;
