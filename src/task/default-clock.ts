/**
 * The clock that `LoopingCall` uses when none is given: the process-wide reactor.
 *
 * `task` sits below `reactor` in the module order, so it cannot import the reactor. Instead the
 * reactor module registers its instance here when it creates it (Twisted's `LoopingCall` reads
 * the global reactor the same way, at construction). Code that imports only `task` (a deep
 * import, or a bundle that left out the reactor) gets a clear error instead of a silent default,
 * and can always pass an explicit clock: `loop.clock = new Clock()`.
 *
 * @internal
 * @module
 */
import type { IReactorTime } from '../interfaces.ts';

let defaultClock: IReactorTime | undefined;

/** @internal Called once by the reactor module with the process-wide reactor. */
export function setDefaultClock(clock: IReactorTime): void {
  defaultClock = clock;
}

/** @internal The process-wide reactor, or `undefined` if the reactor module was never loaded. */
export function getDefaultClock(): IReactorTime | undefined {
  return defaultClock;
}
