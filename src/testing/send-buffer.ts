/**
 * `SendBuffer`: the write side of a virtual connection end, as Node's socket keeps it — the data
 * written and not yet sent (the peer's window is full), the end of the data (`end()`, FIN), and
 * "close once flushed" (`destroySoon()`).
 *
 * @internal
 * @module
 */
import type { Clock } from '../task/index.ts';
import type { StreamPipe } from './stream-pipe.ts';

/** Where the end of the data is: not asked for, asked for (it follows the buffer), sent. */
export type FinState = 'none' | 'requested' | 'sent';

/**
 * The data an end has written and not yet put into its pipe, sent as the window allows. Once
 * it is empty, `onFlushed` runs on the next clock step (never inside `write`), where the
 * connection sends a requested FIN, closes, or asks its producer for more.
 */
export class SendBuffer {
  #chunks: Buffer[] = [];
  #bytes = 0;
  #pipe: StreamPipe | undefined;
  #fin: FinState = 'none';
  #closeWhenFlushed = false;
  #scheduled = false;
  readonly #clock: Clock;
  readonly #onFlushed: () => void;

  /** A buffer whose emptying is reported to `onFlushed`, on `clock`. */
  constructor(clock: Clock, onFlushed: () => void) {
    this.#clock = clock;
    this.#onFlushed = onFlushed;
  }

  /** Sends into `pipe` from now on. */
  attach(pipe: StreamPipe): void {
    this.#pipe = pipe;
  }

  /** Bytes waiting for window space (Node's `writableLength`). */
  get size(): number {
    return this.#bytes;
  }

  /** Where the end of the data is. */
  get fin(): FinState {
    return this.#fin;
  }

  /** Whether the connection closes once the buffer is empty (`destroySoon()` was asked for). */
  get closeWhenFlushed(): boolean {
    return this.#closeWhenFlushed;
  }

  /** Queues `chunk` and sends what the window allows. */
  add(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
    this.pump();
  }

  /** Puts as much waiting data into the pipe as the window allows (again once it opens). */
  pump(): void {
    const pipe = this.#pipe;
    if (pipe === undefined) return;
    while (this.#bytes > 0 && pipe.capacity > 0) {
      const head = this.#chunks[0];
      const room = pipe.capacity;
      if (head.length <= room) {
        this.#chunks.shift();
        this.#bytes -= head.length;
        pipe.sendData(head);
      } else {
        this.#chunks[0] = head.subarray(room);
        this.#bytes -= room;
        pipe.sendData(head.subarray(0, room));
      }
    }
    if (this.#bytes === 0) this.scheduleFlushed();
  }

  /** The end of the data goes after what is buffered (`socket.end()`). */
  requestFin(): void {
    if (this.#fin === 'none') this.#fin = 'requested';
    if (this.#bytes === 0) this.scheduleFlushed();
  }

  /** The connection closes once the buffer is empty (`socket.destroySoon()`). */
  requestClose(): void {
    this.#closeWhenFlushed = true;
    if (this.#bytes === 0) this.scheduleFlushed();
  }

  /** Sends the FIN now (once), after what the pipe already carries. */
  sendFin(): void {
    if (this.#fin === 'sent') return;
    this.#fin = 'sent';
    this.#pipe?.sendFin();
  }

  /** Sends a reset (nothing buffered goes out). */
  sendReset(): void {
    this.#pipe?.sendReset();
  }

  /** Stops the pipe at once (the network reset the connection). */
  kill(): void {
    this.#pipe?.kill();
  }

  /** Drops what is buffered (the connection is closing at once). */
  clear(): void {
    this.#chunks = [];
    this.#bytes = 0;
  }

  /** Runs `onFlushed` on the next clock step, once however often asked before. */
  scheduleFlushed(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#clock.callLater(0, () => {
      this.#scheduled = false;
      if (this.#bytes === 0) this.#onFlushed();
    });
  }
}
