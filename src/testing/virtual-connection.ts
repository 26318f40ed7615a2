/**
 * `VirtualConnection`: one end of a TCP connection on a `VirtualNetwork` — the transport its
 * protocol sees, with the real `Connection`'s states, checks and callbacks, over two
 * `StreamPipe`s instead of a socket.
 *
 * @module
 */
import { inspect } from 'node:util';
import { ConnectionAborted, ConnectionDone, ConnectionLost } from '../errors.ts';
import { Failure } from '../failure.ts';
import type {
  IProtocol,
  IPullProducer,
  IPushProducer,
  IRegisteredConnection,
  IStreamTransport,
} from '../interfaces.ts';
import { err as logErr } from '../log/index.ts';
import type { IPv4Address, IPv6Address } from '../transports/address.ts';
import { closeReason } from '../transports/tcp/close-reason.ts';
import {
  callHook,
  isEnding,
  isOpenish,
  readsData,
  tellConnectionLost,
} from '../transports/tcp/protocol-calls.ts';
import { ProducerSlot } from '../transports/tcp/producer-slot.ts';
import { checkStreamData, checkStreamSequence } from '../transports/tcp/stream-data.ts';
import { validateBoolean } from '../validate.ts';
import { systemError } from './checks.ts';
import { ReceiveQueue } from './receive-queue.ts';
import { SendBuffer } from './send-buffer.ts';
import { halfCloseable } from './virtual-connection-state.ts';
import type {
  ConnectionEndOptions,
  ConnectionHost,
  VirtualConnectionState,
} from './virtual-connection-state.ts';
import type { Segment, StreamPipe } from './stream-pipe.ts';

/** A write leaves more than this waiting and a streaming producer is paused (Node's default `writableHighWaterMark`). */
const HIGH_WATER_MARK = 16384;

/**
 * One end of a TCP connection between hosts of a {@link VirtualNetwork} (or within one host):
 * what its protocol sees as `this.transport`. It behaves as the real connection does — `write`
 * checks its data and is ignored once the connection is closing; `loseConnection` closes after
 * the data written so far has been sent (and a registered producer unregistered);
 * `loseWriteConnection` half-closes; `abortConnection` resets the peer; a streaming producer is
 * paused when more than 16 KiB wait to be sent (the peer's window is full: it does not read)
 * and resumed once they have gone, a pull producer asked for more each time its data has gone;
 * an exception (or rejection) from `connectionMade`, `dataReceived`, `readConnectionLost` or
 * `writeConnectionLost` is logged and drops the connection with it as the reason — all on
 * simulated time. Nothing reaches the protocol inside the call that caused it.
 *
 * Connections are made by `host.connectTCP(...)` and a listening `host.listenTCP(...)`.
 */
export class VirtualConnection implements IStreamTransport, IRegisteredConnection {
  readonly #host: ConnectionHost;
  readonly #local: IPv4Address | IPv6Address;
  readonly #remote: IPv4Address | IPv6Address;
  readonly #onClosed: (() => void) | undefined;
  #state: VirtualConnectionState = 'open';
  #protocol: IProtocol | undefined;
  #prefix = '-';
  #logContext: { readonly system: string } = { system: '-' };
  #onLost: ((reason: Failure) => void) | undefined;
  #reason: Failure | undefined;
  /** Made when a producer registers: most connections never have one. */
  #producer: ProducerSlot | undefined;
  readonly #send: SendBuffer;
  readonly #receive: ReceiveQueue;
  #noDelay = false;
  #keepAlive = false;

  /** @internal Made by the network when a connection is established. */
  constructor(options: ConnectionEndOptions) {
    this.#host = options.host;
    this.#local = options.local;
    this.#remote = options.remote;
    this.#onClosed = options.onClosed;
    this.#send = new SendBuffer(options.host.clock, this.#flushed);
    this.#receive = new ReceiveQueue(options.host.clock, this.#take, () => !isEnding(this.#state));
  }

  /** @internal Wires the pipe this end writes into and the one it reads from. */
  attach(out: StreamPipe, incoming: StreamPipe): void {
    this.#send.attach(out);
    this.#receive.attach(incoming);
  }

  /**
   * @internal Registers with the host (so that its shutdown ends the connection), then calls
   * `protocol.makeConnection(this)`. `logPrefix` is Twisted's `logstr` (`Echo,3,10.0.0.2` on a
   * server, `Echo,client` on a client); `onLost` runs after `connectionLost` (a connector).
   */
  start(protocol: IProtocol, logPrefix: string, onLost?: (reason: Failure) => void): void {
    this.#protocol = protocol;
    this.#prefix = logPrefix;
    this.#logContext = { system: logPrefix };
    this.#onLost = onLost;
    this.#host.registerConnection(this);
    this.#call('connectionMade', () => protocol.makeConnection(this));
  }

