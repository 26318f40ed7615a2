/**
 * The scheduling core shared by the reactor and `Clock`: validates `callLater` arguments, keeps
 * the `DelayedCall`s in 4-millisecond {@link TimerBucket}s ordered by a small
 * {@link TimerHeap}, and runs those that are due. The owner supplies the time and decides what
 * an exception thrown by a call means (the reactor logs it; `Clock` lets it propagate out of
 * `advance`, as Twisted's does, so that tests see it).
 *
 * @internal
 * @module
 */
import { handleAsyncResult } from '../defer/user-code.ts';
import { validateDelay, validateFunction } from '../validate.ts';
import {
  CALLED,
  DEFERRED_BASE,
  DelayedCall,
  DROPPED,
  finiteDueTime,
  type DelayedCallOwner,
} from './delayed-call.ts';
import { TimerBucket } from './timer-bucket.ts';
import { TimerHeap } from './timer-heap.ts';

/** Hooks through which the reactor keeps its one Node timer armed for the earliest call. */
export interface TimerQueueHooks {
  /** A call is now due at `time` (scheduled, delayed or reset): the earliest time may be sooner. */
  scheduled(time: number): void;
  /** A call was cancelled: when none is left, the timer should go, so it holds the process no longer. */
  cancelled(): void;
}

/** Buckets at least this long are compacted once most of their entries are empty. */
const MIN_COMPACT = 32;

/**
 * The span of time one bucket covers, in milliseconds. Node's timers group by the whole
 * millisecond; here each bucket costs about 170 bytes of its own (object, array, map entry, heap
 * slot), which doubled the memory of calls spread one per millisecond (calls of a long timeout
 * reset at scattered times). Four milliseconds bring that case to about 180 bytes per call
 * (Node: 160) while dense buckets stay small enough to sort cheaply.
 */
const BUCKET_MS = 4;
/** Buckets per second: a due time in seconds times this, floored, is its bucket's number. */
const BUCKETS_PER_SECOND = 1000 / BUCKET_MS;

/**
 * The pending calls of one clock.
 *
 * Why buckets (as Node's own timers, which keep one list per duration): a heap over a million
 * calls pays O(log n) scattered reads per call fired. Calls are instead filed by the span of
 * {@link BUCKET_MS} milliseconds they are due in: filing is a map lookup and an array push,
 * firing walks an array in order, and only the buckets sit in a heap. Within a
 * bucket calls run in (time, scheduling) order; the bucket is sorted only when calls were filed
 * out of order. A call knows its index in its bucket, so cancelling or moving it empties its
 * entry in O(1); a bucket that empties leaves the heap at once, so cancelling a million calls
 * frees their memory.
 *
 * @example
 * let now = 0;
 * const queue = new TimerQueue(() => now);
 * queue.schedule(1, () => console.log('one'), []);
 * now = 1;
 * queue.runDue(now); // logs 'one'
 */
export class TimerQueue implements DelayedCallOwner {
  /** The non-empty buckets by key, and the same buckets ordered by key. */
  readonly #buckets = new Map<number, TimerBucket>();
  readonly #heap = new TimerHeap<TimerBucket>();
  readonly #now: () => number;
  readonly #hooks: TimerQueueHooks | undefined;
  /**
   * The bucket keys count from here (the clock's time when the queue was made), so that
   * keys of epoch times stay small integers, which V8 hashes and compares fastest.
   */
  readonly #origin: number;
  #size = 0;
  /** Counts the buckets made: a call that made one may have filed a call due sooner. */
  #made = 0;
  /** Counts schedules and moves; see {@link nextSeq}. */
  #nextSeq = 0;
  /**
   * While a limited pass runs, the calls scheduled or moved meanwhile wait here (in order,
   * `undefined` once cancelled or moved again) and are filed when it ends.
   */
  #deferred: (DelayedCall | undefined)[] | undefined;

  constructor(now: () => number, hooks?: TimerQueueHooks) {
    this.#now = now;
    this.#hooks = hooks;
    this.#origin = Math.floor(now() * BUCKETS_PER_SECOND);
  }

  /** The number of pending calls. */
  get size(): number {
    return this.#size;
  }

  /** @internal The heap of buckets, for tests of its memory behaviour. */
  get heap(): TimerHeap<TimerBucket> {
    return this.#heap;
  }

