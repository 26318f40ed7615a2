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
 * What an iterator tells the feed that pushes to it.
 *
 * @internal
 */
export interface IteratorOwner {
  /** The consumer stopped (break, return, abort, the port closed): forget the iterator. */
  returned(it: DatagramIterator): void;
  /**
   * A consumer awaits the next datagram (`awaiting` true) or no longer does. While one awaits,
   * the feed must hold the iterator strongly: the suspended loop is reachable only through it.
   */
  awaiting(it: DatagramIterator, awaiting: boolean): void;
}

/** The buffer starts this small and doubles up to `highWaterMark` as datagrams wait in it. */
const INITIAL_CAPACITY = 16;

/**
 * A bounded FIFO of received datagrams, consumed with `for await`. When it holds
 * `highWaterMark` entries and another arrives, the oldest is dropped (UDP semantics: a slow
 * reader loses datagrams rather than growing memory without bound) and `drops` counts it. The
 * buffer grows only as datagrams wait in it, so an iterator nobody reads yet costs little.
 *
 * It ends (`done`) when the port closes or the loop breaks, and rejects with the error given to
 * {@link DatagramIterator.fail} (an `AbortError` when its signal aborts).
 */
export class DatagramIterator implements AsyncIterableIterator<DatagramEntry, undefined> {
  /** Datagrams dropped because the buffer was full. */
  drops = 0;
  /** How many datagrams the buffer holds before it drops the oldest. */
  readonly highWaterMark: number;
  /** @internal The feed's weak reference to this iterator (made once). */
  readonly ref: WeakRef<DatagramIterator>;
  // A ring buffer: `head` is the oldest entry, `length` how many are held; its capacity is
  // `ring.length`, which grows to `highWaterMark`.
  private ring: (DatagramEntry | undefined)[];
  private head = 0;
  private length = 0;
  private waiter: Waiter | undefined;
  private finished = false;
  private error: unknown;
  private readonly owner: IteratorOwner;

  /** @param owner told when the consumer stops, and when it starts or stops awaiting a datagram. */
  constructor(highWaterMark: number, owner: IteratorOwner) {
    this.highWaterMark = highWaterMark;
    this.ring = new Array<DatagramEntry | undefined>(Math.min(INITIAL_CAPACITY, highWaterMark));
    this.owner = owner;
    this.ref = new WeakRef(this);
  }

  /** Adds a datagram; returns true when the oldest had to be dropped to make room. */
  push(entry: DatagramEntry): boolean {
    if (this.finished) return false;
    const waiter = this.waiter;
    if (waiter !== undefined) {
      this.waiter = undefined;
      this.owner.awaiting(this, false);
      waiter.resolve({ value: entry, done: false });
      return false;
    }
    if (this.length === this.ring.length && this.ring.length < this.highWaterMark) this.grow();
    const cap = this.ring.length;
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
    this.owner.returned(this);
  }

  /** Ends the iteration with `error`, at once: buffered datagrams are discarded. */
  fail(error: unknown): void {
    if (this.finished && this.error !== undefined) return;
    this.finished = true;
    this.error = error;
    this.clear();
    this.settleWaiter();
    this.owner.returned(this);
  }

  /**
   * The oldest buffered datagram, or the next one to arrive; `done` once the port closed (or
   * `return` was called); rejects once with the error given to `fail`. One call at a time.
   */
  next(): Promise<IteratorResult<DatagramEntry, undefined>> {
    if (this.length > 0) {
      const entry = this.ring[this.head] as DatagramEntry;
      this.ring[this.head] = undefined;
      this.head = (this.head + 1) % this.ring.length;
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
      this.owner.awaiting(this, true);
    });
  }

  /** Called by `for await` on `break`: stops buffering and lets the port forget this iterator. */
  return(): Promise<IteratorResult<DatagramEntry, undefined>> {
    this.finished = true;
    this.error = undefined;
    this.clear();
    this.settleWaiter();
    this.owner.returned(this);
    return Promise.resolve({ value: undefined, done: true });
  }

  /** The iterator itself, so that `for await (const [data, addr] of port.datagrams())` works. */
  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Doubles the buffer (up to `highWaterMark`), oldest entry first. */
  private grow(): void {
    const old = this.ring;
    const ring = new Array<DatagramEntry | undefined>(Math.min(old.length * 2, this.highWaterMark));
    for (let i = 0; i < this.length; i++) ring[i] = old[(this.head + i) % old.length];
    this.ring = ring;
    this.head = 0;
  }

  private clear(): void {
    this.ring = [];
    this.head = 0;
    this.length = 0;
  }

  private settleWaiter(): void {
    const waiter = this.waiter;
    if (waiter === undefined) return;
    this.waiter = undefined;
    this.owner.awaiting(this, false);
    if (this.error !== undefined) {
      const error = this.error;
      this.error = undefined;
      waiter.reject(error);
    } else {
      waiter.resolve({ value: undefined, done: true });
    }
  }
}
