/**
 * Twisted's `twisted.protocols.policies.TimeoutMixin`, as a class mixin.
 *
 * @module
 */
import { AlreadyCalled, AlreadyCancelled } from '../../errors.ts';
import type { IDelayedCall } from '../../interfaces.ts';
import { getDefaultClock } from '../../task/default-clock.ts';
import { invalidArgValue, validateNumber } from '../../validate.ts';

/** What `TimeoutMixin` needs of a protocol: a transport it can drop. */
export interface TimeoutMixinHost {
  /** The connection, dropped by the default `timeoutConnection()`. */
  transport: {
    /** Closes the connection once pending data is written. */
    loseConnection(): void;
  };
}

/**
 * A class whose instances have a transport to drop: what `TimeoutMixin` extends. TypeScript
 * requires a mixin's base constructor to take `...args: any[]`.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TimeoutMixinBase = abstract new (...args: any[]) => TimeoutMixinHost;

/**
 * The class `TimeoutMixin` adds, as a mixin constructor type (TypeScript merges it with the
 * base class's when both take `...args: any[]`).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TimeoutMixinClass = abstract new (...args: any[]) => TimeoutMixinMembers;

/** What `TimeoutMixin` adds to a protocol class. */
export interface TimeoutMixinMembers {
  /** The timeout in seconds, or `undefined` for none (Twisted's `timeOut`); set it with `setTimeout`. */
  timeOut: number | undefined;
  /**
   * Schedules `fn` after `delay` seconds: the reactor's `callLater` by default. Replace it to
   * test with a `Clock`: `proto.callLater = (d, f) => clock.callLater(d, f)`.
   */
  callLater(delay: number, fn: () => void): IDelayedCall;
  /**
   * Starts the countdown again from `timeOut`, because something happened ("they are still
   * there"); nothing when there is no timeout or it already fired.
   */
  resetTimeout(): void;
  /**
   * Sets the timeout to `period` seconds from now (`undefined` cancels it) and returns the
   * previous period.
   */
  setTimeout(period: number | undefined): number | undefined;
  /** Called when the timeout fires; the default drops the connection (`loseConnection()`). */
  timeoutConnection(): void;
}

/**
 * Adds Twisted's `TimeoutMixin` to a protocol class: a single timeout, set with
 * `setTimeout(seconds)`, pushed back with `resetTimeout()` whenever something happens; when it
 * fires, `timeoutConnection()` drops the connection.
 *
 * @example
 * class Idle extends TimeoutMixin(LineReceiver) {
 *   override connectionMade() { this.setTimeout(60); }
 *   override lineReceived(line: Buffer) { this.resetTimeout(); }
 *   override connectionLost() { this.setTimeout(undefined); }
 * }
 */
export function TimeoutMixin<TBase extends TimeoutMixinBase>(Base: TBase): TBase & TimeoutMixinClass {
  abstract class WithTimeout extends Base implements TimeoutMixinMembers {
    timeOut: number | undefined = undefined;
    #timeoutCall: IDelayedCall | undefined = undefined;

    callLater(delay: number, fn: () => void): IDelayedCall {
      const clock = getDefaultClock();
      if (clock === undefined) {
        throw invalidArgValue(
          'callLater',
          "The reactor module is not loaded: replace callLater with a clock's.",
        );
      }
      return clock.callLater(delay, fn);
    }

    resetTimeout(): void {
      if (this.#timeoutCall !== undefined && this.timeOut !== undefined)
        this.#timeoutCall.reset(this.timeOut);
    }

    setTimeout(period: number | undefined): number | undefined {
      if (period !== undefined) validateNumber(period, 'period', 0);
      const previous = this.timeOut;
      this.timeOut = period;
      const call = this.#timeoutCall;
      if (call !== undefined) {
        if (period === undefined) {
          this.#timeoutCall = undefined;
          try {
            call.cancel();
          } catch (e) {
            // Already consumed: nothing to cancel, as Twisted.
            if (!(e instanceof AlreadyCalled || e instanceof AlreadyCancelled)) throw e;
          }
        } else {
          call.reset(period);
        }
      } else if (period !== undefined) {
        this.#timeoutCall = this.callLater(period, () => {
          this.#timeoutCall = undefined;
          this.timeoutConnection();
        });
      }
      return previous;
    }

    timeoutConnection(): void {
      this.transport.loseConnection();
    }
  }
  return WithTimeout;
}
