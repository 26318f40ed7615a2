/**
 * `NetworkLinks`: the link conditions between the hosts of a `VirtualNetwork` (its defaults and
 * the links set one by one) and its partitions.
 *
 * @internal
 * @module
 */
import { readOptions, validateNumber } from '../validate.ts';
import type { LinkConditions } from './network-types.ts';

/** A link's conditions with every field set (`reorderDelay` undefined: derived from the latency). */
export type Conditions = Required<Omit<LinkConditions, 'reorderDelay'>> & {
  reorderDelay: number | undefined;
};

/** The keys of {@link LinkConditions}. */
export const CONDITION_KEYS: ReadonlySet<string> = new Set([
  'latency',
  'loss',
  'duplicate',
  'reorder',
  'reorderDelay',
]);

/**
 * Checks an object of link conditions — only `keys`, each a number in its range — and returns
 * its own properties, each read once (what was checked is what is used).
 */
export function checkConditions(
  conditions: LinkConditions,
  name: string,
  keys: ReadonlySet<string>,
): Readonly<Record<string, unknown>> {
  const c = readOptions(conditions, name, keys) as LinkConditions;
  if (c.latency !== undefined) validateNumber(c.latency, `${name}.latency`, 0);
  if (c.loss !== undefined) validateNumber(c.loss, `${name}.loss`, 0, 1);
  if (c.duplicate !== undefined) validateNumber(c.duplicate, `${name}.duplicate`, 0, 1);
  if (c.reorder !== undefined) validateNumber(c.reorder, `${name}.reorder`, 0, 1);
  if (c.reorderDelay !== undefined) validateNumber(c.reorderDelay, `${name}.reorderDelay`, 0);
  return c as Readonly<Record<string, unknown>>;
}

/** The conditions of every link between two IPs, and the partitions, of one network. */
export class NetworkLinks {
  readonly #defaults: Conditions;
  readonly #links = new Map<string, Conditions>();
  #partitions: { a: Set<string>; b: Set<string>; reject: boolean }[] = [];

  /** Links that all have `defaults` until {@link set} says otherwise. */
  constructor(defaults: Conditions) {
    this.#defaults = defaults;
  }

  /** Sets the conditions between `a` and `b`, both ways, over what they were (checked first). */
  set(a: string, b: string, conditions: LinkConditions): void {
    const checked = checkConditions(conditions, 'conditions', CONDITION_KEYS);
    const merged: Conditions = { ...(this.#links.get(`${a}|${b}`) ?? this.#defaults) };
    for (const [key, value] of Object.entries(checked)) {
      if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
    }
    this.#links.set(`${a}|${b}`, merged);
    this.#links.set(`${b}|${a}`, merged);
  }

  /** The conditions from `a` to `b`, with `reorderDelay` filled in. */
  get(a: string, b: string): Required<Omit<LinkConditions, 'reorderDelay'>> & LinkConditions {
    const link = this.#links.get(`${a}|${b}`) ?? this.#defaults;
    return { ...link, reorderDelay: link.reorderDelay ?? (link.latency > 0 ? link.latency : 0.01) };
  }

  /**
   * Separates every IP of `a` from every IP of `b` until {@link heal}. `reject`: the partition
   * answers connection attempts with "no route to host" instead of dropping them silently.
   */
  partition(a: Set<string>, b: Set<string>, reject = false): void {
    this.#partitions.push({ a, b, reject });
  }

  /** Removes every partition. */
  heal(): void {
    this.#partitions = [];
  }

  /** Whether a partition separates `a` and `b`. */
  isPartitioned(a: string, b: string): boolean {
    return this.partitionBetween(a, b) !== undefined;
  }

  /**
   * How `a` and `b` are separated: `'reject'` when a rejecting partition separates them,
   * `'drop'` when only dropping ones do, `undefined` when none does.
   */
  partitionBetween(a: string, b: string): 'drop' | 'reject' | undefined {
    let found: 'drop' | 'reject' | undefined;
    for (const { a: x, b: y, reject } of this.#partitions) {
      if ((x.has(a) && y.has(b)) || (x.has(b) && y.has(a))) {
        if (reject) return 'reject';
        found = 'drop';
      }
    }
    return found;
  }
}
