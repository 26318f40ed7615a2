/**
 * `TimerService` (Twisted's `twisted.application.internet.TimerService`): calls a function every
 * `step` seconds while the service runs.
 *
 * @module
 */
import type { Deferred } from '../defer/deferred.ts';
import type { Failure } from '../failure.ts';
import type { IReactorTime } from '../interfaces.ts';
import { err } from '../log/log.ts';
import { LoopingCall } from '../task/looping-call.ts';
import { Service } from './service.ts';

/**
 * Calls `fn(...args)` every `step` seconds, starting at once, while running (a `LoopingCall`).
 * `stopService` waits for a call in progress (a returned Deferred or Promise). A call that fails
 * stops the loop and is logged; the service stays "running" until stopped, as Twisted's.
 * `clock` is the source of time (default: the reactor); set it before starting, e.g. to a `Clock`
 * in tests.
 *
 * @example
 * new TimerService(10, () => flush()).setServiceParent(application);
 */
export class TimerService<A extends unknown[] = unknown[]> extends Service {
  /** Seconds between calls. */
  readonly step: number;
  /** The function and its arguments. */
  readonly call: readonly [fn: (...args: A) => unknown, args: A];
  /** The source of time; `undefined` uses the reactor. */
  clock: IReactorTime | undefined = undefined;
  #loop: LoopingCall<A> | undefined;
  #finished: Deferred<unknown> | undefined;

  /** Calls `fn(...args)` every `step` seconds while running. */
  constructor(step: number, fn: (...args: A) => unknown, ...args: A) {
    super();
    if (typeof step !== 'number' || !Number.isFinite(step) || step < 0) {
      throw Object.assign(
        new RangeError(
          `The value of "step" is out of range. It must be a finite number >= 0. Received ${String(step)}`,
        ),
        {
          code: 'ERR_OUT_OF_RANGE',
        },
      );
    }
    if (typeof fn !== 'function') {
      throw Object.assign(new TypeError('The "fn" argument must be of type function'), {
        code: 'ERR_INVALID_ARG_TYPE',
      });
    }
    this.step = step;
    this.call = [fn, args];
  }

  /** Starts calling (the first call happens now). */
  override startService(): void {
    super.startService();
    const [fn, args] = this.call;
    const loop = new LoopingCall<A>(fn, ...args);
    if (this.clock !== undefined) loop.clock = this.clock;
    this.#loop = loop;
    this.#finished = loop.start(this.step, true).addErrback((why: Failure) => {
      err(why, `TimerService call of ${fn.name || '<anonymous>'} failed; the timer stopped`);
      return undefined;
    });
  }

  /** Stops calling; fires when a call in progress has finished. */
  override stopService(): Deferred<unknown> | undefined {
    const loop = this.#loop;
    const finished = this.#finished;
    if (loop === undefined || finished === undefined) {
      super.stopService();
      return undefined;
    }
    if (loop.running) loop.stop();
    this.#loop = undefined;
    this.#finished = undefined;
    return finished.addCallback(() => {
      super.stopService();
      return undefined;
    });
  }
}
