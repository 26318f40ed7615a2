/**
 * `StringTransport`: a stream transport that records what is written (Twisted's
 * `twisted.internet.testing.StringTransport`).
 *
 * @module
 */
import { ProducerStateError } from '../errors.ts';
import type {
  IAddress,
  IPullProducer,
  IPushProducer,
  IStreamTransport,
  StreamAddress,
} from '../interfaces.ts';
import { IPv4Address } from '../transports/address.ts';
import { checkStreamData, checkStreamSequence } from '../transports/tcp/stream-data.ts';
import { validateBoolean } from '../validate.ts';

/** Where a `StringTransport` is as a push producer. */
export type ProducerState = 'producing' | 'paused' | 'stopped';

/** Options of {@link StringTransport} (the keyword form of its positional arguments). */
export interface StringTransportOptions<A extends StreamAddress = IAddress> {
  /** What `getHost()` returns. Default `IPv4Address('TCP', '10.0.0.1', 12345)`. */
  hostAddress?: A;
  /** What `getPeer()` returns. Default `IPv4Address('TCP', '192.168.1.1', 54321)`. */
  peerAddress?: A;
  /** Allow `pauseProducing`/`resumeProducing` after `loseConnection` (Twisted's `lenient`). Default false. */
  lenient?: boolean;
}

/**
 * A transport that sends nothing and keeps what is written, for testing protocols without
 * sockets: `value()` is everything written since the last `clear()`. It keeps the state a real
 * connection would (`disconnecting` after `loseConnection()`, `disconnected` after
 * `abortConnection()`, the registered `producer`, its own `producerState`) without acting on it:
 * `loseConnection()` does not call the protocol's `connectionLost` (see
 * {@link StringTransportWithDisconnection}). Writes are checked as a real connection checks them.
 *
 * @example
 * const proto = new Echo();
 * const transport = new StringTransport();
 * proto.makeConnection(transport);
 * proto.dataReceived(Buffer.from('hello'));
 * expect(transport.value().toString()).toBe('hello');
 */
export class StringTransport<A extends StreamAddress = IAddress> implements IStreamTransport<A> {
  /** `false` until `loseConnection()` (or `abortConnection()`) is called, then `true`. */
  disconnecting = false;
  /** `false` until `abortConnection()` is called, then `true`. */
  disconnected = false;
  /** `true`: the transport is attached (a {@link StringTransportWithDisconnection} clears it when it loses the connection). */
  connected = true;
  /** `true` once `loseWriteConnection()` was called. */
  writeDisconnecting = false;
  /** The registered producer, or `undefined`. */
  producer: IPushProducer | IPullProducer | undefined = undefined;
  /** The `streaming` flag the registered producer was registered with, or `undefined`. */
  streaming: boolean | undefined = undefined;
  /** What `getHost()` returns; the default address when `undefined`. */
  hostAddr: A | undefined = undefined;
  /** What `getPeer()` returns; the default address when `undefined`. */
  peerAddr: A | undefined = undefined;
  /** This transport's own state as a push producer (`pauseProducing`, `resumeProducing`, `stopProducing`). */
  producerState: ProducerState = 'producing';

  #chunks: Buffer[] = [];
  #lenient: boolean;
  #noDelay = false;
  #keepAlive = false;

  /**
   * `new StringTransport(hostAddress?, peerAddress?, lenient = false)`, as Twisted's, or
   * `new StringTransport({ hostAddress, peerAddress, lenient })`.
   */
  constructor(hostAddress?: A | StringTransportOptions<A>, peerAddress?: A, lenient = false) {
    let options: StringTransportOptions<A>;
    if (hostAddress !== undefined && !('type' in hostAddress)) options = hostAddress;
    else options = { hostAddress, peerAddress, lenient };
    validateBoolean(options.lenient ?? false, 'lenient');
    this.hostAddr = options.hostAddress;
    this.peerAddr = options.peerAddress;
    this.#lenient = options.lenient ?? false;
  }

  /** Forgets what was written so far (for tests; not a transport method). */
  clear(): void {
    this.#chunks = [];
  }

