/**
 * `ShutdownSignals`: the signal handlers a running reactor installs (Twisted's
 * `_handleSignals`): SIGINT and SIGTERM (and SIGBREAK on Windows) stop it.
 *
 * @internal
 * @module
 */
import { constants } from 'node:os';
import { msg } from '../log/log.ts';

const SIGNALS: readonly NodeJS.Signals[] =
  process.platform === 'win32' ? ['SIGINT', 'SIGTERM', 'SIGBREAK'] : ['SIGINT', 'SIGTERM'];

/**
 * The handlers, installed while the reactor runs. A first signal stops the reactor; a second one
 * while shutdown hangs (a `before` trigger whose Deferred never fires, a port that never closes)
 * exits at once, as a shell reports death by that signal: the user wants out.
 */
export class ShutdownSignals {
  readonly #handlers = new Map<NodeJS.Signals, () => void>();
  readonly #canStop: () => boolean;
  readonly #stop: () => void;

  /** Handlers that call `stop()` while `canStop()` says the reactor is running and not stopping. */
  constructor(canStop: () => boolean, stop: () => void) {
    this.#canStop = canStop;
    this.#stop = stop;
  }

  /** Installs the handlers on `process`. */
  install(): void {
    for (const signal of SIGNALS) {
      const handler = (): void => this.#onSignal(signal);
      this.#handlers.set(signal, handler);
      process.on(signal, handler);
    }
  }

  /** Removes the handlers installed (none: nothing to do). */
  remove(): void {
    for (const [signal, handler] of this.#handlers) process.removeListener(signal, handler);
    this.#handlers.clear();
  }

  #onSignal(signal: NodeJS.Signals): void {
    if (this.#canStop()) {
      msg(`Received ${signal}, shutting down.`);
      this.#stop();
      return;
    }
    process.stderr.write(`Received ${signal} again during shutdown; exiting at once.\n`);
    process.exit(128 + (constants.signals[signal] ?? 2));
  }
}
