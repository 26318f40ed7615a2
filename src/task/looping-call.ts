/**
 * `LoopingCall`: call a function repeatedly on a fixed interval grid (Twisted's
 * `twisted.internet.task.LoopingCall`).
 *
 * @module
 */
import { Deferred } from '../defer/deferred.ts';
import { maybeDeferred } from '../defer/shortcuts.ts';
import type { Failure } from '../failure.ts';
import type { IDelayedCall, IReactorTime } from '../interfaces.ts';
import {
  invalidArgType,
  readProperty,
  validateBoolean,
  validateFunction,
  validateNumber,
} from '../validate.ts';
import { getDefaultClock } from './default-clock.ts';

function invalidState(message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code: 'ERR_INVALID_STATE' });
}

/**
 * Calls `fn(...args)` every `interval` seconds.
 *
 * The calls keep to a grid fixed at `start()`: if a call (or the Deferred it returns) takes
 * longer than an interval, the intervals it overran are skipped, not run twice, and the next
 * call happens at the next point of the grid. A Deferred (or Promise) returned by `fn` is waited
 * for before the next call is scheduled.
 *
 * @example
 * const loop = new LoopingCall(() => console.log('tick'));
 * loop.start(1.0).addCallback(() => console.log('stopped'));
 * reactor.callLater(5, () => loop.stop());
 *
 * @example
 * // In a test, drive it with a Clock:
 * const clock = new Clock();
 * const loop = new LoopingCall(tick);
 * loop.clock = clock;
 * loop.start(10);   // calls tick now
 * clock.advance(10); // and again
 */
export class LoopingCall<A extends unknown[] = unknown[]> {
  /** The function called on every interval. */
  readonly f: (...args: A) => unknown;
  /** Its arguments. */
  readonly a: A;
  /** The pending delayed call for the next run, if one is scheduled. */
  call: IDelayedCall | undefined = undefined;
  /** The interval given to the last `start()`, in seconds. */
  interval: number | undefined = undefined;
  /** When the last `start()` happened, in the clock's seconds: the origin of the grid. */
  starttime: number | undefined = undefined;

  #clock: IReactorTime | undefined;
  #running = false;
  #deferred: Deferred<this> | undefined = undefined;
  #runAtStart = false;
  /** For `withCount`: when the count callable last ran. */
  #realLastTime: number | undefined = undefined;

  constructor(fn: (...args: A) => unknown, ...args: A) {
    validateFunction(fn, 'fn');
    this.f = fn;
    this.a = args;
    this.#clock = getDefaultClock();
  }

  /**
   * The clock that schedules the calls: the process-wide reactor unless set (set a `Clock` in
   * tests). Throws if none is set and the reactor module was never loaded.
   */
  get clock(): IReactorTime {
    if (this.#clock === undefined) {
      throw invalidState(
        'LoopingCall has no clock: the reactor module was not loaded; set loopingCall.clock to an IReactorTime',
      );
    }
    return this.#clock;
  }

  /**
   * Sets the clock (any `IReactorTime`, such as a `Clock`); set it before `start`.
   *
   * @example
   * const lc = new LoopingCall(tick);
   * lc.clock = new Clock();
   */
  set clock(clock: IReactorTime) {
    if (
      clock === null ||
      typeof clock !== 'object' ||
      typeof readProperty(clock, 'callLater', 'clock') !== 'function'
    ) {
      throw invalidArgType('clock', 'an IReactorTime (an object with seconds() and callLater())', clock);
    }
    this.#clock = clock;
  }

  /** True between `start()` and `stop()` (or a failure). */
  get running(): boolean {
    return this.#running;
  }

  /** The Deferred returned by `start()`, while it has not fired. */
  get deferred(): Deferred<this> | undefined {
    return this.#deferred;
  }

