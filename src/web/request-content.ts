/**
 * `RequestContent`: a request's body as Twisted's `request.content`, a file-like object with
 * `read`, `seek` and `tell`. A small body stays in memory; past `MEMORY_LIMIT` bytes it moves to
 * an anonymous temporary file (as Twisted's `_getContentFile` picks a `TemporaryFile` for bodies
 * of 100,000 bytes or more), so a large upload costs disk, not memory.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RequestStateError } from '../errors/web.ts';
import { validateInteger } from '../validate.ts';

/** Bodies up to this many bytes stay in memory (Twisted's threshold). */
export const MEMORY_LIMIT = 100_000;

const EMPTY = Buffer.alloc(0);

/** Where `seek` counts from, as Python's `os.SEEK_SET`, `SEEK_CUR`, `SEEK_END`. */
export type Whence = 0 | 1 | 2;

/**
 * A request body: written once while it arrives, then read (and re-read after `seek(0)`) by
 * the resource. Reads are synchronous, as Twisted's are.
 */
export class RequestContent {
  #chunks: Buffer[] | undefined = [];
  #memory: Buffer = EMPTY;
  #fd: number | undefined = undefined;
  #size = 0;
  #position = 0;
  #closed = false;

  /** Builds the content of a body already in memory (for tests and `DummyRequest`-style use). */
  static from(body: Uint8Array | string): RequestContent {
    const content = new RequestContent();
    content.write(typeof body === 'string' ? Buffer.from(body) : Buffer.from(body));
    return content;
  }

  /** The size of the body in bytes. */
  get length(): number {
    return this.#size;
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Appends a chunk of the body (used while it arrives).
   *
   * @internal
   */
  write(chunk: Buffer): void {
    this.#checkOpen();
    if (this.#fd === undefined && this.#size + chunk.length > MEMORY_LIMIT) this.#spill();
    if (this.#fd !== undefined) {
      let done = 0;
      while (done < chunk.length)
        done += writeSync(this.#fd, chunk, done, chunk.length - done, this.#size + done);
    } else {
      (this.#chunks ??= [this.#memory]).push(chunk);
    }
    this.#size += chunk.length;
  }

  /**
   * Reads up to `size` bytes from the current position (all the rest when `size` is negative
   * or absent); an empty Buffer at the end, as Python's `read`.
   */
  read(size = -1): Buffer {
    this.#checkOpen();
    if (size !== -1) validateInteger(size, 'size', -1);
    const available = this.#size - this.#position;
    const count = size < 0 ? available : Math.min(size, available);
    if (count <= 0) return EMPTY;
    const start = this.#position;
    this.#position += count;
    if (this.#fd === undefined) return this.#flat().subarray(start, start + count);
    const out = Buffer.allocUnsafe(count);
    let done = 0;
    while (done < count) {
      const n = readSync(this.#fd, out, done, count - done, start + done);
      if (n === 0) break;
      done += n;
    }
    return done === count ? out : out.subarray(0, done);
  }

  /**
   * Moves the read position, as Python's `seek(offset, whence)`: from the start (0), the
   * current position (1) or the end (2). Returns the new position.
   */
  seek(offset: number, whence: Whence = 0): number {
    this.#checkOpen();
    validateInteger(offset, 'offset');
    validateInteger(whence, 'whence', 0, 2);
    const base = whence === 0 ? 0 : whence === 1 ? this.#position : this.#size;
    if (base + offset < 0)
      throw new RangeError(`The value of "offset" is out of range. A position cannot be negative`);
    this.#position = base + offset;
    return this.#position;
  }

  /** The read position. */
  tell(): number {
    return this.#position;
  }

  /** The whole body, wherever the read position is (Python's `BytesIO.getvalue`). */
  getvalue(): Buffer {
    const saved = this.#position;
    this.#position = 0;
    const all = this.read();
    this.#position = saved;
    return all;
  }

  /** Releases the memory or the temporary file; reading afterwards throws. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
    this.#chunks = undefined;
    this.#memory = EMPTY;
  }

  /** Whether the body lives in a temporary file (it grew past `MEMORY_LIMIT`). */
  get onDisk(): boolean {
    return this.#fd !== undefined;
  }

  #flat(): Buffer {
    if (this.#chunks !== undefined) {
      this.#memory = this.#chunks.length === 1 ? this.#chunks[0] : Buffer.concat(this.#chunks, this.#size);
      this.#chunks = undefined;
    }
    return this.#memory;
  }

  #spill(): void {
    const memory = this.#flat();
    const path = join(tmpdir(), `twisted-ts-body-${process.pid}-${randomBytes(8).toString('hex')}`);
    const fd = openSync(path, 'wx+', 0o600);
    unlinkSync(path); // anonymous from now on: it goes away with the descriptor, whatever happens
    let done = 0;
    while (done < memory.length) done += writeSync(fd, memory, done, memory.length - done, done);
    this.#fd = fd;
    this.#memory = EMPTY;
  }

  #checkOpen(): void {
    if (this.#closed) throw new RequestStateError('The request content is closed: the request has finished');
  }
}
