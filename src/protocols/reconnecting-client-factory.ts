/**
 * Twisted's `twisted.internet.protocol.ReconnectingClientFactory`.
 *
 * @module
 */
import type { Failure } from '../failure.ts';
import { NotConnectingError } from '../errors.ts';
import type { IConnector, IDelayedCall, IProtocol, IReactorTime } from '../interfaces.ts';
import { msg } from '../log/log.ts';
import { getDefaultClock } from '../task/default-clock.ts';
import { invalidArgValue } from '../validate.ts';
import { ClientFactory } from './client-factory.ts';

/** Python's `random.NV_MAGICCONST`, for {@link normalVariate}. */
const NV_MAGICCONST = (4 * Math.exp(-0.5)) / Math.sqrt(2);

/**
 * A normally distributed number (mean `mu`, standard deviation `sigma`) by Kinderman and
 * Monahan's ratio-of-uniforms method, as Python's `random.normalvariate`, which Twisted's
 * back-off calls.
 */
function normalVariate(random: () => number, mu: number, sigma: number): number {
  for (;;) {
    const u1 = random();
    const u2 = 1 - random();
    const z = (NV_MAGICCONST * (u1 - 0.5)) / u2;
    if ((z * z) / 4 <= -Math.log(u2)) return mu + z * sigma;
  }
}

/**
 * A client factory that reconnects after a failed attempt or a lost connection, waiting longer
 * each time (exponential back-off with jitter), exactly as Twisted's: each retry multiplies
 * `delay` by `factor` (e), caps it at `maxDelay`, then draws it from a normal distribution around
 * that value with standard deviation `delay * jitter`.
 *
 * Call `resetDelay()` once a connection succeeded (usually in the protocol's `connectionMade`),
 * and `stopTrying()` to give up.
 *
 * @example
 * class Client extends Protocol {
 *   declare factory: ReconnectingClientFactory;
 *   override connectionMade() {
 *     this.factory.resetDelay();
 *   }
 * }
 * const factory = ReconnectingClientFactory.forProtocol(Client);
 * factory.maxDelay = 30;
 * reactor.connectTCP('127.0.0.1', 8000, factory);
 */
export class ReconnectingClientFactory<P extends IProtocol = IProtocol> extends ClientFactory<P> {
  /** The longest wait between attempts, in seconds. Default 3600. */
  maxDelay = 3600;
  /** The delay `resetDelay()` goes back to, in seconds. Default 1. */
  initialDelay = 1.0;
  /** How much the delay grows at each retry. Default e (2.718281828459045), as Twisted's. */
  factor = Math.E;
  /** The relative standard deviation of the random spread of each delay, so clients do not stampede. */
  jitter = 0.119626565582;
  /** The current delay, in seconds (1 until the first retry, as in Twisted, whatever `initialDelay` says). */
  delay = 1.0;
  /** How many retries since the last `resetDelay()`. */
  retries = 0;
  /** Give up after this many consecutive retries; `undefined` (the default) never gives up. */
  maxRetries: number | undefined = undefined;
  /** `false` once `stopTrying()` was called: no more retries. */
  continueTrying = true;
  /** The connector of the last failed or lost connection: what `retry()` reconnects. */
  connector: IConnector | undefined = undefined;
  /**
   * What schedules the retries: the reactor unless set (a `Clock` in tests), as Twisted's
   * `clock` attribute.
   */
  clock: IReactorTime | undefined = undefined;
  /**
   * Beyond Twisted: the uniform random source (numbers in [0, 1)) the jitter is drawn from;
   * `Math.random` by default. Replace it for reproducible delays in tests.
   */
  random: () => number = Math.random;

  #callID: IDelayedCall | undefined = undefined;

  /** The attempt failed: retries after the next delay, unless `stopTrying()` was called. */
  override clientConnectionFailed(connector: IConnector, _reason: Failure): void {
    if (this.continueTrying) {
      this.connector = connector;
      this.retry();
    }
  }

  /** The connection was lost: reconnects after the next delay, unless `stopTrying()` was called. */
  override clientConnectionLost(connector: IConnector, _reason: Failure): void {
    if (this.continueTrying) {
      this.connector = connector;
      this.retry();
    }
  }

  /**
   * Schedules `connector.connect()` (by default the last connector) after the next delay: the
   * delay grows by `factor`, is capped at `maxDelay`, then spread by `jitter`. Nothing happens
   * after `stopTrying()`, or once `maxRetries` is passed.
   *
   * @throws TypeError when no connector is given and none failed yet.
   */
  retry(connector?: IConnector): void {
    if (!this.continueTrying) {
      if (this.noisy) msg(`Abandoning ${String(connector)} on explicit request`);
      return;
    }
    if (connector === undefined) {
      if (this.connector === undefined) {
        throw invalidArgValue(
          'connector',
          'There is no connector to retry: none was given and none has failed yet.',
        );
      }
      connector = this.connector;
    }
    this.retries += 1;
    if (this.maxRetries !== undefined && this.retries > this.maxRetries) {
      if (this.noisy) msg(`Abandoning ${String(connector)} after ${this.retries} retries.`);
      return;
    }
    this.delay = Math.min(this.delay * this.factor, this.maxDelay);
    if (this.jitter) this.delay = normalVariate(this.random, this.delay, this.delay * this.jitter);
    if (this.noisy) msg(`${String(connector)} will retry in ${Math.trunc(this.delay)} seconds`);
    const clock = (this.clock ??= getDefaultClock());
    if (clock === undefined) {
      throw invalidArgValue(
        'clock',
        'No clock was set and the reactor module is not loaded: set factory.clock.',
      );
    }
    const target = connector;
    // A delay drawn below zero (eight standard deviations away) runs at once, as Twisted's
    // callLater does with a negative delay; ours refuses negative delays.
    this.#callID = clock.callLater(Math.max(0, this.delay), () => {
      this.#callID = undefined;
      target.connect();
    });
  }

  /** Gives up: cancels a pending retry and stops a connection attempt in progress. */
  stopTrying(): void {
    if (this.#callID !== undefined) {
      if (this.#callID.active()) this.#callID.cancel();
      this.#callID = undefined;
    }
    this.continueTrying = false;
    if (this.connector !== undefined) {
      try {
        this.connector.stopConnecting();
      } catch (e) {
        if (!(e instanceof NotConnectingError)) throw e;
      }
    }
  }

  /** Call after a successful connection: the delay and the retry count start over. */
  resetDelay(): void {
    this.delay = this.initialDelay;
    this.retries = 0;
    this.#callID = undefined;
    this.continueTrying = true;
  }
}
