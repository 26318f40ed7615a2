/**
 * `TransportDuplex`: a Node `Duplex` over a Twisted transport, for connections whose transport
 * is not a plain `net.Socket` node:http can take over (a `StringTransport` in tests, a
 * connection of a `VirtualNetwork`, any custom transport). What the channel's `dataReceived`
 * gets is pushed into it; what node:http writes goes to `transport.write`. Flow control both ways
 * is the transport's producer/consumer protocol: the Duplex registers as a push producer on the
 * transport while it writes — and stays registered only while the transport's buffer is full —
 * and pauses the transport's reading while node:http does not read. Staying registered for good
 * would make a `loseConnection()` from anyone else (a `TimeoutProtocol` wrapping the site's
 * channel) wait for ever, since the transport closes only once its producer has unregistered.
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
  /** Whether this Duplex is the transport's registered producer now. */
  #registered = false;

  constructor(transport: ITransport) {
    super({ allowHalfOpen: true });
    this.#transport = transport as FullTransport;
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
    this.#unregister();
    this.#release();
  }

  /** The transport is going away. */
  stopProducing(): void {
    this.#writable = false;
    this.#registered = false;
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
    if (!this.#registered && typeof this.#transport.registerProducer === 'function') {
      this.#transport.registerProducer(this, true);
      this.#registered = true;
    }
    this.#transport.write(chunk);
    if (this.#writable) {
      this.#unregister();
      callback();
    } else this.#pendingWrite = callback;
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#clearIdle();
    if (!this.#gone) {
      this.#unregister();
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

  #unregister(): void {
    if (!this.#registered) return;
    this.#registered = false;
    this.#transport.unregisterProducer?.();
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
