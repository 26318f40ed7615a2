/**
 * `StaticProducer`: sends a file (or some ranges of it) to a request as a push producer (the role
 * of Twisted's `NoRangeStaticProducer`, `SingleRangeStaticProducer` and
 * `MultipleRangeStaticProducer`). The file is read asynchronously with `fs` streams; when the
 * response's buffer is full the request pauses the producer and reading stops, so a client that
 * does not read costs one stream buffer, not the file.
 *
 * @module
 */
import { closeSync, read } from 'node:fs';
import { Readable } from 'node:stream';
import type { IPushProducer } from '../../interfaces.ts';
import { Logger } from '../../logger/logger.ts';
import type { Request } from '../request.ts';

/** A part of the body: bytes to send as they are, or a span of the file. */
export type StaticPart = Buffer | FileSpan;

/** A span of the file: `length` bytes from `offset`. */
export interface FileSpan {
  /** Where the span starts in the file. */
  readonly offset: number;
  /** How many bytes it holds. */
  readonly length: number;
}

const log = new Logger('twisted-ts.web.static');
const CHUNK = 64 * 1024;

function readAt(fd: number, length: number, position: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const buffer = Buffer.allocUnsafe(length);
    read(fd, buffer, 0, length, position, (err, n) => (err ? reject(err) : resolve(buffer.subarray(0, n))));
  });
}

// The parts, read with positioned reads: the descriptor is shared by all parts and owned by the
// generator, which closes it in `finally` — after any read in flight, since an async generator's
// return() waits for the step it is in.
async function* partsOf(
  file: { fd: number; owned: boolean },
  parts: readonly StaticPart[],
): AsyncGenerator<Buffer> {
  const { fd } = file;
  file.owned = true;
  try {
    for (const part of parts) {
      if (Buffer.isBuffer(part)) {
        if (part.length > 0) yield part;
        continue;
      }
      let position = part.offset;
      const end = part.offset + part.length;
      while (position < end) {
        const chunk = await readAt(fd, Math.min(CHUNK, end - position), position);
        if (chunk.length === 0) throw new Error('The file shrank while it was being sent');
        position += chunk.length;
        yield chunk;
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** Streams parts of an open file into a request, then finishes it and closes the file. */
export class StaticProducer implements IPushProducer {
  readonly #request: Request;
  readonly #stream: Readable;

  /**
   * @param request - the request to answer (status and headers already set).
   * @param fd - the open file; the producer closes it.
   * @param parts - what to send, in order.
   */
  constructor(request: Request, fd: number, parts: readonly StaticPart[]) {
    this.#request = request;
    const file = { fd, owned: false };
    this.#stream = Readable.from(partsOf(file, parts), { objectMode: false });
    // Stopped before the first read, the generator never ran its `finally`: close the file here.
    this.#stream.on('close', () => {
      if (!file.owned) closeSync(fd);
    });
  }

  /** Registers with the request and starts sending. */
  start(): void {
    this.#request.registerProducer(this, true);
    this.#stream.on('data', (chunk: Buffer) => this.#request.write(chunk));
    this.#stream.on('end', () => {
      const request = this.#request;
      if (request.producer === this) request.unregisterProducer();
      if (!request.finished && !request.disconnected) request.finish();
    });
    this.#stream.on('error', (err) => {
      log.failure('Error reading a static file for {uri}', err, undefined, { uri: this.#request.uri });
      // The headers promised a length the body can no longer have: cut the connection.
      this.#request.nodeResponse.destroy(err);
    });
  }

  /** The response's buffer is full: stop reading the file. */
  pauseProducing(): void {
    this.#stream.pause();
  }

  /** The response drained: read on. */
  resumeProducing(): void {
    if (!this.#stream.destroyed) this.#stream.resume();
  }

  /** The client went away: stop reading (the generator closes the file once the read in flight ends). */
  stopProducing(): void {
    this.#stream.destroy();
  }
}
