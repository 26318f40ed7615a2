/**
 * A base for observer classes whose instances are callable, as Twisted's are (`publisher(event)`,
 * `FilteringLogObserver(...)(event)`): `new` returns a function whose prototype is the class's, so
 * an instance is both an object with methods and an `ILogObserver`.
 *
 * @module
 */
import type { LogEvent } from './event.ts';

/** An instance is also a function: calling it calls {@link CallableObserver.observe}. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the constructor returns a function: instances are callable
export interface CallableObserver {
  /** Same as {@link CallableObserver.observe}. */
  (event: LogEvent): void;
}

/**
 * The base of the callable observer classes (`LogPublisher`, `FilteringLogObserver`,
 * `FileLogObserver`, `LimitedHistoryLogObserver`). Subclasses implement `observe`.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface above
export abstract class CallableObserver {
  constructor() {
    const self = function observer(event: LogEvent): void {
      return self.observe(event);
    } as unknown as CallableObserver;
    Object.setPrototypeOf(self, new.target.prototype);
    // A subclass's fields are defined on the object the base constructor returns.
    return self;
  }

  /** Receives one event. */
  abstract observe(event: LogEvent): void;
}