  /** @internal The number of buckets (spans of {@link BUCKET_MS} ms with pending calls). */
  get buckets(): number {
    return this.#buckets.size;
  }

  /** The current time of this queue's clock. */
  seconds(): number {
    return this.#now();
  }

  /**
   * Schedules `fn(...args)` `delay` seconds from now. `delay` must be a finite number >= 0
   * (`RangeError` otherwise; `TypeError` if it is not a number); `fn` must be a function.
   */
  schedule<A extends unknown[]>(delay: number, fn: (...args: A) => unknown, args: A): DelayedCall<A> {
    validateDelay(delay, 'delay');
    validateFunction(fn, 'fn');
    const time = finiteDueTime(this.#now(), delay, 'delay', 'the clock reads');
    // A call without arguments keeps no array (see DelayedCall's `#target`).
    const call = new DelayedCall<A>(this, time, fn, args);
    this.#nextSeq++;
    this.#file(call as unknown as DelayedCall, time);
    this.#size++;
    this.#hooks?.scheduled(time);
    return call;
  }

  /** @internal Called by `DelayedCall.cancel`, before it marks the call cancelled. */
  cancelCall(call: DelayedCall): void {
    if (call.slot === DROPPED) return;
    this.#unfile(call);
    this.#size--;
    this.#hooks?.cancelled();
  }

  /** @internal Called by `DelayedCall.delay` and `reset`. */
  moveCall(call: DelayedCall, time: number): void {
    if (call.slot === DROPPED) {
      call.dueTime = time;
      return;
    }
    this.#unfile(call);
    call.dueTime = time;
    this.#nextSeq++;
    this.#file(call, time);
    this.#hooks?.scheduled(time);
  }

  /** When the earliest pending call is due; `Infinity` when none is pending. */
  nextTime(): number {
    const bucket = this.#first();
    return bucket === undefined ? Infinity : (bucket.calls[bucket.head] as DelayedCall).dueTime;
  }

  /**
   * A count of the calls scheduled or moved so far. Passed as `runDue`'s `seqLimit`, it makes
   * the pass leave for the next one every call scheduled or moved once the pass began.
   */
  get nextSeq(): number {
    return this.#nextSeq;
  }

  /**
   * Runs, in order, every call due at or before `now`. With a finite `seqLimit` (the reactor
   * passes {@link nextSeq}; any finite value means "from the start of this pass"), calls
   * scheduled (or moved) once this pass began wait for the next pass, so that a call that reschedules itself with delay 0 cannot starve the event loop;
   * without one (`Clock`) they run at once if due, as in Twisted.
   *
   * `onError` receives what a call throws, and the reason a thenable it returned rejects with
   * (later); without it the exception propagates and the calls still due run at the next pass
   * (a rejection is then left to the caller: `Clock` is for tests, whose runner reports it).
   * Returns the number of calls run.
   */
  runDue(now: number, seqLimit = Infinity, onError?: (error: unknown, call: DelayedCall) => void): number {
    const limited = seqLimit !== Infinity && this.#deferred === undefined;
    if (limited) this.#deferred = [];
    try {
      return this.#run(now, onError);
    } finally {
      if (limited) this.#fileDeferred();
    }
  }

  /** Every pending call, in no particular order. */
  getDelayedCalls(): DelayedCall[] {
    const out: DelayedCall[] = [];
    for (const bucket of this.#buckets.values()) {
      const calls = bucket.calls;
      for (let i = bucket.head; i < calls.length; i++) {
        const call = calls[i];
        if (call !== undefined) out.push(call);
      }
    }
    for (const call of this.#deferred ?? []) if (call !== undefined) out.push(call);
    return out;
  }

  /**
   * Drops every pending call without running it or marking it cancelled (the reactor's
   * shutdown: the calls simply never run, as in Twisted once the reactor has stopped).
   */
  clear(): void {
    for (const call of this.getDelayedCalls()) call.slot = DROPPED;
    // Empty the buckets too: clear() may run inside a call (the reactor stopping from a delayed
    // call), and the pass running that call must see its bucket gone rather than go on to run
    // the calls just dropped.
    for (const bucket of this.#buckets.values()) {
      bucket.calls = [];
      bucket.head = 0;
      bucket.live = 0;
    }
    this.#buckets.clear();
    this.#heap.clear();
    if (this.#deferred !== undefined) this.#deferred = [];
    this.#size = 0;
    this.#hooks?.cancelled();
  }

  #run(now: number, onError: ((error: unknown, call: DelayedCall) => void) | undefined): number {
    let ran = 0;
    for (;;) {
      const bucket = this.#first();
      if (bucket === undefined) return ran;
      // Run this bucket's due calls in a tight loop. It stays first while they run unless a call
      // files an earlier one, and stays in order unless a call files one out of order or
      // compacts it: the checks at the end of the loop send those cases back to #first.
      const calls = bucket.calls;
      const made = this.#made;
      let i = bucket.head;
      while (i < calls.length) {
        const call = calls[i];
        if (call === undefined) {
          i++;
          continue;
        }
        if (call.dueTime > now) {
          bucket.head = i;
          return ran;
        }
        calls[i] = undefined;
        bucket.head = ++i;
        bucket.live--;
        this.#size--;
        call.slot = CALLED;
        ran++;
        if (onError === undefined) {
          call.invoke();
        } else {
          let result: unknown;
          try {
            result = call.invoke();
          } catch (e) {
            onError(e, call);
          }
          // An async call's rejection is reported as its throw would be (issue 12).
          if (result !== undefined) handleAsyncResult(result, onError, call);
        }
        if (calls !== bucket.calls || !bucket.sorted || made !== this.#made || bucket.live === 0) break;
      }
      if (calls === bucket.calls && i > bucket.head) bucket.head = i;
    }
  }

  #key(time: number): number {
    const key = Math.floor(time * BUCKETS_PER_SECOND) - this.#origin;
    // In the small-integer range, `| 0` makes the key an int32, which the Map hashes without
    // boxing it; keys beyond it (calls days away) stay doubles, correct but slower.
    return key >= -0x40000000 && key < 0x40000000 ? key | 0 : key;
  }

  /** Files `call` in the bucket of `time`, or defers it while a limited pass runs. */
  #file(call: DelayedCall, time: number): void {
    const deferred = this.#deferred;
    if (deferred !== undefined) {
      call.slot = DEFERRED_BASE - deferred.length;
      deferred.push(call);
      return;
    }
    const key = this.#key(time);
    const bucket = this.#buckets.get(key);
    if (bucket !== undefined) {
      bucket.add(call);
      return;
    }
    const made = new TimerBucket(key, call);
    this.#made++;
    this.#buckets.set(key, made);
    this.#heap.push(made, key);
  }

  /** Files the calls deferred during a limited pass, in the order they came. */
  #fileDeferred(): void {
    const deferred = this.#deferred as (DelayedCall | undefined)[];
    this.#deferred = undefined;
    for (const call of deferred) if (call !== undefined) this.#file(call, call.dueTime);
  }

