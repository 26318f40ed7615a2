/**
 * `ReactorCore`: the lifecycle of Twisted's reactor on Node's event loop (`run`/`stop`/`crash`),
 * over the pieces beside it: delayed calls on one timer (reactor-timer.ts), signal handling
 * (shutdown-signals.ts), the system events (system-events.ts) and the registry of ports and
 * connections that shutdown ends (registry.ts). `Reactor` (reactor.ts) builds on it.
 *
 * @internal
 * @module
 */
import { Deferred } from '../defer/deferred.ts';
import { ReportingEmitter } from '../defer/reporting-emitter.ts';
import { handleAsyncResult } from '../defer/user-code.ts';
import { ReactorAlreadyRunning, ReactorNotRestartable, ReactorNotRunning } from '../errors.ts';
import type { IThreadPool, ThreadTarget, IReactorThreads, IReactorTime, TriggerId } from '../interfaces.ts';
import { err } from '../log/log.ts';
import type { DelayedCall } from '../task/delayed-call.ts';
import type { TimerQueue } from '../task/timer-queue.ts';
import { readOptions, validateBoolean, validateFunction } from '../validate.ts';
import { MAX_TIMER_DELAY_MS, ReactorTimer } from './reactor-timer.ts';
import { isRunning, nextState } from './reactor-state.ts';
import type { ReactorEvent, ReactorState } from './reactor-state.ts';
import { Registry } from './registry.ts';
import { ShutdownSignals } from './shutdown-signals.ts';
import { reactorThreadPool, stopThreadPool } from './thread-pools.ts';
import { SystemEvents } from './system-events.ts';

/** Options of {@link Reactor.run}. */
export interface RunOptions {
  /** Install SIGINT/SIGTERM (and SIGBREAK on Windows) handlers that call `stop()`. Default true. */
  installSignalHandlers?: boolean;
}

/** The events a reactor publishes (DESIGN.md decision 7). */
export interface ReactorEvents {
  /** The `startup` system event has completed: the reactor is running. */
  startup: [];
  /** The `shutdown` system event has completed: ports are closed, pending calls dropped. */
  shutdown: [];
}

function noop(): void {}

/**
 * The reactor's core (see `Reactor`, which adds system event triggers, names, the transports and
 * the owner side of ports and connections): the lifecycle (`run`/`stop`/`crash`, firing the
 * `startup`/`shutdown` system events and ending ports and connections at shutdown),
 * `callWhenRunning`/`callFromThread`, threads, time and delayed calls.
 *
 * @internal
 */
export class ReactorCore extends ReportingEmitter<ReactorEvents> implements IReactorTime, IReactorThreads {
  #state: ReactorState = 'idle'; // see reactor-state.ts for the transitions
  /** Fires once the startup event of the current run has completed: shutdown waits for it. */
  #startup = new Deferred<void>();
  /** Bumped by `crash()`, so that a startup still waiting on a Deferred does not resume the old run. */
  #generation = 0;
  #resolveRun: (() => void) | undefined;
  #keepAlive: NodeJS.Timeout | undefined;
  readonly #signals = new ShutdownSignals(
    () => nextState(this.#state, 'stop') !== undefined,
    () => this.stop(),
  );
  readonly #events: SystemEvents;
  readonly #registry: Registry;
  readonly #timer = new ReactorTimer(() => this.seconds());

  /**
   * @internal Made by `Reactor`, which keeps the `registry` of its ports and connections and the
   * system `events` too.
   */
  constructor(registry: Registry, events: SystemEvents) {
    super();
    this.#registry = registry;
    this.#events = events;
  }

