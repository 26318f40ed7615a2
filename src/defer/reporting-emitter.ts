/**
 * `ReportingEmitter`: the event emitter of the reactor and of ports (DESIGN.md decision 7),
 * whose listeners may be `async` and may fail without harm.
 *
 * @internal
 * @module
 */
import { EventEmitter } from 'eventemitter3';
import { handleAsyncResult } from './user-code.ts';

type Listener = (...args: never[]) => unknown;

/** What the emitter registers with eventemitter3 in place of each listener. */
interface Wrapper {
  (...args: unknown[]): void;
  /** The listener as given (what `listeners()` returns and `off()` matches). */
  readonly listener: Listener;
  readonly context: unknown;
  readonly once: boolean;
}

/**
 * An `eventemitter3` emitter whose listeners are observers: one that throws, or returns a
 * Promise (an `async` listener) that rejects, is reported to {@link ReportingEmitter.listenerFailed}
 * — the subclass logs it — and the other listeners still run; nothing reaches the emitter's
 * caller or Node's `unhandledRejection`. Each listener is registered through a small wrapper;
 * `listeners()`, `off()` and `removeListener()` see the listeners as given.
 */
export abstract class ReportingEmitter<
  Events extends EventEmitter.ValidEventTypes,
> extends EventEmitter<Events> {
  readonly #wrappers = new Map<EventEmitter.EventNames<Events>, Wrapper[]>();

  /**
   * Called with what a listener of `event` threw, or the reason the Promise it returned
   * rejected with.
   */
  protected abstract listenerFailed(error: unknown, event: EventEmitter.EventNames<Events>): void;

  /** Adds a listener (see eventemitter3); its failures are reported, not thrown. */
  override on<T extends EventEmitter.EventNames<Events>>(
    event: T,
    fn: EventEmitter.EventListener<Events, T>,
    context?: unknown,
  ): this {
    return super.on(event, this.#wrap(event, fn as Listener, context, false) as never);
  }

  /** The same as `on`. */
  override addListener<T extends EventEmitter.EventNames<Events>>(
    event: T,
    fn: EventEmitter.EventListener<Events, T>,
    context?: unknown,
  ): this {
    return this.on(event, fn, context);
  }

  /** Adds a listener that runs once (see eventemitter3); its failures are reported, not thrown. */
  override once<T extends EventEmitter.EventNames<Events>>(
    event: T,
    fn: EventEmitter.EventListener<Events, T>,
    context?: unknown,
  ): this {
    return super.once(event, this.#wrap(event, fn as Listener, context, true) as never);
  }

  /** Removes listeners of `event` (all of them without `fn`), as eventemitter3 matches them. */
  override removeListener<T extends EventEmitter.EventNames<Events>>(
    event: T,
    fn?: EventEmitter.EventListener<Events, T>,
    context?: unknown,
    once?: boolean,
  ): this {
    const wrappers = this.#wrappers.get(event);
    if (fn === undefined) {
      this.#wrappers.delete(event);
      return super.removeListener(event);
    }
    if (wrappers === undefined) return this;
    const kept: Wrapper[] = [];
    for (const w of wrappers) {
      const matches =
        w.listener === (fn as Listener) &&
        (once !== true || w.once) &&
        (context === undefined || w.context === context);
      if (matches) super.removeListener(event, w as never);
      else kept.push(w);
    }
    if (kept.length === 0) this.#wrappers.delete(event);
    else this.#wrappers.set(event, kept);
    return this;
  }

  /** The same as `removeListener`. */
  override off<T extends EventEmitter.EventNames<Events>>(
    event: T,
    fn?: EventEmitter.EventListener<Events, T>,
    context?: unknown,
    once?: boolean,
  ): this {
    return this.removeListener(event, fn, context, once);
  }

  /** Removes every listener, or those of `event`. */
  override removeAllListeners(event?: EventEmitter.EventNames<Events>): this {
    if (event === undefined) this.#wrappers.clear();
    else this.#wrappers.delete(event);
    return super.removeAllListeners(event);
  }

  /** The listeners of `event`, as they were given. */
  override listeners<T extends EventEmitter.EventNames<Events>>(
    event: T,
  ): EventEmitter.EventListener<Events, T>[] {
    return super
      .listeners(event)
      .map(
        (w) => ((w as unknown as Partial<Wrapper>).listener ?? w) as EventEmitter.EventListener<Events, T>,
      );
  }

  #wrap(event: EventEmitter.EventNames<Events>, fn: Listener, context: unknown, once: boolean): Wrapper {
    const wrapper = Object.assign(
      (...args: unknown[]): void => {
        if (once) this.#forget(event, wrapper);
        let result: unknown;
        try {
          result = (fn as (...a: unknown[]) => unknown).apply(context ?? this, args);
        } catch (e) {
          this.listenerFailed(e, event);
          return;
        }
        handleAsyncResult(result, this.#asyncFailure, event);
      },
      { listener: fn, context, once },
    );
    const list = this.#wrappers.get(event);
    if (list === undefined) this.#wrappers.set(event, [wrapper]);
    else list.push(wrapper);
    return wrapper;
  }

  #forget(event: EventEmitter.EventNames<Events>, wrapper: Wrapper): void {
    const list = this.#wrappers.get(event);
    if (list === undefined) return;
    const i = list.indexOf(wrapper);
    if (i !== -1) list.splice(i, 1);
    if (list.length === 0) this.#wrappers.delete(event);
  }

  readonly #asyncFailure = (error: unknown, event: EventEmitter.EventNames<Events>): void => {
    this.listenerFailed(error, event);
  };
}
