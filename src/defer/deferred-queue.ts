/**
 * `DeferredQueue`: a queue whose `get` gives a Deferred (Twisted's `defer.DeferredQueue`).
 *
 * @module
 */
import { QueueOverflow, QueueUnderflow } from '../errors.ts';
import { validateInteger } from '../validate.ts';
import { Deferred } from './deferred.ts';
import { Fifo } from './fifo.ts';
import { succeed } from './shortcuts.ts';

/**
 * A FIFO queue for producers and consumers. `put(obj)` hands `obj` to the oldest pending `get`
 * or stores it; `get()` fires with the oldest stored object, or waits for the next `put`.
 * `size` bounds the stored objects (`put` beyond it throws `QueueOverflow`), `backlog` bounds the
 * waiting gets (`get` beyond it throws `QueueUnderflow`); both are unbounded by default.
 * Cancelling a pending `get` removes it from the queue.
 *
 * @example
 * const q = new DeferredQueue<Buffer>();
 * q.get().addCallback((datagram) => handle(datagram));
 * q.put(Buffer.from('hello'));   // handle() runs now
 */
export class DeferredQueue<T = unknown> {
  /** The most objects stored at once (`undefined`: unbounded). */
  readonly size: number | undefined;
  /** The most gets waiting at once (`undefined`: unbounded). */
  readonly backlog: number | undefined;
  readonly #pending = new Fifo<T>();
  readonly #waiting = new Fifo<Deferred<T>>();
  /**
   * Gets already given their object, not yet fired, with the object: `[get, object, …]`. A put
   * from inside a get's callback lands here and the loop of the outer put fires it, so that
   * producers and consumers feeding each other run in constant stack (Twisted recurses, and a
   * ping-pong of a few thousand items overflowed the stack).
   */
  readonly #handOffs = new Fifo<unknown>();
  #handingOff = false;

  /** @throws RangeError (`ERR_OUT_OF_RANGE`) unless `size` and `backlog` are integers >= 0 (or undefined). */
  constructor(size?: number, backlog?: number) {
    if (size !== undefined) validateInteger(size, 'size', 0);
    if (backlog !== undefined) validateInteger(backlog, 'backlog', 0);
    this.size = size;
    this.backlog = backlog;
  }

  /** Stored objects, oldest first (the same array each time: read it again after a put or get). */
  get pending(): T[] {
    return this.#pending.array;
  }

  /** Waiting gets, oldest first (the same array each time: read it again after a put or get). */
  get waiting(): Deferred<T>[] {
    return this.#waiting.array;
  }

  /**
   * Gives `obj` to the oldest waiting get (its callbacks run now), else stores it.
   *
   * @throws QueueOverflow when the queue already stores `size` objects.
   */
  put(obj: T): void {
    const getter = this.#waiting.shift();
    if (getter !== undefined) {
      this.#handOffs.push(getter);
      this.#handOffs.push(obj);
      this.#handOff();
    } else if (this.size === undefined || this.#pending.length < this.size) {
      this.#pending.push(obj);
    } else {
      throw new QueueOverflow(`DeferredQueue is full (size ${this.size})`);
    }
  }

  /**
   * A Deferred of the next object: already fired if one is stored, else fired by a later `put`.
   *
   * @throws QueueUnderflow when `backlog` gets are already waiting.
   */
  get(): Deferred<T> {
    if (this.#pending.length > 0) return succeed(this.#pending.shift() as T);
    if (this.backlog === undefined || this.#waiting.length < this.backlog) {
      const d = new Deferred<T>((cancelled) => this.cancelGet(cancelled));
      this.#waiting.push(d);
      return d;
    }
    throw new QueueUnderflow(
      `DeferredQueue has ${this.backlog} gets waiting already (backlog ${this.backlog})`,
    );
  }

  /** Fires the gets given their objects, in order; a get cancelled meanwhile passes its object on. */
  #handOff(): void {
    if (this.#handingOff) return; // the loop below, further up the stack, fires it
    this.#handingOff = true;
    const handOffs = this.#handOffs;
    try {
      while (handOffs.length > 0) {
        const getter = handOffs.shift() as Deferred<T>;
        const obj = handOffs.shift() as T;
        if (!getter.called) {
          getter.callback(obj);
          continue;
        }
        // Cancelled after the put chose it: the object goes to the next get, or back in front
        // of the stored ones (it was put before them).
        const next = this.#waiting.shift();
        if (next !== undefined) {
          handOffs.unshift(obj);
          handOffs.unshift(next);
        } else {
          this.#pending.unshift(obj);
        }
      }
    } finally {
      this.#handingOff = false;
    }
  }

  private cancelGet(d: Deferred<T>): void {
    const i = this.waiting.indexOf(d);
    if (i !== -1) this.waiting.splice(i, 1);
  }
}
