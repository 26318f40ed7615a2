/**
 * Each reactor's thread pool (Twisted's `reactor.getThreadPool()`). The pool class lives in
 * `threads/`, above the reactor in the module order, so the threads module registers a factory
 * here when it loads; the reactor creates its pool on first use and stops it at shutdown.
 *
 * @internal
 * @module
 */
import type { IThreadPool } from '../interfaces.ts';

let factory: (() => IThreadPool) | undefined;
const pools = new WeakMap<object, IThreadPool>();

/** @internal Called once by the threads module: how to make a reactor's pool. */
export function setThreadPoolFactory(make: () => IThreadPool): void {
  factory = make;
}

/**
 * The pool of `reactor`, made and started on first use (Twisted's `getThreadPool`, which starts
 * it when the reactor runs: here it starts at once, since a script need not call `run()`).
 */
export function reactorThreadPool(reactor: object): IThreadPool {
  let pool = pools.get(reactor);
  if (pool === undefined) {
    if (factory === undefined) {
      throw new Error('The thread pool is not available: the twisted-ts threads module was not loaded');
    }
    pool = factory();
    pool.start();
    pools.set(reactor, pool);
  }
  return pool;
}

/**
 * Stops the pool of `reactor`, if it has one (shutdown never makes one): returns what the
 * shutdown waits on before its `after` phase — the jobs already given finishing.
 */
export function stopThreadPool(reactor: object): unknown[] {
  const pool = pools.get(reactor);
  return pool === undefined || pool.joined ? [] : [pool.stop()];
}
