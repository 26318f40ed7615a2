/**
 * Small statistics for benchmark samples: medians and spreads of a handful of rounds, and
 * percentiles of latency samples.
 *
 * @module
 */

/** The median of `values` (the mean of the two middle ones for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const n = finite.length;
  if (n === 0) return NaN;
  const mid = n >> 1;
  return n % 2 === 1 ? finite[mid] : (finite[mid - 1] + finite[mid]) / 2;
}

/**
 * The spread of `values` around their median: (max − min) / median, as a fraction. It is the
 * honest figure for 3–5 rounds on a shared machine, where a standard deviation would suggest a
 * precision that is not there. 0 for a single sample, NaN when empty.
 */
export function spread(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return NaN;
  const m = median(finite);
  if (m === 0) return 0;
  return (Math.max(...finite) - Math.min(...finite)) / Math.abs(m);
}

/** The `q`-quantile (0–1) of a sorted array, nearest-rank. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const rank = Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1));
  return sorted[rank];
}

/** A seeded PRNG (mulberry32), so every contender gets the same "random" delays. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
