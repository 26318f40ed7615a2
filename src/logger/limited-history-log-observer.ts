/**
 * `LimitedHistoryLogObserver` (Twisted's): keeps the last `size` events to replay them later.
 *
 * @module
 */
import { CallableObserver } from './callable-observer.ts';
import type { ILogObserver, LogEvent } from './event.ts';

/** Stores the last `size` events (a ring buffer) and can replay them to another observer. */
export class LimitedHistoryLogObserver extends CallableObserver {
  #buffer: LogEvent[] = [];
  #start = 0;
  #size: number;

  /** Keeps at most `size` events (default 65,536); older ones are dropped. */
  constructor(size = 64 * 1024) {
    super();
    if (!Number.isInteger(size) || size < 1) {
      throw Object.assign(
        new RangeError(`The value of "size" is out of range. It must be an integer >= 1. Received ${size}`),
        {
          code: 'ERR_OUT_OF_RANGE',
        },
      );
    }
    this.#size = size;
  }

  /** Stores the event. */
  observe(event: LogEvent): void {
    if (this.#buffer.length < this.#size) {
      this.#buffer.push(event);
    } else {
      this.#buffer[this.#start] = event;
      this.#start = (this.#start + 1) % this.#size;
    }
  }

  /** Sends the stored events, oldest first, to `observer`. */
  replayTo(observer: ILogObserver): void {
    const n = this.#buffer.length;
    for (let i = 0; i < n; i++) observer(this.#buffer[(this.#start + i) % n]);
  }
}
