/**
 * `Fifo`: the waiting lists of the concurrency primitives, with a `shift` that costs O(1)
 * amortized. `Array.prototype.shift` moves every remaining entry: V8 cannot trim the front of an
 * array in its large-object space, so handing a lock to each of 100,000 waiters in turn took
 * seconds, growing with the square of the queue.
 *
 * @internal
 * @module
 */

/** Taken entries are cut off in bulk once at least this many have piled up at the front. */
const MIN_COMPACT = 1024;

/**
 * An array used as a queue: `push` at the back, `shift` at the front. Taken entries stay in the
 * array (cleared) until they are many, or until {@link Fifo.array} is read, which cuts them off.
 */
export class Fifo<T> {
  readonly #items: (T | undefined)[] = [];
  #head = 0;

  /** How many entries are queued. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Adds an entry at the back. */
  push(item: T): void {
    this.#items.push(item);
  }

  /** Takes the oldest entry; `undefined` when empty. */
  shift(): T | undefined {
    const items = this.#items;
    if (this.#head === items.length) return undefined;
    const item = items[this.#head];
    items[this.#head++] = undefined;
    if (this.#head === items.length) {
      items.length = 0;
      this.#head = 0;
    } else if (this.#head >= MIN_COMPACT && this.#head * 2 >= items.length) {
      this.#compact();
    }
    return item;
  }

  /** Puts an entry back at the front (it was taken by mistake). */
  unshift(item: T): void {
    if (this.#head > 0) this.#items[--this.#head] = item;
    else this.#items.unshift(item);
  }

  /**
   * The queued entries, oldest first, as a plain array — always the same array, which callers
   * may read and splice (to withdraw an entry). Reading it cuts off the taken entries first.
   */
  get array(): T[] {
    this.#compact();
    return this.#items as T[];
  }

  #compact(): void {
    if (this.#head === 0) return;
    this.#items.splice(0, this.#head);
    this.#head = 0;
  }
}
