/**
 * One instance per process of the logging system's global state, whichever copy of twisted-ts
 * asks for it.
 *
 * The ESM and the CommonJS builds are two copies of every module. A program (or the `twist`
 * runner) that begins logging through one copy must still see the events a module loaded through
 * the other copy logs, and `LogLevel.info` must be the same object in both, because levels are
 * compared by identity. So the publisher, the beginner and the level constants live on
 * `globalThis` under `Symbol.for` keys, created by whichever copy gets there first.
 *
 * @internal
 * @module
 */

/** The value stored under `twisted-ts.<key>`, made by `make()` the first time. */
export function processWide<T>(key: string, make: () => T): T {
  const store = globalThis as unknown as Record<symbol, T | undefined>;
  const symbol = Symbol.for(`twisted-ts.${key}`);
  let value = store[symbol];
  if (value === undefined) {
    value = make();
    Object.defineProperty(store, symbol, { value, configurable: true, writable: false, enumerable: false });
  }
  return value;
}
