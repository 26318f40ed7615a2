/**
 * `ReceiveQueue`: the read side of a virtual connection end — what arrived while reading was
 * paused (`pauseProducing`), and the window updates that tell the peer it may send more.
 *
 * @internal
 * @module
 */
import type { Clock } from '../task/index.ts';
import type { Segment, StreamPipe } from './stream-pipe.ts';

/**
 * Hands the segments from the peer's pipe to `take`, in order — at once while reading, later
 * while paused (they wait here, and since they are not read the peer's window fills and its
 * data waits there). A data segment's window space goes back to the peer once taken.
 */
export class ReceiveQueue {
  #pipe: StreamPipe | undefined;
  #waiting: Segment[] = [];
  #paused = false;
  readonly #clock: Clock;
  readonly #take: (segment: Segment) => void;
  readonly #reading: () => boolean;

  /**
   * @param take delivers one segment to the connection.
   * @param reading whether the connection still reads (not once it is closing).
   */
  constructor(clock: Clock, take: (segment: Segment) => void, reading: () => boolean) {
    this.#clock = clock;
    this.#take = take;
    this.#reading = reading;
  }

  /** Reads from `pipe` (the peer's) from now on. */
  attach(pipe: StreamPipe): void {
    this.#pipe = pipe;
  }

  /** A segment arrived: taken now, or queued behind others while paused. */
  arrive(segment: Segment): void {
    if (this.#paused || this.#waiting.length > 0) this.#waiting.push(segment);
    else this.#take(segment);
  }

  /** `bytes` were read: the window update goes back to the peer. */
  consumed(bytes: number): void {
    this.#pipe?.consumed(bytes);
  }

  /** Stops taking segments. */
  pause(): void {
    this.#paused = true;
  }

  /** Takes segments again; what waited is taken on the next clock step. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#clock.callLater(0, this.#drain);
  }

  /** Whether reading is paused. */
  get paused(): boolean {
    return this.#paused;
  }

  /** Forgets what waited (the connection closes). */
  clear(): void {
    this.#waiting = [];
  }

  readonly #drain = (): void => {
    while (!this.#paused && this.#waiting.length > 0 && this.#reading()) {
      this.#take(this.#waiting.shift() as Segment);
    }
  };
}