  /** Takes the pending `call` out of its bucket (or of the deferred list). */
  #unfile(call: DelayedCall): void {
    const slot = call.slot;
    if (slot <= DEFERRED_BASE) {
      (this.#deferred as (DelayedCall | undefined)[])[DEFERRED_BASE - slot] = undefined;
      return;
    }
    const bucket = this.#buckets.get(this.#key(call.dueTime)) as TimerBucket;
    bucket.remove(call);
    if (bucket.live === 0) {
      this.#drop(bucket);
    } else if (bucket.calls.length >= MIN_COMPACT && bucket.live * 2 < bucket.calls.length - bucket.head) {
      bucket.compact(false);
    }
  }

  #drop(bucket: TimerBucket): void {
    this.#buckets.delete(bucket.key);
    this.#heap.remove(bucket);
  }

  /**
   * The first bucket, sorted, with a call at its head; `undefined` when none is pending. Drops
   * buckets that ran out on the way.
   */
  #first(): TimerBucket | undefined {
    for (;;) {
      const bucket = this.#heap.peek();
      if (bucket === undefined) return undefined;
      if (!bucket.sorted) bucket.compact(true);
      const calls = bucket.calls;
      let i = bucket.head;
      while (i < calls.length && calls[i] === undefined) i++;
      bucket.head = i;
      if (i < calls.length) return bucket;
      this.#drop(bucket);
    }
  }
}
