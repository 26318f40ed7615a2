/**
 * `TransportDuplex`: a Node `Duplex` over a Twisted transport, for connections whose transport
 * is not a plain `net.Socket` node:http can take over (a `StringTransport` in tests, a
 * connection of a `VirtualNetwork`, any custom transport). What the channel's `dataReceived`
 * gets is pushed into it; what node:http writes goes to `transport.write`. Flow control both ways
 * is the transport's producer/consumer protocol: the Duplex registers as a push producer on the
 * transport, and pauses the transport's reading while node:http does not read.
 *
 * @internal
 * @module
 */
import { Duplex } from 'node:stream';
import type { IConsumer, IPushProducer, ITransport } from '../interfaces.ts';

type FullTransport = ITransport & Partial<IConsumer> & Partial<IPushProducer> & { abortConnection?(): void };

/** A Duplex whose other end is a Twisted transport. */
export class TransportDuplex extends Duplex implements IPushProducer {
  readonly #transport: FullTransport;
  #writable = true;
  #pendingWrite: (() => void) | undefined = undefined;
  #readingPaused = false;
  #idleTimer: NodeJS.Timeout | undefined = undefined;
  #idleMs = 0;
  #gone = false;

  constructor(transport: ITransport) {
    super({ allowHalfOpen: true });
    this.#transport = transport as FullTransport;
    this.#transport.registerProducer?.(this, true);
  }

  /** The channel received `data` from the transport. */
  received(data: Buffer): void {
    this.#touch();
    if (!this.push(data) && !this.#readingPaused) {
      this.#readingPaused = true;
      this.#transport.pauseProducing?.();
    }
  }

  /** The transport's connection ended (the channel's `connectionLost`). */
  lost(error: Error | undefined): void {
    this.#gone = true;
    this.#clearIdle();
    this.#writable = false;
    this.#release();
    this.push(null);
    this.destroy(error);
  }

  /** Node's `socket.setTimeout`: emits `'timeout'` after `ms` without traffic (0 turns it off). */
  setTimeout(ms: number, callback?: () => void): this {
    this.#idleMs = ms;
    if (callback !== undefined) this.once('timeout', callback);
    this.#touch();
    return this;
  }

  /** Node's `socket.setNoDelay`: nothing to do over a transport. */
  setNoDelay(): this {
    return this;
  }

  /** Node's `socket.setKeepAlive`: nothing to do over a transport. */
  setKeepAlive(): this {
    return this;
  }

  /** The transport's buffer is full: hold node:http's writes. */
  pauseProducing(): void {
    this.#writable = false;
  }

  /** The transport drained: let node:http write again. */
  resumeProducing(): void {
    this.#writable = true;
    this.#release();
  }

  /** The transport is going away. */
  stopProducing(): void {
    this.#writable = false;
    this.#release();
  }

  override _read(): void {
    if (this.#readingPaused) {
      this.#readingPaused = false;
      this.#transport.resumeProducing?.();
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.#gone) return callback();
    this.#touch();
    this.#transport.write(chunk);
    if (this.#writable) callback();
    else this.#pendingWrite = callback;
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#clearIdle();
    if (!this.#gone) {
      this.#transport.unregisterProducer?.();
      this.#transport.loseConnection();
    }
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#clearIdle();
    this.#release();
    if (this.#gone) {
      // The transport is already closed: nothing to tell it.
    } else if (error !== null) {
      if (typeof this.#transport.abortConnection === 'function') this.#transport.abortConnection();
      else this.#transport.loseConnection();
    } else if (!this.writableFinished) {
      this.#transport.loseConnection();
    }
    callback(error);
  }

  #release(): void {
    const pending = this.#pendingWrite;
    this.#pendingWrite = undefined;
    pending?.();
  }

  #touch(): void {
    if (this.#idleMs <= 0) return this.#clearIdle();
    if (this.#idleTimer !== undefined) this.#idleTimer.refresh();
    else this.#idleTimer = setTimeout(() => this.emit('timeout'), this.#idleMs).unref();
  }

  #clearIdle(): void {
    if (this.#idleTimer !== undefined) clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
  }
}
