/**
 * The 4-ary heap that orders a `TimerQueue`'s buckets of calls (DESIGN.md decision 3, refined
 * in docs/decisions.md): the queue files calls in buckets and only the buckets, at most one per
 * span of a few milliseconds, sit in this heap. It is generic and keeps (time, sequence) order,
 * so it would hold the calls themselves as well; it did, until a heap over a million calls lost
 * to Node's per-duration lists.
 *
 * Measured on Node: a heap of objects compared through property reads loses to `setTimeout`.
 * Keeping the due times (and the tie-breaking sequence numbers) in typed arrays beside the
 * entries makes every comparison two array reads. Sifting never touches the entries themselves:
 * an entry knows the sequence number of its slot, not the slot, so moving slots costs no write to
 * a million scattered objects (with a per-move `entry.index = slot` write, those cache misses
 * were most of the time a million calls took to fire). Removing is lazy, O(1): the entry forgets
 * its sequence number and its slot, now stale, is skipped when it reaches the top. When stale
 * slots pile up the heap is rebuilt from the live entries in O(n), so cancelling a million calls
 * frees their memory.
 *
 * @internal
 * @module
 */

/** Anything the heap can hold: it remembers its place (-1 while outside the heap). */
export interface HeapEntry {
  /**
   * @internal The sequence number of the entry's live slot in the heap (slots whose sequence
   * number differs are stale), kept up to date by the heap; -1 when not in it.
   */
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
 * It is 4-ary: four children per node halve the levels a pop walks (10 instead of 20 for a
 * million entries), and the extra comparisons read adjacent typed-array slots. The order entries
 * come out in is that of any heap on the same (time, sequence) keys.
 *
 * A stale slot keeps a reference to its entry until it reaches the top or the heap compacts
 * (at most about as many stale slots as live ones): removal costs no search.
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
  /**
   * The entry of each slot. A slot is live when its entry's `heapIndex` equals the slot's
   * sequence number; otherwise it is stale (the entry was removed or moved) and only ordered by
   * time until it is skipped or compacted away. `undefined` fills slots beyond the length.
   */
  #items: (T | undefined)[] = [];
  /** Slots in use, stale ones included. */
  #length = 0;
  #dead = 0;
  #nextSeq = 0;

  /** The number of live entries. */
  get size(): number {
    return this.#length - this.#dead;
  }

  /** The slots in use, stale ones included (for tests of compaction). */
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
    const seq = this.#nextSeq++;
    item.heapIndex = seq;
    this.#siftUp(i, item, time, seq);
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
   * Removes `item` lazily: its slot goes stale. O(1) amortised. Returns false when `item` was
   * not in the heap.
   */
  remove(item: T): boolean {
    if (item.heapIndex < 0) return false;
    item.heapIndex = -1;
    this.#staled();
    return true;
  }

  /**
   * Moves `item` to `time`, with a fresh sequence number (it now ties after entries already due
   * then, as if scheduled now): its old slot goes stale and it is pushed again. O(log n).
   * Returns false when `item` was not in the heap.
   */
  update(item: T, time: number): boolean {
    if (item.heapIndex < 0) return false;
    this.push(item, time);
    this.#staled();
    return true;
  }

  /** The live entries, in no particular order. */
  values(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.#length; i++) {
      if (this.#live(i)) out.push(this.#items[i] as T);
    }
    return out;
  }

  /** Drops every entry and releases the memory. */
  clear(): void {
    for (let i = 0; i < this.#length; i++) {
      if (this.#live(i)) (this.#items[i] as T).heapIndex = -1;
    }
    this.#items = [];
    this.#length = 0;
    this.#dead = 0;
    this.#times = new Float64Array(MIN_CAPACITY);
    this.#seqs = new Float64Array(MIN_CAPACITY);
  }

  /** Whether slot `i` (< length) holds its entry's live position. */
  #live(i: number): boolean {
    const item = this.#items[i];
    return item !== undefined && item.heapIndex === this.#seqs[i];
  }

  /** Counts a slot that went stale; compacts once stale slots are numerous and the majority. */
  #staled(): void {
    this.#dead++;
    if (this.#dead >= MIN_DEAD_TO_COMPACT && this.#dead * 2 >= this.#length) this.#compact();
  }

  /** Pops stale slots off the top; true when a live entry is left on top. */
  #clearTop(): boolean {
    while (this.#length > 0 && !this.#live(0)) {
      this.#dead--;
      this.#removeTop();
    }
    return this.#length > 0;
  }

  /** Removes slot 0 (live or stale), moving the last slot down into place. */
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
  }

  /** Puts (item, time, seq) at hole `i` or above, moving parents down ("hole" sifting: no swaps). */
  #siftUp(i: number, item: T | undefined, time: number, seq: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 2;
      if (!this.#less(time, seq, parent)) break;
      this.#place(i, this.#items[parent], this.#times[parent], this.#seqs[parent]);
      i = parent;
    }
    this.#place(i, item, time, seq);
  }

  /** Puts (item, time, seq) at hole `i` or below, moving the smallest of its children up. */
  #siftDown(i: number, item: T | undefined, time: number, seq: number): void {
    const n = this.#length;
    const times = this.#times;
    const seqs = this.#seqs;
    for (;;) {
      const first = 4 * i + 1;
      if (first >= n) break;
      let child = first;
      let childTime = times[first];
      let childSeq = seqs[first];
      const last = Math.min(first + 4, n);
      for (let c = first + 1; c < last; c++) {
        const t = times[c];
        if (t < childTime || (t === childTime && seqs[c] < childSeq)) {
          child = c;
          childTime = t;
          childSeq = seqs[c];
        }
      }
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
      if (!this.#live(i)) continue;
      this.#items[live] = this.#items[i];
      this.#times[live] = this.#times[i];
      this.#seqs[live] = this.#seqs[i];
      live++;
    }
    this.#items.length = live;
    this.#length = live;
    this.#dead = 0;
    let capacity = MIN_CAPACITY;
    while (capacity < live * 2) capacity *= 2;
    if (capacity < this.#times.length) this.#resize(capacity);
    for (let i = (live - 2) >> 2; i >= 0; i--) {
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
