/**
 * Twisted's `twisted.protocols.basic.FileSender`.
 *
 * @module
 */
import { Deferred } from '../../defer/deferred.ts';
import { FileTransferStopped } from '../../errors/basic.ts';
import type { IConsumer, IPullProducer } from '../../interfaces.ts';
import { invalidArgType } from '../../validate.ts';

/** What `FileSender` reads from: Python's file API, `read(size)` giving an empty Buffer at the end. */
export interface ReadableFile {
  /** Up to `size` bytes; an empty Buffer (or `undefined`) at the end of the file. */
  read(size: number): Uint8Array | undefined;
}

/**
 * A pull producer that writes a file to a consumer (a transport) chunk by chunk, each time
 * the consumer asks for more, so that a large file never sits in memory as a whole.
 *
 * @example
 * const fd = openSync(path, 'r');
 * const file = { read: (n: number) => { const b = Buffer.allocUnsafe(n); return b.subarray(0, readSync(fd, b)); } };
 * await new FileSender().beginFileTransfer(file, this.transport);
 */
export class FileSender implements IPullProducer {
  /** How many bytes each `read` asks for (16 KiB, as Twisted). */
  CHUNK_SIZE = 2 ** 14;
  /** The last byte written (empty before the first write), which the Deferred fires with. */
  lastSent: Buffer = Buffer.alloc(0);
  /** The Deferred of the transfer in progress, or `undefined`. */
  deferred: Deferred<Buffer> | undefined = undefined;

  #file: ReadableFile | undefined = undefined;
  #consumer: IConsumer | undefined = undefined;
  #transform: ((chunk: Buffer) => Uint8Array) | undefined = undefined;

  /**
   * Registers as a pull producer with `consumer` and starts the transfer. The Deferred fires
   * with the last byte written once the whole file has been given to the consumer (after the
   * producer was unregistered), or fails with {@link FileTransferStopped} if the consumer
   * stops it first. `transform` may rewrite each chunk before it is written.
   */
  beginFileTransfer(
    file: ReadableFile,
    consumer: IConsumer,
    transform?: (chunk: Buffer) => Uint8Array,
  ): Deferred<Buffer> {
    if (file === null || typeof file !== 'object' || typeof file.read !== 'function') {
      throw invalidArgType('file', 'an object with a read(size) method', file);
    }
    if (transform !== undefined && typeof transform !== 'function') {
      throw invalidArgType('transform', 'of type function', transform);
    }
    this.#file = file;
    this.#consumer = consumer;
    this.#transform = transform;
    const deferred = (this.deferred = new Deferred<Buffer>());
    consumer.registerProducer(this, false);
    return deferred;
  }

  /** Reads one chunk and writes it; at the end, unregisters and fires the Deferred. */
  resumeProducing(): void {
    const consumer = this.#consumer;
    if (consumer === undefined) return;
    const read = this.#file?.read(this.CHUNK_SIZE);
    if (read === undefined || read.length === 0) {
      this.#file = undefined;
      this.#consumer = undefined;
      consumer.unregisterProducer();
      const deferred = this.deferred;
      this.deferred = undefined;
      deferred?.callback(this.lastSent);
      return;
    }
    let chunk: Uint8Array = Buffer.isBuffer(read)
      ? read
      : Buffer.from(read.buffer, read.byteOffset, read.byteLength);
    if (this.#transform !== undefined) chunk = this.#transform(chunk as Buffer);
    consumer.write(chunk);
    this.lastSent = Buffer.from(chunk.subarray(chunk.length - 1));
  }

  /** Nothing to do: a pull producer only writes when asked. */
  pauseProducing(): void {}

  /** The consumer gives up: the Deferred fails with {@link FileTransferStopped}. */
  stopProducing(): void {
    this.#file = undefined;
    this.#consumer = undefined;
    const deferred = this.deferred;
    this.deferred = undefined;
    deferred?.errback(new FileTransferStopped('Consumer asked us to stop producing'));
  }
}
