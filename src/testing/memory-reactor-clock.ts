/**
 * `MemoryReactorClock`: a `MemoryReactor` with a `Clock` (Twisted's
 * `twisted.internet.testing.MemoryReactorClock`).
 *
 * @module
 */
import type { IReactorTime } from '../interfaces.ts';
import { Clock } from '../task/index.ts';
import type { DelayedCall } from '../task/index.ts';
import { MemoryReactor } from './memory-reactor.ts';

/**
 * A {@link MemoryReactor} that is also a `Clock`: `callLater` schedules on simulated time that
 * moves only with `advance` / `pump`. Use it for code that both listens and schedules.
 *
 * @example
 * const reactor = new MemoryReactorClock();
 * const client = new Pinger(reactor);                    // pings every 5 s
 * const port = reactor.listenUDP(0, client);
 * reactor.advance(5);
 * expect(port.written).toHaveLength(1);
 */
export class MemoryReactorClock extends MemoryReactor implements IReactorTime {
  /** The clock behind `callLater`, `advance` and `seconds`. */
  readonly clock = new Clock();

  /** The simulated time in seconds (starts at 0). */
  seconds(): number {
    return this.clock.seconds();
  }

  /** Schedules `fn(...args)` `delay` simulated seconds from now. */
  callLater<A extends unknown[]>(delay: number, fn: (...args: A) => unknown, ...args: A): DelayedCall<A> {
    return this.clock.callLater(delay, fn, ...args);
  }

  /** Moves time forward by `amount` seconds and runs what became due. */
  advance(amount: number): void {
    this.clock.advance(amount);
  }

  /** Advances by each of `timings` in turn. */
  pump(timings: Iterable<number>): void {
    this.clock.pump(timings);
  }

  /** Every pending call, by due time. */
  getDelayedCalls(): DelayedCall[] {
    return this.clock.getDelayedCalls();
  }
}
