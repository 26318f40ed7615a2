/**
 * `SeededRandom`: a small deterministic pseudo-random generator for simulations.
 *
 * @module
 */
import { validateInteger } from '../validate.ts';

/**
 * A seeded pseudo-random generator (mulberry32: 32 bits of state, fast, and good enough for
 * simulating loss and jitter — not for cryptography). The same seed always gives the same
 * sequence, on every platform and Node version, which is what makes a {@link VirtualNetwork}
 * run reproducible.
 *
 * @example
 * const random = new SeededRandom(42);
 * random.next();     // a number in [0, 1), the same one for every run with seed 42
 * random.int(6);     // an integer in [0, 6)
 */
export class SeededRandom {
  /** The seed this generator started from. */
  readonly seed: number;
  #state: number;

  /** @param seed an integer; only its low 32 bits matter. */
  constructor(seed = 0) {
    validateInteger(seed, 'seed');
    this.seed = seed;
    // Mix the seed once so that neighbouring seeds (0, 1, 2…) start far apart.
    this.#state = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  }

  /** The next number, uniformly distributed in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer uniformly distributed in [0, n). */
  int(n: number): number {
    validateInteger(n, 'n', 1, 2 ** 32);
    return Math.floor(this.next() * n);
  }
}
