/**
 * Twisted's `twisted.protocols.policies.TimeoutFactory`.
 *
 * @module
 */
import type { IDelayedCall, IProtocolFactory, StreamAddress } from '../../interfaces.ts';
import { getDefaultClock } from '../../task/default-clock.ts';
import { invalidArgValue, validateNumber, validateObject } from '../../validate.ts';
import { TimeoutProtocol } from './timeout-protocol.ts';
import { WrappingFactory, type ProtocolWrapperClass } from './wrapping-factory.ts';

/** The keyword form of {@link TimeoutFactory}'s arguments. */
export interface TimeoutFactoryOptions {
  /** Seconds of silence allowed before a connection is dropped (default 1800, Twisted's 30 minutes). */
  timeoutPeriod?: number;
}

/**
 * Wraps a factory so that each of its connections is dropped after `timeoutPeriod` seconds
 * with nothing received or written (Twisted's `TimeoutFactory`, with `TimeoutProtocol`).
 *
 * @example
 * reactor.listenTCP(8000, new TimeoutFactory(Factory.forProtocol(Chat), 300));
 */
export class TimeoutFactory extends WrappingFactory<TimeoutProtocol> {
  /** The wrapper class, {@link TimeoutProtocol}. */
  override protocol: ProtocolWrapperClass<TimeoutProtocol> = TimeoutProtocol;
  /** Seconds of silence allowed. */
  timeoutPeriod: number;

  /**
   * `new TimeoutFactory(wrappedFactory, timeoutPeriod = 1800)` or
   * `new TimeoutFactory(wrappedFactory, { timeoutPeriod })`.
   */
  constructor(wrappedFactory: IProtocolFactory, timeoutPeriod: number | TimeoutFactoryOptions = 30 * 60) {
    super(wrappedFactory);
    let period = timeoutPeriod;
    if (typeof period === 'object') {
      validateObject(period, 'options');
      period = period.timeoutPeriod ?? 30 * 60;
    }
    validateNumber(period, 'timeoutPeriod', 0);
    this.timeoutPeriod = period;
  }

  /** A {@link TimeoutProtocol} around the wrapped factory's protocol, with `timeoutPeriod`. */
  override buildProtocol(addr: StreamAddress): TimeoutProtocol | undefined {
    const wrapped = this.wrappedFactory.buildProtocol(addr);
    if (wrapped === undefined) return undefined;
    const Wrapper = this.protocol as unknown as typeof TimeoutProtocol;
    return new Wrapper(this, wrapped, this.timeoutPeriod);
  }

  /**
   * Schedules a timeout: the reactor's `callLater`. Replace it to test with a `Clock`:
   * `factory.callLater = (d, f) => clock.callLater(d, f)`.
   */
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
}
