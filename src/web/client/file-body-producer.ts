/**
 * `FileBodyProducer` (Twisted's `client.FileBodyProducer`): a request body read from a Node
 * `Readable`, a Buffer (or string), or a file-like object with a synchronous `read(size)`.
 *
 * @module
 */
import { ReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { Deferred } from '../../defer/deferred.ts';
import type { IConsumer } from '../../interfaces.ts';
import { invalidArgType, validateInteger } from '../../validate.ts';
import { type IBodyProducer, UNKNOWN_LENGTH } from '../iweb.ts';

/** A file-like object, as Python's: `read(size)` returns at most `size` bytes, an empty Buffer at the end. */
export interface FileLike {
  /** Up to `size` bytes; an empty Buffer at the end. */
  read(size: number): Uint8Array;
  /** Moves the position (Python's `seek(offset, whence)`); with `tell`, lets the length be known. */
  seek?(offset: number, whence?: 0 | 1 | 2): unknown;
  /** The position. */
  tell?(): number;
  /** Called once the body was read, or producing stopped. */
  close?(): unknown;
}

type State = 'idle' | 'producing' | 'paused' | 'done';

function lengthOf(input: Readable | Buffer | FileLike): number | typeof UNKNOWN_LENGTH {
  if (Buffer.isBuffer(input)) return input.length;
  if (input instanceof ReadStream) {
    const { path, start, end } = input as ReadStream & { start?: number; end?: number };
    if (typeof path === 'string' && (end === undefined || end === Infinity)) {
      try {
        return Math.max(0, statSync(path).size - (start ?? 0));
      } catch {
        return UNKNOWN_LENGTH;
      }
    }
    return UNKNOWN_LENGTH;
  }
  if (input instanceof Readable) return UNKNOWN_LENGTH;
  // Twisted's _determineLength: seek to the end and back.
  if (typeof input.seek === 'function' && typeof input.tell === 'function') {
    const here = input.tell();
    input.seek(0, 2);
    const end = input.tell();
    input.seek(here, 0);
    return end - here;
  }
  return UNKNOWN_LENGTH;
}

/**
 * Produces a request body from `input`, pausing while the connection's buffer is full. A known
 * length (a Buffer, a file stream opened by path, a file-like object with `seek`/`tell`) is sent
 * as `Content-Length`; any other body is sent chunked.
 *
 * @example
 * const body = new FileBodyProducer(createReadStream('upload.bin'));
 * await agent.request('PUT', 'http://127.0.0.1:8080/upload', undefined, body);
 */
export class FileBodyProducer implements IBodyProducer {
  /** The body's length, or `UNKNOWN_LENGTH`. */
  readonly length: number | typeof UNKNOWN_LENGTH;
  readonly #input: Readable | Buffer | FileLike;
  readonly #readSize: number;
  #state: State = 'idle';
  #consumer: IConsumer | undefined = undefined;
  #done: Deferred<void> | undefined = undefined;
  #offset = 0;
  #scheduled = false;

  /**
   * @param input - a `Readable`, a Buffer or string (UTF-8), or a file-like object.
   * @param _cooperator - Twisted's cooperator argument, accepted and unused: reads are paced by
   *   the event loop.
   * @param readSize - bytes per chunk for Buffers and file-like objects (64 KiB).
   */
  constructor(input: Readable | Uint8Array | string | FileLike, _cooperator?: unknown, readSize = 65536) {
    validateInteger(readSize, 'readSize', 1);
    if (typeof input === 'string') this.#input = Buffer.from(input, 'utf8');
    else if (input instanceof Uint8Array)
      this.#input = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    else if (
      input instanceof Readable ||
      (input !== null && typeof input === 'object' && typeof input.read === 'function')
    ) {
      this.#input = input;
    } else
      throw invalidArgType('inputFile', 'a Readable, a Buffer, a string or an object with read(size)', input);
    this.#readSize = readSize;
    this.length = lengthOf(this.#input);
  }

  /** Writes the body to `consumer`; fires once all of it was written. */
  startProducing(consumer: IConsumer): Deferred<void> {
    this.#consumer = consumer;
    this.#state = 'producing';
    const done = (this.#done = new Deferred<void>(() => this.stopProducing()));
    const input = this.#input;
    if (input instanceof Readable) {
      input.on('data', (chunk: Buffer | string) => {
        if (this.#state !== 'done') consumer.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      });
      input.once('end', () => this.#finish());
      input.once('error', (err) => this.#fail(err));
    } else {
      this.#schedule();
    }
    return done;
  }

  /** Stops reading until `resumeProducing`. */
  pauseProducing(): void {
    if (this.#state !== 'producing') return;
    this.#state = 'paused';
    if (this.#input instanceof Readable) this.#input.pause();
  }

  /** Reads again. */
  resumeProducing(): void {
    if (this.#state !== 'paused') return;
    this.#state = 'producing';
    if (this.#input instanceof Readable) this.#input.resume();
    else this.#schedule();
  }

  /** Stops for good and closes the input; the Deferred of `startProducing` then never fires (as Twisted's). */
  stopProducing(): void {
    if (this.#state === 'done') return;
    this.#state = 'done';
    this.#closeInput();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    // One chunk per turn of the event loop, as Twisted's cooperator paces its reads.
    setImmediate(() => {
      this.#scheduled = false;
      this.#step();
    });
  }

  #step(): void {
    if (this.#state !== 'producing') return;
    let chunk: Uint8Array;
    try {
      const input = this.#input as Buffer | FileLike;
      if (Buffer.isBuffer(input)) {
        chunk = input.subarray(this.#offset, this.#offset + this.#readSize);
        this.#offset += chunk.length;
      } else {
        chunk = input.read(this.#readSize);
      }
    } catch (err) {
      return this.#fail(err);
    }
    if (chunk.length === 0) return this.#finish();
    this.#consumer?.write(chunk);
    this.#schedule();
  }

  #finish(): void {
    if (this.#state === 'done') return;
    this.#state = 'done';
    this.#closeInput();
    this.#done?.callback(undefined);
  }

  #fail(err: unknown): void {
    if (this.#state === 'done') return;
    this.#state = 'done';
    this.#closeInput();
    this.#done?.errback(err);
  }

  #closeInput(): void {
    const input = this.#input;
    if (input instanceof Readable) input.destroy();
    else if (!Buffer.isBuffer(input) && typeof input.close === 'function') {
      try {
        input.close();
      } catch {
        // closing is best effort, as Python's file.close at the end of Twisted's loop
      }
    }
  }
}
