/**
 * The binary heap behind every delayed call (DESIGN.md decision 3), shared by the reactor and
 * `Clock`.
 *
 * Measured on Node: a heap of objects compared through property reads loses to `setTimeout`.
 * Keeping the due times (and the tie-breaking sequence numbers) in typed arrays beside the
 * entries makes every comparison two array reads, and dropping removed entries lazily (leaving a
 * tombstone that costs 16 bytes and no reference) makes cancel O(1). When tombstones pile up the
 * heap is rebuilt from the live entries in O(n), so cancelling a million calls frees their memory.
 *
 * @internal
 * @module
 */

/** Anything the heap can hold: it remembers its slot (-1 while outside the heap). */
export interface HeapEntry {
  /** @internal The entry's slot in the heap, kept up to date by the heap; -1 when not in it. */
  heapIndex: number;
}

const MIN_CAPACITY = 16;
// Rebuild once tombstones are both numerous and the majority: rebuilding is O(n), so doing it
// only when at least half the slots are dead keeps the amortised cost of cancel O(1).
const MIN_DEAD_TO_COMPACT = 64;

/**
 * A min-heap of entries ordered by time, ties broken by insertion sequence, so that entries due
 * at the same time come out in the order they were pushed (or last repositioned).
 *
 * @example
 * const heap = new TimerHeap<{ heapIndex: number; name: string }>();
 * heap.push({ heapIndex: -1, name: 'b' }, 2);
 * heap.push({ heapIndex: -1, name: 'a' }, 1);
 * heap.pop()?.name; // 'a'
 */
export class TimerHeap<T extends HeapEntry> {
  #times = new Float64Array(MIN_CAPACITY);
  #seqs = new Float64Array(MIN_CAPACITY);
  /** `undefined` marks a tombstone: a removed entry whose slot is still ordered by time. */
  #items: (T | undefined)[] = [];
  /** Slots in use, tombstones included. */
  #length = 0;
  #dead = 0;
  #nextSeq = 0;

  /** The number of live entries. */
  get size(): number {
    return this.#length - this.#dead;
  }

  /** The slots in use, tombstones included (for tests of compaction). */
  get slots(): number {
    return this.#length;
  }

  /** The capacity of the typed arrays (for tests of compaction). */
  get capacity(): number {
    return this.#times.length;
  }

  /** The sequence number the next push or reposition will get. */
  get nextSeq(): number {
    return this.#nextSeq;
  }