  /**
   * Makes a LoopingCall that calls `countCallable(count)`, where `count` is the number of
   * intervals that passed since it last ran: 1 normally, more when intervals were skipped
   * because the process (or a slow call) held things up. With an interval of 0 it is always 1.
   */
  static withCount(countCallable: (count: number) => unknown): LoopingCall<[]> {
    validateFunction(countCallable, 'countCallable');
    const loop: LoopingCall<[]> = new LoopingCall(() => loop.#count(countCallable));
    return loop;
  }

  /**
   * Starts calling: now (unless `now` is false) and then every `interval` seconds.
   *
   * @param interval - seconds between calls, a finite number >= 0 (`RangeError` otherwise).
   * @returns a Deferred that fires with this LoopingCall when `stop()` is called, or errbacks
   *   (and the loop stops) when the function throws or its Deferred/Promise fails.
   * @throws Error (`ERR_INVALID_STATE`) if it is already running.
   */
  start(interval: number, now = true): Deferred<this> {
    if (this.#running) throw invalidState('Tried to start an already running LoopingCall.');
    validateNumber(interval, 'interval', 0);
    // Not coerced: `start(1, 'no')` would otherwise run at once.
    validateBoolean(now, 'now');
    const clock = this.clock;
    this.#running = true;
    const deferred = new Deferred<this>();
    this.#deferred = deferred;
    this.starttime = clock.seconds();
    this.interval = interval;
    this.#runAtStart = now;
    this.#realLastTime = undefined;
    if (now) this.#run();
    else this.#scheduleFrom(this.starttime);
    return deferred;
  }

  /**
   * Stops calling. The Deferred from `start()` fires with this LoopingCall — at once, or when
   * the Deferred returned by a call in progress fires.
   *
   * @throws Error (`ERR_INVALID_STATE`) if it is not running.
   */
  stop(): void {
    if (!this.#running) throw invalidState('Tried to stop a LoopingCall that was not running.');
    this.#running = false;
    if (this.call !== undefined) {
      this.call.cancel();
      this.call = undefined;
      this.#fire();
    }
  }

  /**
   * Restarts the grid from now: the pending call is moved to one interval from now.
   *
   * @throws Error (`ERR_INVALID_STATE`) if it is not running.
   */
  reset(): void {
    if (!this.#running) throw invalidState('Tried to reset a LoopingCall that was not running.');
    if (this.call !== undefined) {
      this.call.cancel();
      this.call = undefined;
      this.starttime = this.clock.seconds();
      this.#scheduleFrom(this.starttime);
    }
  }

  /** Twisted's repr: `LoopingCall<interval>(name, n argument(s))`; `None` before `start`. */
  toString(): string {
    const name = this.f.name || '<anonymous>';
    return `LoopingCall<${this.interval ?? 'None'}>(${name}, ${this.a.length} argument(s))`;
  }

  #fire(): void {
    const d = this.#deferred;
    this.#deferred = undefined;
    d?.callback(this);
  }

  #run(): void {
    this.call = undefined;
    maybeDeferred(this.f, ...this.a).addCallbacks(
      () => {
        if (this.#running) this.#scheduleFrom(this.clock.seconds());
        else this.#fire();
        return undefined;
      },
      (failure: Failure) => {
        this.#running = false;
        const d = this.#deferred;
        this.#deferred = undefined;
        d?.errback(failure);
        return undefined;
      },
    );
  }

  /** Schedules the next call at the first point of the grid after `when`. */
  #scheduleFrom(when: number): void {
    const interval = this.interval as number;
    let delay: number;
    if (interval === 0) {
      delay = 0;
    } else {
      const runningFor = when - (this.starttime as number);
      delay = interval - (runningFor % interval);
      // So far from the start that adding the remainder changes nothing: wait a whole interval
      // rather than spin on a zero delay.
      if (when === when + delay) delay = interval;
    }
    this.call = this.clock.callLater(delay, () => this.#run());
  }

  #count(countCallable: (count: number) => unknown): unknown {
    const now = this.clock.seconds();
    const interval = this.interval as number;
    if (interval === 0) {
      this.#realLastTime = now;
      return countCallable(1);
    }
    let lastTime = this.#realLastTime;
    if (lastTime === undefined) {
      lastTime = this.starttime as number;
      if (this.#runAtStart) lastTime -= interval;
    }
    const count = this.#intervalOf(now) - this.#intervalOf(lastTime);
    if (count > 0) {
      this.#realLastTime = now;
      return countCallable(count);
    }
    return undefined;
  }

  #intervalOf(t: number): number {
    return Math.trunc((t - (this.starttime as number)) / (this.interval as number));
  }
}