  /** True between the `during` phase of startup and the `during` phase of shutdown. */
  get running(): boolean {
    return isRunning(this.#state);
  }

  // ---------------------------------------------------------------------------------------------
  // Lifecycle

  /**
   * Starts the reactor: fires the `startup` system event (its `before` triggers run inside this
   * call; if they return Deferreds or Promises, the rest waits for them), then keeps the process
   * alive until {@link stop}. Not an `async` function: misuse throws synchronously.
   *
   * @returns a Promise that resolves once shutdown is complete (or at once on `crash()`).
   * @throws ReactorAlreadyRunning when it is running (or starting, or in the `before` phase of
   *   its shutdown).
   * @throws ReactorNotRestartable after a `stop()`, from the `during` phase of its shutdown on
   *   (an `after shutdown` trigger included): like Twisted's, a stopped reactor stays stopped.
   *   After `crash()` it may run again.
   */
  run(options: RunOptions = {}): Promise<void> {
    const { installSignalHandlers = true } = readOptions(options, 'options', RUN_OPTION_KEYS);
    validateBoolean(installSignalHandlers, 'options.installSignalHandlers');
    if (!this.#transition('run')) {
      // From the `during` phase of shutdown on, Twisted's reactor is no longer started (a
      // `during shutdown` trigger crashes it) but was stopped: not restartable.
      if (this.#state === 'shuttingDown' || this.#state === 'crashed' || this.#state === 'finished') {
        throw new ReactorNotRestartable(
          'The reactor was stopped and cannot be restarted; create a new Reactor.',
        );
      }
      throw new ReactorAlreadyRunning('The reactor is already running.');
    }
    const startup = (this.#startup = new Deferred<void>());
    const generation = this.#generation;
    const promise = new Promise<void>((resolve) => {
      this.#resolveRun = resolve;
    });
    // While running the process stays alive even with nothing scheduled, as Twisted's blocking
    // run() does. One idle ref'd interval costs nothing.
    this.#keepAlive = setInterval(noop, MAX_TIMER_DELAY_MS);
    this.#events.fire('startup', {
      during: () => {
        if (generation !== this.#generation) return;
        this.#transition('startupDuring');
        if (installSignalHandlers) this.#signals.install();
      },
      done: () => {
        if (generation !== this.#generation) return;
        this.#emitSafely('startup');
        startup.callback(undefined); // a stop() waiting for startup begins the shutdown now
      },
    });
    return promise;
  }

  /**
   * Stops the reactor. Shutdown begins after this call returns (in a later turn of the event
   * loop, never inside it): the `before shutdown` triggers (waiting for Deferreds or Promises
   * they return), then the `during` phase, where `running` becomes false, every registered
   * listening port is stopped (one port failing does not prevent the next) and then every open
   * connection ended, then — once they have closed — the `after` phase. Afterwards pending
   * delayed calls are dropped, the signal handlers are removed, nothing of the reactor keeps the
   * process alive, and the `run()` promise resolves.
   *
   * @throws ReactorNotRunning when the reactor is not running (or already stopping).
   */
  stop(): void {
    if (!this.#transition('stop')) throw new ReactorNotRunning("Can't stop reactor that isn't running.");
    const generation = this.#generation;
    const startup = this.#startup;
    setImmediate(() => {
      // A crash() since this stop() ended the run before shutdown began: as in Twisted, the
      // shutdown event then never fires (ports stay open, pending calls stay scheduled).
      if (generation !== this.#generation) return;
      startup.addCallback(() => this.#shutdown());
    });
  }

  /**
   * Stops at once, without the shutdown triggers: ports stay open and pending calls stay
   * scheduled (they keep running, as delayed calls do without `run()`). The `run()` promise
   * resolves, and `run()` may be called again — unless `stop()` was called. Twisted calls this
   * "extremely rude".
   */
  crash(): void {
    this.#generation++;
    this.#transition('crash');
    this.#endRun();
  }

  /** @internal Logs what a listener of the reactor's events threw or rejected with. */
  protected override listenerFailed(error: unknown, event: keyof ReactorEvents): void {
    err(error, `Error in a '${String(event)}' listener of the reactor`);
  }

  // ---------------------------------------------------------------------------------------------
  // Calls

  /**
   * Calls `fn(...args)` when the reactor is running: at once if it is (exceptions propagate; the
   * rejection of a Promise it returns is logged), else in the `after startup` phase, in
   * registration order (as a trigger: a throw or a rejection is logged).
   *
   * @returns the trigger id when the call was deferred, for `removeSystemEventTrigger`.
   */
  callWhenRunning<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): TriggerId | undefined {
    validateFunction(fn, 'fn');
    if (this.running) {
      handleAsyncResult(fn(...args), logCallError, ['callWhenRunning', fn]);
      return undefined;
    }
    return this.#events.add('after', 'startup', fn, args);
  }

  /**
   * Calls `fn(...args)` in the next turn of the event loop (`setImmediate`). Node has no threads
   * sharing the reactor; this keeps Twisted's name for "run this soon, not now". An exception,
   * or the rejection of a Promise it returns, is logged.
   */
  callFromThread<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): void {
    validateFunction(fn, 'fn');
    setImmediate(() => {
      let result: unknown;
      try {
        result = fn(...args);
      } catch (e) {
        logCallError(e, ['callFromThread', fn]);
        return;
      }
      handleAsyncResult(result, logCallError, ['callFromThread', fn]);
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Threads (IReactorThreads)

  /**
   * The reactor's pool of worker threads (Twisted's `getThreadPool`), which `deferToThread` and
   * {@link callInThread} use: Twisted's `ThreadPool(0, 10)`, made and started on first use.
   * Shutdown stops it once the jobs given to it have finished (docs/threads.md).
   */
  getThreadPool(): IThreadPool {
    return reactorThreadPool(this);
  }

  /** Sets the most worker threads the reactor's pool runs at once (also while it runs). */
  suggestThreadPoolSize(size: number): void {
    this.getThreadPool().adjustPoolsize(undefined, size);
  }

  /**
   * Runs a job in the reactor's pool, ignoring its result (Twisted's `callInThread`): a
   * self-contained function `fn(...args)` (its source is sent to a worker thread), or
   * `(moduleUrl, exportName, ...args)`. An error in the job is logged. See `deferToThread` for a
   * Deferred of the result.
   */
  callInThread(target: ThreadTarget, ...args: unknown[]): void {
    this.getThreadPool().callInThread(target, ...args);
  }

  // ---------------------------------------------------------------------------------------------
  // Time

  /**
   * The current time in epoch seconds. It comes from Node's monotonic clock anchored at the
   * process's start (`performance.timeOrigin + performance.now()`), so delayed calls are not
   * disturbed when the wall clock is set back or forward. (The global `performance` is read at
   * each call, so fake timers that replace it drive the reactor too.)
   */
  seconds(): number {
    return (performance.timeOrigin + performance.now()) / 1000;
  }

  /**
   * Calls `fn(...args)` in `delay` **seconds** (a finite number >= 0; `RangeError` otherwise,
   * `TypeError` for a non-number or a non-function). A pending call keeps the process alive,
   * like a `setTimeout`. Calls due at the same time run in the order they were scheduled. An
   * exception thrown by `fn` is logged and the reactor goes on.
   */
  callLater<A extends unknown[]>(delay: number, fn: (...args: A) => unknown, ...args: A): DelayedCall<A> {
    return this.#timer.callLater(delay, fn, args);
  }

  /** Every pending delayed call, in no particular order. */
  getDelayedCalls(): DelayedCall[] {
    return this.#timer.getDelayedCalls();
  }

  // ---------------------------------------------------------------------------------------------
  // Ports (IPortOwner) and connections (IConnectionOwner)

  /**
   * @internal Throws `ReactorNotRunning` once shutdown has stopped the ports (from a `during` or
   * `after shutdown` trigger, a `'shutdown'` listener, or later): a port opened then would
   * outlive the reactor and hold the process open. Every `listen*`/`connect*` calls it before it
   * creates anything.
   */
  assertAcceptingPorts(what: string): void {
    if (this.#state === 'shuttingDown' || this.#state === 'finished') {
      throw new ReactorNotRunning(
        `${what}() after the reactor has shut down: the port would outlive it. Open ports before reactor.stop(), or on a new Reactor.`,
      );
    }
  }
  /**
   * @internal True once shutdown is over (Twisted's loop has ended): a port that registers now
   * is stopped at once.
   */
  get shutdownComplete(): boolean {
    return this.#state === 'finished';
  }

  // ---------------------------------------------------------------------------------------------
  // Internals

  /** Moves to the state after `event` (reactor-state.ts); false, and no move, where it does not apply. */
  #transition(event: ReactorEvent): boolean {
    const next = nextState(this.#state, event);
    if (next === undefined) return false;
    this.#state = next;
    return true;
  }

  #shutdown(): void {
    this.#events.fire('shutdown', {
      during: () => {
        // After a crash() while the 'before' triggers ran, the reactor stays crashed.
        this.#transition('shutdownDuring');
        // Twisted stops its thread pool in a `during shutdown` trigger and joins the threads:
        // here the `after` phase waits until the jobs already given have finished.
        return [...this.#registry.shutdown(), ...stopThreadPool(this)];
      },
      done: () => this.#finishShutdown(),
    });
  }

  #finishShutdown(): void {
    this.#transition('shutdownDone');
    // A port registered after the 'during' phase stopped the others (by a trigger or a delayed
    // call while they closed) would otherwise stay open, holding the process after run() resolved.
    this.#registry.finishShutdown();
    // Twisted's loop ends here, so pending calls never run; dropping them releases the timer.
    this.#timer.close();
    this.#emitSafely('shutdown');
    this.#endRun();
  }

  /** What `crash()` and the end of shutdown share: let go of the process, resolve `run()`. */
  #endRun(): void {
    this.#signals.remove();
    if (this.#keepAlive !== undefined) {
      clearInterval(this.#keepAlive);
      this.#keepAlive = undefined;
    }
    const resolve = this.#resolveRun;
    this.#resolveRun = undefined;
    resolve?.();
  }

  #emitSafely(event: keyof ReactorEvents): void {
    // Listeners cannot throw out of emit (ReportingEmitter reports them); a failure of the
    // emitter itself must not stop the lifecycle either.
    try {
      this.emit(event);
    } catch (e) {
      err(e, `Error while emitting '${event}' from the reactor`);
    }
  }

  /** @internal For tests of the timer: the due time the Node timer is armed for. */
  get armedFor(): number {
    return this.#timer.armedFor;
  }

  /** @internal For tests of memory use: the heap of pending calls. */
  get timerQueue(): TimerQueue {
    return this.#timer.queue;
  }
}

/** The keys `run()` takes. */
const RUN_OPTION_KEYS: ReadonlySet<string> = new Set(['installSignalHandlers']);

/** Logs what `callFromThread` / `callWhenRunning`'s function threw or rejected with. */
function logCallError(error: unknown, [what, fn]: [string, (...args: never[]) => unknown]): void {
  err(error, `Error in ${what}(${fn.name || '<anonymous>'})`);
}
