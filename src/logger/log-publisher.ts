/**
 * `LogPublisher` (Twisted's `twisted.logger.LogPublisher`): an observer that forwards every event
 * to the observers added to it.
 *
 * @module
 */
import { Failure } from '../failure.ts';
import { CallableObserver } from './callable-observer.ts';
import type { ILogObserver, LogEvent } from './event.ts';
import { LogLevel } from './levels.ts';

/** The format of the event that reports an observer that threw (Twisted's `OBSERVER_DISABLED`). */
export const OBSERVER_DISABLED = 'Temporarily disabling observer {observer} due to exception: {log_failure}';

let dispatchDepth = 0;

/** @internal Whether an event is being delivered right now (stdio redirection passes such writes through). */
export function isDispatching(): boolean {
  return dispatchDepth > 0;
}

function observerName(observer: ILogObserver): string {
  return observer.name || '<anonymous observer>';
}

/**
 * Forwards events to its observers, in the order they were added.
 *
 * The list is copied when an observer is added or removed, never per event, so delivering an
 * event allocates nothing. An observer that throws, or returns a Promise that rejects, is
 * reported as a critical event to the other observers (after the others got the event), as
 * Twisted does; it stays registered. A report that cannot reach anyone goes to stderr.
 *
 * @example
 * const publisher = new LogPublisher();
 * publisher.addObserver((event) => console.log(formatEvent(event)));
 * new Logger({ namespace: 'demo', observer: publisher }).info('hello {who}', { who: 'world' });
 */
export class LogPublisher extends CallableObserver {
  #observers: readonly ILogObserver[];

  /** A publisher forwarding to `observers`. */
  constructor(...observers: ILogObserver[]) {
    super();
    for (const o of observers)
      if (typeof o !== 'function') throw new TypeError(`Observer is not callable: ${String(o)}`);
    this.#observers = Object.freeze([...observers]);
  }

  /** The observers, in order (a snapshot). */
  get observers(): readonly ILogObserver[] {
    return this.#observers;
  }

  /** Adds an observer (once: adding it again does nothing). */
  addObserver(observer: ILogObserver): void {
    if (typeof observer !== 'function') {
      throw Object.assign(
        new TypeError(`The "observer" argument must be of type function. Received ${typeof observer}`),
        { code: 'ERR_INVALID_ARG_TYPE' },
      );
    }
    if (this.#observers.includes(observer)) return;
    this.#observers = Object.freeze([...this.#observers, observer]);
  }

  /** Removes an observer; removing one that is not there does nothing. */
  removeObserver(observer: ILogObserver): void {
    const i = this.#observers.indexOf(observer);
    if (i === -1) return;
    this.#observers = Object.freeze(this.#observers.filter((_, j) => j !== i));
  }

  /** Delivers `event` to every observer. */
  observe(event: LogEvent): void {
    const observers = this.#observers;
    let broken: [ILogObserver, unknown][] | undefined;
    dispatchDepth++;
    try {
      for (let i = 0; i < observers.length; i++) {
        const observer = observers[i];
        try {
          const result = observer(event);
          if (
            result !== undefined &&
            result !== null &&
            typeof (result as PromiseLike<void>).then === 'function'
          ) {
            (result as PromiseLike<void>).then(undefined, (e: unknown) =>
              this.#report([[observer, e]], observers),
            );
          }
        } catch (e) {
          (broken ??= []).push([observer, e]);
        }
      }
    } finally {
      dispatchDepth--;
    }
    if (broken !== undefined) this.#report(broken, observers);
  }

  /** Tells the observers that did not fail about those that did. */
  #report(broken: [ILogObserver, unknown][], observers: readonly ILogObserver[]): void {
    const failed = new Set(broken.map(([o]) => o));
    const healthy = observers.filter((o) => !failed.has(o));
    for (const [observer, error] of broken) {
      const failure = new Failure(error);
      const event: LogEvent = {
        log_format: OBSERVER_DISABLED,
        log_level: LogLevel.critical,
        log_namespace: 'twisted-ts.logger',
        log_source: this,
        log_time: Date.now() / 1000,
        log_failure: failure,
        log_system: 'log',
        observer: { toString: () => observerName(observer) },
        // The legacy keys, so that `log.addObserver` observers read it as `log.err` would write it.
        message: [],
        isError: true,
        failure,
        why: `Log observer ${observerName(observer)} failed`,
        system: 'log',
        time: Date.now() / 1000,
      };
      let delivered = false;
      for (const other of healthy) {
        try {
          const r = other(event);
          if (r !== undefined && r !== null && typeof (r as PromiseLike<void>).then === 'function') {
            (r as PromiseLike<void>).then(undefined, () => undefined);
          }
          delivered = true;
        } catch {
          // A second observer failing on the report: stderr below says what happened.
        }
      }
      if (!delivered) {
        process.stderr.write(`Log observer ${observerName(observer)} failed: ${failure.getTraceback()}\n`);
      }
    }
  }
}