  /** Adds `item`, due at `time`. O(log n). */
  push(item: T, time: number): void {
    if (this.#length === this.#times.length) this.#resize(this.#length * 2);
    const i = this.#length++;
    this.#siftUp(i, item, time, this.#nextSeq++);
  }

  /** The time of the earliest live entry; `Infinity` when there is none. */
  peekTime(): number {
    return this.#clearTop() ? this.#times[0] : Infinity;
  }

  /** The sequence number of the earliest live entry; `Infinity` when there is none. */
  peekSeq(): number {
    return this.#clearTop() ? this.#seqs[0] : Infinity;
  }

  /** The earliest live entry, left in place. */
  peek(): T | undefined {
    return this.#clearTop() ? this.#items[0] : undefined;
  }

  /** Removes and returns the earliest live entry. O(log n). */
  pop(): T | undefined {
    if (!this.#clearTop()) return undefined;
    const item = this.#items[0] as T;
    this.#removeTop();
    item.heapIndex = -1;
    return item;
  }

  /**
   * Removes `item` lazily: its slot becomes a tombstone that no longer references it. O(1)
   * amortised. Returns false when `item` was not in the heap.
   */
  remove(item: T): boolean {
    const i = item.heapIndex;
    if (i < 0 || this.#items[i] !== item) return false;
    this.#items[i] = undefined;
    item.heapIndex = -1;
    this.#dead++;
    if (this.#dead >= MIN_DEAD_TO_COMPACT && this.#dead * 2 >= this.#length) this.#compact();
    return true;
  }

  /**
   * Moves `item` to `time`, with a fresh sequence number (it now ties after entries already due
   * then, as if scheduled now). O(log n). Returns false when `item` was not in the heap.
   */
  update(item: T, time: number): boolean {
    const i = item.heapIndex;
    if (i < 0 || this.#items[i] !== item) return false;
    const seq = this.#nextSeq++;
    const oldTime = this.#times[i];
    if (time < oldTime) {
      this.#siftUp(i, item, time, seq);
    } else {
      this.#siftDown(i, item, time, seq);
    }
    return true;
  }

  /** The live entries, in no particular order. */
  values(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.#length; i++) {
      const item = this.#items[i];
      if (item !== undefined) out.push(item);
    }
    return out;
  }

  /** Drops every entry and releases the memory. */
  clear(): void {
    for (let i = 0; i < this.#length; i++) {
      const item = this.#items[i];
      if (item !== undefined) item.heapIndex = -1;
    }
    this.#items = [];
    this.#length = 0;
    this.#dead = 0;
    this.#times = new Float64Array(MIN_CAPACITY);
    this.#seqs = new Float64Array(MIN_CAPACITY);
  }

  /** Pops tombstones off the top; true when a live entry is left on top. */
  #clearTop(): boolean {
    while (this.#length > 0 && this.#items[0] === undefined) {
      this.#dead--;
      this.#removeTop();
    }
    return this.#length > 0;
  }

  /** Removes slot 0 (live or tombstone), moving the last slot down into place. */
  #removeTop(): void {
    const last = --this.#length;
    const item = this.#items[last];
    const time = this.#times[last];
    const seq = this.#seqs[last];
    this.#items[last] = undefined;
    this.#items.length = last;
    if (last > 0) this.#siftDown(0, item, time, seq);
    // Shrink when mostly empty so that a burst of a million calls does not pin its peak memory.
    if (this.#times.length > MIN_CAPACITY && this.#length * 4 < this.#times.length) {
      this.#resize(this.#times.length / 2);
    }
  }

  #less(timeA: number, seqA: number, i: number): boolean {
    const timeB = this.#times[i];
    return timeA < timeB || (timeA === timeB && seqA < this.#seqs[i]);
  }

  #place(i: number, item: T | undefined, time: number, seq: number): void {
    this.#items[i] = item;
    this.#times[i] = time;
    this.#seqs[i] = seq;
    if (item !== undefined) item.heapIndex = i;
  }

  /** Puts (item, time, seq) at hole `i` or above, moving parents down ("hole" sifting: no swaps). */
  #siftUp(i: number, item: T | undefined, time: number, seq: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(time, seq, parent)) break;
      this.#place(i, this.#items[parent], this.#times[parent], this.#seqs[parent]);
      i = parent;
    }
    this.#place(i, item, time, seq);
  }

  /** Puts (item, time, seq) at hole `i` or below, moving smaller children up. */
  #siftDown(i: number, item: T | undefined, time: number, seq: number): void {
    const n = this.#length;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && this.#less(this.#times[right], this.#seqs[right], child)) child = right;
      const childTime = this.#times[child];
      const childSeq = this.#seqs[child];
      if (!(childTime < time || (childTime === time && childSeq < seq))) break;
      this.#place(i, this.#items[child], childTime, childSeq);
      i = child;
    }
    this.#place(i, item, time, seq);
  }

  /** Rebuilds the heap from its live entries (Floyd's heapify, O(n)) and trims the arrays. */
  #compact(): void {
    const n = this.#length;
    let live = 0;
    for (let i = 0; i < n; i++) {
      const item = this.#items[i];
      if (item === undefined) continue;
      this.#items[live] = item;
      this.#times[live] = this.#times[i];
      this.#seqs[live] = this.#seqs[i];
      item.heapIndex = live;
      live++;
    }
    this.#items.length = live;
    this.#length = live;
    this.#dead = 0;
    let capacity = MIN_CAPACITY;
    while (capacity < live * 2) capacity *= 2;
    if (capacity < this.#times.length) this.#resize(capacity);
    for (let i = (live >> 1) - 1; i >= 0; i--) {
      this.#siftDown(i, this.#items[i], this.#times[i], this.#seqs[i]);
    }
  }

  #resize(capacity: number): void {
    const times = new Float64Array(capacity);
    const seqs = new Float64Array(capacity);
    times.set(this.#times.subarray(0, this.#length));
    seqs.set(this.#seqs.subarray(0, this.#length));
    this.#times = times;
    this.#seqs = seqs;
  }
}
