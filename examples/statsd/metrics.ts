/**
 * The metrics between two flushes (`MetricStore`) and the flush to the log, the "backend".
 *
 * @module
 */
import { Logger } from 'twisted-ts';

/** The example's logger: every file logs under the `statsd` namespace. */
export const log = new Logger({ namespace: 'statsd' });

/** What one flush computed: per-interval counters and rates, timer summaries, gauges, set sizes. */
export interface Snapshot {
  counters: Record<string, { count: number; rate: number }>;
  timers: Record<
    string,
    { count: number; lower: number; upper: number; mean: number; upperPercentile: number }
  >;
  gauges: Record<string, number>;
  sets: Record<string, number>;
}

/** The metrics between two flushes, and the books an admin asks about. */
export class MetricStore {
  readonly counters = new Map<string, number>();
  readonly gauges = new Map<string, number>();
  readonly timers = new Map<string, number[]>();
  readonly sets = new Map<string, Set<string>>();
  readonly startedAt = Date.now();
  packets = 0;
  badLines = 0;
  lastMessageAt = 0;
  flushes = 0;
  #lastFlushAt = Date.now();
  readonly percentile: number;

  constructor(percentile: number) {
    this.percentile = percentile;
  }

  /** Takes one statsd line (`name:value|type[|@rate]`); returns false for a bad one. */
  record(line: string): boolean {
    const match = /^([^:|@\s]+):([^|]+)\|(c|g|ms|h|s)(?:\|@([\d.]+))?$/.exec(line.trim());
    if (match === null) return false;
    const [, name, raw, type, rateText] = match;
    const rate = rateText === undefined ? 1 : Number(rateText);
    if (!(rate > 0 && rate <= 1)) return false;
    if (type === 's') {
      let set = this.sets.get(name);
      if (set === undefined) this.sets.set(name, (set = new Set()));
      set.add(raw);
      return true;
    }
    const value = Number(raw);
    if (!Number.isFinite(value)) return false;
    if (type === 'c') this.counters.set(name, (this.counters.get(name) ?? 0) + value / rate);
    else if (type === 'g') {
      const relative = raw.startsWith('+') || raw.startsWith('-');
      this.gauges.set(name, relative ? (this.gauges.get(name) ?? 0) + value : value);
    } else {
      let timings = this.timers.get(name);
      if (timings === undefined) this.timers.set(name, (timings = []));
      timings.push(value);
    }
    return true;
  }

  /** Computes the snapshot and starts a new interval (counters go to 0, timers and sets empty; gauges stay). */
  flush(): Snapshot {
    const now = Date.now();
    const seconds = Math.max((now - this.#lastFlushAt) / 1000, 0.001);
    this.#lastFlushAt = now;
    this.flushes += 1;
    const snapshot: Snapshot = {
      counters: {},
      timers: {},
      gauges: Object.fromEntries(this.gauges),
      sets: {},
    };
    for (const [name, count] of this.counters) {
      snapshot.counters[name] = { count, rate: count / seconds };
      this.counters.set(name, 0);
    }
    for (const [name, timings] of this.timers) {
      if (timings.length === 0) continue;
      const sorted = [...timings].sort((a, b) => a - b);
      const index = Math.max(Math.ceil((this.percentile / 100) * sorted.length) - 1, 0);
      snapshot.timers[name] = {
        count: sorted.length,
        lower: sorted[0],
        upper: sorted[sorted.length - 1],
        mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
        upperPercentile: sorted[index],
      };
    }
    this.timers.clear();
    for (const [name, set] of this.sets) snapshot.sets[name] = set.size;
    this.sets.clear();
    return snapshot;
  }
}

/** Flushes to the log (the "backend"). */
export function flushTo(store: MetricStore, why: string): Snapshot {
  const snapshot = store.flush();
  log.info('{why} flush #{flushes}: {counters} counters, {timers} timers, {gauges} gauges, {sets} sets', {
    why,
    flushes: store.flushes,
    counters: Object.keys(snapshot.counters).length,
    timers: Object.keys(snapshot.timers).length,
    gauges: Object.keys(snapshot.gauges).length,
    sets: Object.keys(snapshot.sets).length,
    snapshot,
  });
  return snapshot;
}