  /** Where the connection is (see {@link VirtualConnectionState}). */
  get state(): VirtualConnectionState {
    return this.#state;
  }

  /** `true` until the protocol was told the connection is lost. */
  get connected(): boolean {
    return this.#state !== 'closed';
  }

  /** `true` once the connection is ending: after `loseConnection()`, `abortConnection()` or an error. */
  get disconnecting(): boolean {
    return this.#state === 'disconnecting' || this.#state === 'closing';
  }

  /** `true` once the protocol was told the connection is lost. */
  get disconnected(): boolean {
    return this.#state === 'closed';
  }

  /** Bytes written and waiting for window space (what Node calls `writableLength`). */
  get bufferSize(): number {
    return this.#send.size;
  }

  // ---------------------------------------------------------------------------------------------
  // Writing

  /**
   * Sends `data` after what was written before (a copy is taken). Written in `'open'` and
   * `'readClosed'` (and in `'disconnecting'` while a producer is still registered, so that it
   * can finish); otherwise ignored, as Twisted ignores writes to a closing connection.
   *
   * @throws TypeError when `data` is not a `Uint8Array`.
   */
  write(data: Uint8Array): void {
    checkStreamData(data);
    if (!this.#writable() || data.byteLength === 0) return;
    this.#queue(Buffer.from(data));
  }

  /** Writes each chunk of `data` in order (every chunk is checked before any is written). */
  writeSequence(data: readonly Uint8Array[]): void {
    const chunks = checkStreamSequence(data);
    if (!this.#writable()) return;
    for (const chunk of chunks) if (chunk.byteLength > 0) this.#queue(Buffer.from(chunk));
  }

  #writable(): boolean {
    const s = this.#state;
    return (
      s === 'open' ||
      s === 'readClosed' ||
      (s === 'disconnecting' && this.#producer?.producer !== undefined && !this.#send.closeWhenFlushed)
    );
  }

  #queue(chunk: Buffer): void {
    this.#send.add(chunk);
    this.#producer?.wrote(this.#send.size < HIGH_WATER_MARK);
  }

  /**
   * Everything written has been sent: a pending FIN goes (then `writeConnectionLost`), a
   * pending close happens, a paused streaming producer resumes, a pull producer is asked for
   * more.
   */
  readonly #flushed = (): void => {
    if (isEnding(this.#state)) return;
    if (this.#send.closeWhenFlushed) {
      this.#send.sendFin();
      this.#lose();
      return;
    }
    if (this.#send.fin === 'requested') {
      this.#send.sendFin();
      const protocol = this.#protocol;
      if (protocol !== undefined && halfCloseable(protocol)) {
        this.#call('writeConnectionLost', () => protocol.writeConnectionLost());
      }
      if (this.#state === 'halfClosed') this.#lose();
      return;
    }
    const slot = this.#producer;
    const producer = slot?.producer;
    if (slot === undefined || producer === undefined) return;
    if (slot.pulling) {
      try {
        producer.resumeProducing();
      } catch (e) {
        this.#hookFailed(e, 'resumeProducing');
      }
    } else {
      slot.drained();
    }
  };

  /** @internal The window opened: send what waits. */
  windowOpened(): void {
    if (!isEnding(this.#state)) this.#send.pump();
  }

  /** @internal A segment was retransmitted until TCP gave up (a partition that did not heal). */
  retransmissionsExhausted(): void {
    const timedOut = systemError('ETIMEDOUT', -110, 'read', this.#remote.host, this.#remote.port);
    this.#failWith(closeReason(ConnectionLost, undefined, { osError: timedOut }));
  }

  // ---------------------------------------------------------------------------------------------
  // Closing

  /**
   * Closes the connection once everything written has been sent; with a producer registered,
   * once it has unregistered too. The protocol then gets `connectionLost` with `ConnectionDone`.
   * Data that arrives meanwhile is discarded. A no-op once disconnecting.
   */
  loseConnection(): void {
    if (!isOpenish(this.#state)) return;
    this.#reason ??= closeReason(ConnectionDone);
    this.#state = 'disconnecting';
    this.#receive.clear();
    if (this.#producer?.producer === undefined) this.#send.requestClose();
  }

  /**
   * Half-closes: the peer sees the end of the data once what was written before has been sent;
   * this end goes on reading. A half-close protocol's `writeConnectionLost()` runs then. Writes
   * afterwards are ignored. A no-op unless `'open'` or `'readClosed'`.
   */
  loseWriteConnection(): void {
    if (this.#state === 'open') this.#state = 'writeClosed';
    else if (this.#state === 'readClosed') this.#state = 'halfClosed';
    else return;
    this.#send.requestFin();
  }

  /**
   * Closes at once: unsent data is dropped and the peer gets a reset (its protocol sees
   * `ConnectionLost`); this end's protocol gets `connectionLost` with `ConnectionAborted` on the
   * next clock step. A no-op once closing.
   */
  abortConnection(): void {
    if (isEnding(this.#state)) return;
    this.#reason = closeReason(ConnectionAborted);
    this.#destroy('reset');
  }

  /**
   * @internal The host shuts down (Twisted's `disconnectAll`): the protocol gets
   * `connectionLost` with `ConnectionLost` on the next clock step; the peer sees a FIN.
   */
  disconnectForShutdown(): undefined {
    if (this.#state === 'closed' || this.#state === 'closing') return undefined;
    if (this.#reason === undefined || this.#reason.value instanceof ConnectionDone) {
      this.#reason = closeReason(ConnectionLost, 'The reactor shut down.');
    }
    this.#destroy('fin');
    return undefined;
  }

  /** @internal The network resets the connection (a middlebox's RST): `ConnectionLost` (ECONNRESET). */
  reset(): void {
    if (this.#state === 'closed') return;
    this.#send.kill();
    this.#failWith(this.#resetError());
  }

  /**
   * @internal Closes an end that was never started (its port refused the connection, or had
   * stopped when the handshake completed): the peer gets a FIN or a reset.
   */
  refuse(tell: 'fin' | 'reset'): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    if (tell === 'fin') this.#send.sendFin();
    else this.#send.sendReset();
    this.#onClosed?.();
  }

  #resetError(): Failure {
    const reset = systemError('ECONNRESET', -104, 'read', this.#remote.host, this.#remote.port);
    return closeReason(ConnectionLost, undefined, { osError: reset });
  }

  /** The socket is gone now (a reset, a timeout): the reason is `reason` unless one was set. */
  #failWith(reason: Failure): void {
    if (this.#state === 'closed') return;
    if (this.#state === 'closing') return; // already ending, with its own reason
    if (this.#reason === undefined || this.#reason.value instanceof ConnectionDone) this.#reason = reason;
    this.#lose();
  }

  /** Closes the socket now (with a FIN, or a reset); the protocol is told on the next clock step. */
  #destroy(tell: 'fin' | 'reset'): void {
    this.#state = 'closing';
    this.#dropBuffers();
    if (tell === 'reset') this.#send.sendReset();
    else this.#send.sendFin();
    this.#host.clock.callLater(0, () => this.#lose());
  }

  #dropBuffers(): void {
    this.#send.clear();
    this.#receive.clear();
  }

  /** The end: the producer is stopped, then the protocol's `connectionLost`, then the connector's `onLost`. */
  #lose(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#dropBuffers();
    this.#host.unregisterConnection(this);
    this.#onClosed?.();
    const reason = this.#reason ?? closeReason(ConnectionDone);
    tellConnectionLost(this.#logContext, this.#producer, this.#protocol, reason);
    this.#onLost?.(reason);
  }

  /** Calls a protocol hook in this connection's log context; a throw or rejection drops the connection. */
  #call(hook: string, fn: () => unknown): void {
    callHook(this.#logContext, hook, fn, this.#hookFailed);
  }

  readonly #hookFailed = (error: unknown, hook: string): void => {
    logErr(error, `Unhandled error in ${this.#prefix} ${hook}`, this.#prefix);
    if (isEnding(this.#state)) return;
    this.#reason = new Failure(error);
    this.#destroy('fin');
  };

  // ---------------------------------------------------------------------------------------------
  // Receiving (called by the pipe from the peer)

  /** @internal The next segment from the peer, in order. */
  segmentArrived(segment: Segment): void {
    const state = this.#state;
    if (state === 'closing' || state === 'closed') {
      // Data for a socket that is gone: the kernel answers with a reset.
      if (segment.kind === 'data') this.#send.sendReset();
      return;
    }
    this.#receive.arrive(segment);
  }

  /** @internal The peer reset the connection. */
  resetArrived(): void {
    if (this.#state === 'closed') return;
    this.#send.kill();
    this.#failWith(this.#resetError());
  }

  readonly #take = (segment: Segment): void => {
    const state = this.#state;
    if (segment.kind === 'fin') {
      this.#finArrived();
      return;
    }
    this.#receive.consumed(segment.data.length);
    if (!readsData(state)) return; // disconnecting: discarded
    const data = segment.data;
    this.#call('dataReceived', () => this.#protocol?.dataReceived(data));
  };

  /** The peer sent everything. */
  #finArrived(): void {
    const state = this.#state;
    if (!readsData(state)) return;
    const protocol = this.#protocol;
    if (protocol !== undefined && halfCloseable(protocol)) {
      this.#state = state === 'open' ? 'readClosed' : 'halfClosed';
      this.#call('readConnectionLost', () => protocol.readConnectionLost());
      if (this.#state === 'halfClosed' && this.#send.fin === 'sent')
        this.#host.clock.callLater(0, () => this.#lose());
      return;
    }
    // A protocol that does not handle half-close: the connection ends cleanly once what was
    // written has been sent, as the real connection does (Node's destroySoon).
    this.#reason ??= closeReason(ConnectionDone);
    this.#state = 'disconnecting';
    this.#send.requestClose();
  }

  // ---------------------------------------------------------------------------------------------
  // As a producer (reading) and a consumer (writing)

  /** Stops reading: what arrives waits here, and once the window is full the peer's data waits there. */
  pauseProducing(): void {
    if (this.connected) this.#receive.pause();
  }

  /** Reads again after `pauseProducing()` (what arrived meanwhile comes on the next clock step); not once disconnecting. */
  resumeProducing(): void {
    if (isOpenish(this.#state)) this.#receive.resume();
  }

  /** Stops for good: `loseConnection()`. */
  stopProducing(): void {
    this.loseConnection();
  }

  /**
   * Registers a producer to feed this connection (`streaming` true: a push producer, paused
   * when more than 16 KiB wait to be sent and resumed once they have gone; false: a pull
   * producer, asked for a chunk now and each time what it wrote has gone). On a closed
   * connection the producer is told to stop at once.
   *
   * @throws ProducerStateError when a producer is registered already; TypeError for a non-producer.
   */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    this.#producer ??= new ProducerSlot(
      () => this.#send.size === 0,
      (e) => this.#hookFailed(e, 'resumeProducing'),
    );
    this.#producer.register(producer, streaming, isEnding(this.#state));
  }

  /** Unregisters the producer; a `loseConnection()` that waited for it now proceeds. */
  unregisterProducer(): void {
    this.#producer?.unregister();
    if (this.#state === 'disconnecting') this.#send.requestClose();
  }

  // ---------------------------------------------------------------------------------------------
  // Addresses and options

  /** The other end's address (`IPv4Address`/`IPv6Address` of type `'TCP'`). */
  getPeer(): IPv4Address | IPv6Address {
    return this.#remote;
  }

  /** This end's address. */
  getHost(): IPv4Address | IPv6Address {
    return this.#local;
  }

  /** Records TCP_NODELAY (the simulation has no Nagle delay to turn off). */
  setTcpNoDelay(enabled: boolean): void {
    validateBoolean(enabled, 'enabled');
    this.#noDelay = enabled;
  }

  /** The flag last given to `setTcpNoDelay` (false at first, as in Twisted). */
  getTcpNoDelay(): boolean {
    return this.#noDelay;
  }

  /** Records SO_KEEPALIVE (the simulation sends no probes). */
  setTcpKeepAlive(enabled: boolean): void {
    validateBoolean(enabled, 'enabled');
    this.#keepAlive = enabled;
  }

  /** The flag last given to `setTcpKeepAlive` (false at first). */
  getTcpKeepAlive(): boolean {
    return this.#keepAlive;
  }

  /** The `system` name of what this connection logs: `Echo,3,10.0.0.2` on a server, `Echo,client` on a client. */
  logPrefix(): string {
    return this.#prefix;
  }

  /** `<VirtualConnection Echo,client 10.0.0.1:32768 → 10.0.0.2:8000 open>`. */
  toString(): string {
    const l = this.#local;
    const r = this.#remote;
    return `<VirtualConnection ${this.#prefix} ${l.host}:${l.port} → ${r.host}:${r.port} ${this.#state}>`;
  }

  /** Shows {@link toString} in `console.log` and `util.inspect`. */
  [inspect.custom](): string {
    return this.toString();
  }
}
