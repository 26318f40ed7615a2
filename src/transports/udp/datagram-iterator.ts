/**
 * The async iterator behind `UdpPort.datagrams()`.
 *
 * @module
 */
import type { AddressTuple } from '../../interfaces.ts';

/** One received datagram and its sender, as `datagrams()` yields them. */
export type DatagramEntry = [datagram: Buffer, addr: AddressTuple];

type Waiter = {
  resolve: (r: IteratorResult<DatagramEntry, undefined>) => void;
  reject: (e: unknown) => void;
};

/**
 * A bounded FIFO of received datagrams, consumed with `for await`. When it holds
 * `highWaterMark` entries and another arrives, the oldest is dropped (UDP semantics: a slow
 * reader loses datagrams rather than growing memory without bound) and `drops` counts it.
 *
 * It ends (`done`) when the port closes or the loop breaks, and rejects with the error given to
 * {@link DatagramIterator.fail} (an `AbortError` when its signal aborts).
 */
export class DatagramIterator implements AsyncIterableIterator<DatagramEntry, undefined> {
  /** Datagrams dropped because the buffer was full. */
  drops = 0;
  /** How many datagrams the buffer holds before it drops the oldest. */
  readonly highWaterMark: number;
  // A ring buffer: `head` is the oldest entry, `length` how many are held.
  private readonly ring: (DatagramEntry | undefined)[];
  private head = 0;
  private length = 0;
  private waiter: Waiter | undefined;
  private finished = false;
  private error: unknown;
  private readonly onReturn: (it: DatagramIterator) => void;

  /** @param onReturn called once when the consumer stops (break, return, abort) so the port forgets it. */
  constructor(highWaterMark: number, onReturn: (it: DatagramIterator) => void) {
    this.highWaterMark = highWaterMark;
    this.ring = new Array<DatagramEntry | undefined>(highWaterMark);
    this.onReturn = onReturn;
  }

  /** Adds a datagram; returns true when the oldest had to be dropped to make room. */
  push(entry: DatagramEntry): boolean {
    if (this.finished) return false;
    const waiter = this.waiter;
    if (waiter !== undefined) {
      this.waiter = undefined;
      waiter.resolve({ value: entry, done: false });
      return false;
    }
    const cap = this.highWaterMark;
    if (this.length === cap) {
      this.ring[(this.head + this.length) % cap] = entry; // overwrites the oldest (index head)
      this.head = (this.head + 1) % cap;
      this.drops += 1;
      return true;
    }
    this.ring[(this.head + this.length) % cap] = entry;
    this.length += 1;
    return false;
  }

  /** Ends the iteration after the buffered datagrams have been read (the port closed). */
  end(): void {
    if (this.finished) return;
    this.finished = true;
    this.settleWaiter();
    // Let go of the abort signal now: a long-lived signal would otherwise keep one listener per
    // ended iterator, and a later abort would discard datagrams still buffered for the reader.
    this.onReturn(this);
  }

  /** Ends the iteration with `error`, at once: buffered datagrams are discarded. */
  fail(error: unknown): void {
    if (this.finished && this.error !== undefined) return;
    this.finished = true;
    this.error = error;
    this.clear();
    this.settleWaiter();
    this.onReturn(this);
  }

  /**
   * The oldest buffered datagram, or the next one to arrive; `done` once the port closed (or
   * `return` was called); rejects once with the error given to `fail`. One call at a time.
   */
  next(): Promise<IteratorResult<DatagramEntry, undefined>> {
    if (this.length > 0) {
      const entry = this.ring[this.head] as DatagramEntry;
      this.ring[this.head] = undefined;
      this.head = (this.head + 1) % this.highWaterMark;
      this.length -= 1;
      return Promise.resolve({ value: entry, done: false });
    }
    if (this.error !== undefined) {
      const error = this.error;
      this.error = undefined; // reported once; afterwards the iterator is simply done
      return Promise.reject(error);
    }
    if (this.finished) return Promise.resolve({ value: undefined, done: true });
    if (this.waiter !== undefined) {
      return Promise.reject(new Error('datagrams(): next() called again before the previous call settled'));
    }
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /** Called by `for await` on `break`: stops buffering and lets the port forget this iterator. */
  return(): Promise<IteratorResult<DatagramEntry, undefined>> {
    this.finished = true;
    this.error = undefined;
    this.clear();
    this.settleWaiter();
    this.onReturn(this);
    return Promise.resolve({ value: undefined, done: true });
  }

  /** The iterator itself, so that `for await (const [data, addr] of port.datagrams())` works. */
  [Symbol.asyncIterator](): this {
    return this;
  }

  private clear(): void {
    this.ring.fill(undefined);
    this.head = 0;
    this.length = 0;
  }

  private settleWaiter(): void {
    const waiter = this.waiter;
    if (waiter === undefined) return;
    this.waiter = undefined;
    if (this.error !== undefined) {
      const error = this.error;
      this.error = undefined;
      waiter.reject(error);
    } else {
      waiter.resolve({ value: undefined, done: true });
    }
  }
}
