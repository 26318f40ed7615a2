/**
 * `StopsWhileStarting`: the rule, shared by the fake and the virtual ports, for a
 * `stopListening()` made from inside `startProtocol`.
 *
 * @internal
 * @module
 */
import { Deferred } from '../defer/index.ts';

/**
 * A protocol may stop its port from `startProtocol`. The real port then stops the protocol only
 * once `doStart` has finished (on its next turn), and the Deferreds of those stops fire after
 * that. The fakes have no next turn: they hold the Deferreds here while the protocol starts and
 * fire them when it has.
 */
export class StopsWhileStarting {
  #waiters: Deferred<void>[] | undefined;

  /** True between {@link begin} and {@link end}: the protocol is starting. */
  get starting(): boolean {
    return this.#waiters !== undefined;
  }

  /** The protocol is about to start (just before `makeConnection`). */
  begin(): void {
    this.#waiters = [];
  }

  /** A stop made while starting: its Deferred, which fires at {@link end}. */
  wait(): Deferred<void> {
    const d = new Deferred<void>();
    (this.#waiters ??= []).push(d);
    return d;
  }

  /**
   * The protocol has started (or failed to): runs `stopProtocol`, if given (the port was stopped
   * while it started), then fires the Deferreds of those stops.
   */
  end(stopProtocol?: () => void): void {
    const waiters = this.#waiters ?? [];
    this.#waiters = undefined;
    stopProtocol?.();
    for (const d of waiters) d.callback(undefined);
  }
}
