/**
 * The reactor: the `Reactor` class, the process-wide `reactor` instance, and `react`.
 *
 * @module
 */
import { setDefaultClock } from '../task/default-clock.ts';
import { setProcessReactor } from './react.ts';
import { Reactor } from './reactor.ts';

export { Reactor, MAX_TIMER_DELAY_MS, type RunOptions, type ReactorEvents } from './reactor.ts';
export { react } from './react.ts';

/**
 * The process-wide reactor, as Twisted's `from twisted.internet import reactor`. Code that
 * needs its own (tests, isolated subsystems) can create a `new Reactor()`; helpers that need
 * time take an `IReactorTime` so that a `Clock` can stand in.
 */
export const reactor: Reactor = new Reactor();

// task sits below reactor in the module order and cannot import it: hand it the default clock
// for LoopingCall here, and give react its default reactor.
setDefaultClock(reactor);
setProcessReactor(reactor);