  /** Everything written since the last `clear()`, as one Buffer (for tests; not a transport method). */
  value(): Buffer {
    if (this.#chunks.length > 1) this.#chunks = [Buffer.concat(this.#chunks)];
    return this.#chunks[0] ?? Buffer.alloc(0);
  }

  /**
   * Records `data` (a copy).
   *
   * @throws TypeError when `data` is not a `Uint8Array`, as a real connection does.
   */
  write(data: Uint8Array): void {
    checkStreamData(data);
    this.#chunks.push(Buffer.from(data));
  }

  /** Records each chunk of `data`, in order. */
  writeSequence(data: readonly Uint8Array[]): void {
    for (const chunk of checkStreamSequence(data)) this.#chunks.push(Buffer.from(chunk));
  }

  /** Sets `disconnecting`; nothing else (the protocol is not told). */
  loseConnection(): void {
    this.disconnecting = true;
  }

  /** Sets `disconnected`, then as `loseConnection()`. */
  abortConnection(): void {
    this.disconnected = true;
    this.loseConnection();
  }

  /** Sets `writeDisconnecting`; nothing else. */
  loseWriteConnection(): void {
    this.writeDisconnecting = true;
  }

  /** `peerAddr`, or `IPv4Address('TCP', '192.168.1.1', 54321)`, as Twisted's. */
  getPeer(): A {
    return this.peerAddr ?? (new IPv4Address('TCP', '192.168.1.1', 54321) as IAddress as A);
  }

  /** `hostAddr`, or `IPv4Address('TCP', '10.0.0.1', 12345)`, as Twisted's. */
  getHost(): A {
    return this.hostAddr ?? (new IPv4Address('TCP', '10.0.0.1', 12345) as IAddress as A);
  }

  /**
   * Records the producer; unlike a connection, never asks it for data.
   *
   * @throws ProducerStateError when one is registered already.
   */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.producer !== undefined) throw new ProducerStateError('Cannot register two producers');
    this.producer = producer;
    this.streaming = streaming;
  }

  /**
   * Forgets the producer.
   *
   * @throws ProducerStateError when none is registered.
   */
  unregisterProducer(): void {
    if (this.producer === undefined) {
      throw new ProducerStateError('Cannot unregister a producer unless one is registered');
    }
    this.producer = undefined;
    this.streaming = undefined;
  }

  /**
   * `producerState` becomes `'paused'`.
   *
   * @throws ProducerStateError after `loseConnection()` (unless `lenient`) or `stopProducing()`.
   */
  pauseProducing(): void {
    this.#checkState();
    this.producerState = 'paused';
  }

  /** `producerState` becomes `'stopped'`. */
  stopProducing(): void {
    this.producerState = 'stopped';
  }

  /**
   * `producerState` becomes `'producing'`.
   *
   * @throws ProducerStateError after `loseConnection()` (unless `lenient`) or `stopProducing()`.
   */
  resumeProducing(): void {
    this.#checkState();
    this.producerState = 'producing';
  }

  /** Records the TCP_NODELAY flag. */
  setTcpNoDelay(enabled: boolean): void {
    validateBoolean(enabled, 'enabled');
    this.#noDelay = enabled;
  }

  /** The flag last given to `setTcpNoDelay` (false at first). */
  getTcpNoDelay(): boolean {
    return this.#noDelay;
  }

  /** Records the SO_KEEPALIVE flag. */
  setTcpKeepAlive(enabled: boolean): void {
    validateBoolean(enabled, 'enabled');
    this.#keepAlive = enabled;
  }

  /** The flag last given to `setTcpKeepAlive` (false at first). */
  getTcpKeepAlive(): boolean {
    return this.#keepAlive;
  }

  /** `'StringTransport'`. */
  logPrefix(): string {
    return 'StringTransport';
  }

  #checkState(): void {
    if (this.disconnecting && !this.#lenient) {
      throw new ProducerStateError('Cannot resume producing after loseConnection');
    }
    if (this.producerState === 'stopped') throw new ProducerStateError('Cannot resume a stopped producer');
  }
}
