/**
 * Twisted's `twisted.protocols.policies.TimeoutProtocol`.
 *
 * @module
 */
import { AlreadyCalled, AlreadyCancelled } from '../../errors.ts';
import type { Failure } from '../../failure.ts';
import type { IDelayedCall, IProtocol } from '../../interfaces.ts';
import { validateNumber } from '../../validate.ts';
import { ProtocolWrapper, type ProtocolWrapperFactory } from './protocol-wrapper.ts';

/** The factory of a {@link TimeoutProtocol}: schedules its timeout. */
export interface TimeoutProtocolFactory extends ProtocolWrapperFactory {
  /** Schedules `fn` after `delay` seconds (the reactor's `callLater`, or a test clock's). */
  callLater(delay: number, fn: () => void): IDelayedCall;
}

/**
 * A wrapper that drops its connection after `timeoutPeriod` seconds without traffic: data
 * received and data written both start the countdown again. Made by {@link TimeoutFactory}.
 */
export class TimeoutProtocol extends ProtocolWrapper {
  declare factory: TimeoutProtocolFactory;
  /** The idle time allowed, in seconds, or `undefined` when no timeout is set. */
  timeoutPeriod: number | undefined = undefined;
  /** The pending timeout, or `undefined`. */
  timeoutCall: IDelayedCall | undefined = undefined;

  /**
   * @param factory - the {@link TimeoutFactory} (its `callLater` schedules the timeout).
   * @param wrappedProtocol - the protocol to wrap.
   * @param timeoutPeriod - seconds of silence allowed; `undefined` for none.
   */
  constructor(factory?: TimeoutProtocolFactory, wrappedProtocol?: IProtocol, timeoutPeriod?: number) {
    super(factory, wrappedProtocol);
    this.setTimeout(timeoutPeriod);
  }

  /** Cancels any timeout and, unless `timeoutPeriod` is `undefined`, starts a new one. */
  setTimeout(timeoutPeriod?: number): void {
    if (timeoutPeriod !== undefined) validateNumber(timeoutPeriod, 'timeoutPeriod', 0);
    this.cancelTimeout();
    this.timeoutPeriod = timeoutPeriod;
    if (timeoutPeriod !== undefined) {
      this.timeoutCall = this.factory.callLater(timeoutPeriod, () => {
        this.timeoutCall = undefined;
        this.timeoutFunc();
      });
    }
  }

  /** Cancels the timeout, if any. */
  cancelTimeout(): void {
    this.timeoutPeriod = undefined;
    const call = this.timeoutCall;
    this.timeoutCall = undefined;
    if (call === undefined) return;
    try {
      call.cancel();
    } catch (e) {
      if (!(e instanceof AlreadyCalled || e instanceof AlreadyCancelled)) throw e;
    }
  }

  /** Starts the countdown again (something happened). */
  resetTimeout(): void {
    if (this.timeoutCall !== undefined && this.timeoutPeriod !== undefined)
      this.timeoutCall.reset(this.timeoutPeriod);
  }

  /** Resets the timeout and writes. */
  override write(data: Uint8Array): void {
    this.resetTimeout();
    super.write(data);
  }

  /** Resets the timeout and writes. */
  override writeSequence(data: readonly Uint8Array[]): void {
    this.resetTimeout();
    super.writeSequence(data);
  }

  /** Resets the timeout and passes the data on. */
  override dataReceived(data: Buffer): void | Promise<void> {
    this.resetTimeout();
    return super.dataReceived(data);
  }

  /** Cancels the timeout and passes the end on. */
  override connectionLost(reason: Failure): void | Promise<void> {
    this.cancelTimeout();
    return super.connectionLost(reason);
  }

  /** Called when the timeout fires: drops the connection (`loseConnection()`). Override for something else. */
  timeoutFunc(): void {
    this.loseConnection();
  }
}
