/**
 * A few milliseconds' worth of pending calls in a {@link TimerQueue}.
 *
 * @internal
 * @module
 */
import type { DelayedCall } from './delayed-call.ts';
import type { HeapEntry } from './timer-heap.ts';

/**
 * The calls whose due time falls in one bucket's span, in the order they were filed. Each
 * filed call knows its index here (`slot`), so a call that is cancelled or moves away empties
 * its entry at once (`undefined`), which is skipped when reached and dropped when the bucket
 * compacts.
 *
 * Filing order is scheduling order, so the entries are in (time, scheduling) order as long as
 * each call filed is due no sooner than the one filed before it; `sorted` tracks that, and a
 * bucket that lost it is sorted once before its calls run. The bucket only groups: its calls run
 * when their own due time (to the fraction of a millisecond) is reached.
 *
 * @internal
 */
export class TimerBucket implements HeapEntry {
  /** @internal Kept by the queue's heap of buckets. */
  heapIndex = -1;
  /** The span, numbered from the queue's origin, that every call here is due in. */
  readonly key: number;
  /** The calls, in filing order (or (time, filing) order once sorted); `undefined` once gone. */
  calls: (DelayedCall | undefined)[];
  /** The first entry not yet run or skipped. */
  head = 0;
  /** The number of calls still here. */
  live = 1;
  /** Whether the entries from `head` on are in (time, filing) order. */
  sorted = true;
  /** The due time of the last call filed (or of the last one after sorting). */
  lastTime: number;

  /** A bucket holding `first`. */
  constructor(key: number, first: DelayedCall) {
    this.key = key;
    // An array literal is allocated to size: many buckets hold a single call (calls spread over
    // time), and an empty array's first push would reserve 17 slots.
    this.calls = [first];
    this.lastTime = first.dueTime;
    first.slot = 0;
  }

  /** Files `call` at the end. */
  add(call: DelayedCall): void {
    const time = call.dueTime;
    if (time < this.lastTime) this.sorted = false;
    else this.lastTime = time;
    call.slot = this.calls.length;
    this.calls.push(call);
    this.live++;
  }

  /** Empties the entry of `call`, which is filed here. */
  remove(call: DelayedCall): void {
    this.calls[call.slot] = undefined;
    this.live--;
  }

  /**
   * Drops the empty entries and the ones already run, and when `sort` is true orders the rest
   * by (time, filing order); renumbers the calls' slots. Keeps the array small after many
   * cancellations.
   */
  compact(sort: boolean): void {
    const calls = this.calls;
    let live: DelayedCall[] = [];
    for (let i = this.head; i < calls.length; i++) {
      const call = calls[i];
      if (call !== undefined) live.push(call);
    }
    if (sort) {
      live = sortByTime(live);
      this.sorted = true;
      this.lastTime = live.length === 0 ? -Infinity : live[live.length - 1].dueTime;
    }
    for (let i = 0; i < live.length; i++) live[i].slot = i;
    this.calls = live;
    this.head = 0;
  }
}

// Scratch space for sortByTime, grown as needed and reused by every bucket.
let times = new Float64Array(1024);
let order = new Float64Array(1024);
let used = new Int32Array(1024);

/**
 * `calls` stably sorted by due time, into a new array. Equal times keep their order, which is
 * scheduling order: within a bucket, of two calls due at the same time the one filed first was
 * scheduled (or moved) first, since filing appends and sorting and compacting keep the relative
 * order of ties.
 *
 * Why not `Array.prototype.sort` with a comparator: a comparator call per comparison, each
 * reading two scattered objects, was the biggest cost of firing a million calls. Here each due
 * time is read once into a typed array, the typed array is sorted natively, and each call finds
 * its place by binary search among the sorted times.
 */
function sortByTime(calls: DelayedCall[]): DelayedCall[] {
  const n = calls.length;
  if (times.length < n) {
    let capacity = times.length;
    while (capacity < n) capacity *= 2;
    times = new Float64Array(capacity);
    order = new Float64Array(capacity);
    used = new Int32Array(capacity);
  }
  for (let i = 0; i < n; i++) times[i] = calls[i].dueTime;
  const sorted = order.subarray(0, n);
  sorted.set(times.subarray(0, n));
  sorted.sort();
  used.fill(0, 0, n);
  const out = new Array<DelayedCall>(n);
  for (let i = 0; i < n; i++) {
    const time = times[i];
    // The first slot holding `time` among the sorted times; ties take the slots after it in turn.
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] < time) lo = mid + 1;
      else hi = mid;
    }
    out[lo + used[lo]++] = calls[i];
  }
  return out;
}
