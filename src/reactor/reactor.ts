/**
 * `Reactor`: Twisted's reactor on Node's event loop — lifecycle (`run`/`stop`/`crash`), system
 * event triggers, signal handling, delayed calls on one timer heap, name resolution and the
 * registry of listening ports that shutdown stops.
 *
 * @module
 */
import { lookup } from 'node:dns';
import { constants } from 'node:os';
import { EventEmitter } from 'eventemitter3';
import { Deferred } from '../defer/deferred.ts';
import {
  DNSLookupError,
  ReactorAlreadyRunning,
  ReactorNotRestartable,
  ReactorNotRunning,
  TimeoutError,
} from '../errors.ts';
import type {
  IDatagramProtocol,
  IListeningPort,
  IPortOwner,
  IReactorCore,
  IReactorMulticast,
  IReactorTime,
  IReactorUDP,
  ListenMulticastOptions,
  ListenUDPOptions,
  TriggerId,
  TriggerPhase,
} from '../interfaces.ts';
import type { Failure } from '../failure.ts';
import { err, msg } from '../log/log.ts';
import type { DelayedCall } from '../task/delayed-call.ts';
import { TimerQueue } from '../task/timer-queue.ts';
import { listenUDP } from '../transports/udp/listen.ts';
import { listenMulticast } from '../transports/udp/listen-multicast.ts';
import type { MulticastPort } from '../transports/udp/multicast-port.ts';
import type { UdpPort } from '../transports/udp/udp-port.ts';
import {
  invalidArgType,
  ipFamily,
  validateBoolean,
  validateDelay,
  validateFunction,
  validateObject,
  validateString,
} from '../validate.ts';
import {
  SystemEvent,
  makeTriggerId,
  noPendingTrigger,
  validateTriggerArgs,
  validateTriggerId,
} from './system-event.ts';

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

/**
 * Node timers take a 32-bit signed millisecond delay; anything longer fires after 1 ms with a
 * warning. A call further away than this is reached in steps of at most this much.
 */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/** The default time limit of {@link Reactor.resolve}, Twisted's (1 + 3 + 11 + 45 s). */
const DEFAULT_RESOLVE_TIMEOUT = 60;

const SIGNALS: readonly NodeJS.Signals[] =
  process.platform === 'win32' ? ['SIGINT', 'SIGTERM', 'SIGBREAK'] : ['SIGINT', 'SIGTERM'];

function noop(): void {}

/**
 * The reactor. Use the process-wide `reactor` instance; `new Reactor()` makes an independent one
 * (tests, or several event domains in one process).
 *
 * Delayed calls and ports work whether or not `run()` was called, because Node's event loop is
 * always there; `run()` adds the lifecycle: the `startup` and `shutdown` system events, signal
 * handling, and keeping the process alive until `stop()`.
 *
 * @example
 * import { reactor } from 'twisted-ts';
 *
 * reactor.callWhenRunning(() => console.log('running'));
 * reactor.addSystemEventTrigger('before', 'shutdown', () => console.log('bye'));
 * reactor.callLater(1, () => reactor.stop());
 * await reactor.run(); // resolves once shutdown is complete
 */
export class Reactor
  extends EventEmitter<ReactorEvents>
  implements IReactorCore, IReactorTime, IReactorUDP, IReactorMulticast, IPortOwner
{
  #running = false;
  /** `run()` was called and neither `crash()` nor the end of shutdown has happened since. */
  #started = false;
  /** `stop()` is not allowed (Twisted's `_stopped`): not started, or already stopping. */
  #stopped = true;
  /** `stop()` was called once: the reactor can never run again (Twisted's `_startedBefore`). */
  #startedBefore = false;
  /** Shutdown completed: no delayed call will ever run again. */
  #finished = false;
  /** The startup event has completed for the current run; shutdown waits for it. */
  #startupDone = false;
  #shutdownRequested = false;
  /** Bumped by `crash()`, so that a startup still waiting on a Deferred does not resume the old run. */
  #generation = 0;
  #resolveRun: (() => void) | undefined;
  #keepAlive: NodeJS.Timeout | undefined;
  #installSignalHandlers = true;
  readonly #signalHandlers = new Map<NodeJS.Signals, () => void>();

  readonly #events = new Map<string, SystemEvent>();
  #nextTriggerId = 1;

  readonly #ports = new Set<IListeningPort>();
  /** The ports shutdown has already told to stop, so that none is stopped twice. */
  readonly #stoppedAtShutdown = new Set<IListeningPort>();

  readonly #queue: TimerQueue;
  #timer: NodeJS.Timeout | undefined;
  /** The due time the timer is armed for; `Infinity` when disarmed. */
  #armedFor = Infinity;
  /** True while due calls run: re-arming waits until the pass is over. */
  #inPass = false;

  constructor() {
    super();
    this.#queue = new TimerQueue(() => this.seconds(), {
      scheduled: (time) => {
        if (!this.#inPass && time < this.#armedFor) this.#arm(time);
      },
      cancelled: () => {
        // A cancelled call may leave the timer armed for nothing: harmless (it re-arms when it
        // fires) unless nothing is left, in which case it must not hold the process any longer.
        if (!this.#inPass && this.#queue.size === 0) this.#disarm();
      },
    });
  }

  /** True between the `during startup` phase and the `during shutdown` phase. */
  get running(): boolean {
    return this.#running;
  }

  // ---------------------------------------------------------------------------------------------
  // Lifecycle

  /**
   * Starts the reactor: fires the `startup` system event (its `before` triggers run inside this
   * call; if they return Deferreds or Promises, the rest waits for them), then keeps the process
   * alive until {@link stop}. Not an `async` function: misuse throws synchronously.
   *
   * @returns a Promise that resolves once shutdown is complete (or at once on `crash()`).
   * @throws ReactorAlreadyRunning when it is running (or starting).
   * @throws ReactorNotRestartable after a `stop()`: like Twisted's, a stopped reactor stays
   *   stopped. After `crash()` it may run again.
   */
  run(options: RunOptions = {}): Promise<void> {
    validateObject(options, 'options');
    const { installSignalHandlers = true } = options;
    validateBoolean(installSignalHandlers, 'options.installSignalHandlers');
    if (this.#started) throw new ReactorAlreadyRunning('The reactor is already running.');
    if (this.#startedBefore) {
      throw new ReactorNotRestartable(
        'The reactor was stopped and cannot be restarted; create a new Reactor.',
      );
    }
    this.#started = true;
    this.#stopped = false;
    this.#startupDone = false;
    this.#shutdownRequested = false;
    this.#installSignalHandlers = installSignalHandlers;
    const generation = this.#generation;
    const promise = new Promise<void>((resolve) => {
      this.#resolveRun = resolve;
    });
    // While running the process stays alive even with nothing scheduled, as Twisted's blocking
    // run() does. One idle ref'd interval costs nothing.
    this.#keepAlive = setInterval(noop, MAX_TIMER_DELAY_MS);
    this.#event('startup').fire({
      during: () => {
        if (generation !== this.#generation) return;
        this.#running = true;
        if (this.#installSignalHandlers) this.#addSignalHandlers();
      },
      done: () => {
        if (generation !== this.#generation) return;
        this.#startupDone = true;
        this.#emitSafely('startup');
        if (this.#shutdownRequested) this.#shutdown();
      },
    });
    return promise;
  }

  /**
   * Stops the reactor. Shutdown begins after this call returns (in a later turn of the event
   * loop, never inside it): the `before shutdown` triggers (waiting for Deferreds or Promises
   * they return), then the `during` phase, where `running` becomes false and every registered
   * listening port is stopped (one port failing does not prevent the next), then — once the
   * ports have closed — the `after` phase. Afterwards pending delayed calls are dropped, the
   * signal handlers are removed, nothing of the reactor keeps the process alive, and the `run()`
   * promise resolves.
   *
   * @throws ReactorNotRunning when the reactor is not running (or already stopping).
   */
  stop(): void {
    if (this.#stopped) throw new ReactorNotRunning("Can't stop reactor that isn't running.");
    this.#stopped = true;
    this.#startedBefore = true;
    const generation = this.#generation;
    setImmediate(() => {
      // A crash() since this stop() ended the run before shutdown began: as in Twisted, the
      // shutdown event then never fires (ports stay open, pending calls stay scheduled).
      if (generation !== this.#generation) return;
      this.#shutdownRequested = true;
      if (this.#startupDone) this.#shutdown();
    });
  }

  /**
   * Stops at once, without the shutdown triggers: ports stay open and pending calls stay
   * scheduled (they keep running, as delayed calls do without `run()`). The `run()` promise
   * resolves, and `run()` may be called again. Twisted calls this "extremely rude".
   */
  crash(): void {
    this.#generation++;
    this.#running = false;
    this.#started = false;
    this.#stopped = true;
    this.#endRun();
  }

  /**
   * Calls `fn(...args)` when the reactor is running: at once if it is (exceptions propagate),
   * else in the `after startup` phase, in registration order.
   *
   * @returns the trigger id when the call was deferred, for `removeSystemEventTrigger`.
   */
  callWhenRunning<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): TriggerId | undefined {
    validateFunction(fn, 'fn');
    if (this.#running) {
      fn(...args);
      return undefined;
    }
    return this.addSystemEventTrigger('after', 'startup', fn, ...args);
  }

  /**
   * Calls `fn(...args)` in the next turn of the event loop (`setImmediate`). Node has no threads
   * sharing the reactor; this keeps Twisted's name for "run this soon, not now". An exception is
   * logged.
   */
  callFromThread<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): void {
    validateFunction(fn, 'fn');
    setImmediate(() => {
      try {
        fn(...args);
      } catch (e) {
        err(e, `Error in callFromThread(${fn.name || '<anonymous>'})`);
      }
    });
  }

  // ---------------------------------------------------------------------------------------------
  // System events

  /**
   * Adds a trigger for a phase of a system event (`startup`, `shutdown`, or one of your own fired
   * with {@link fireSystemEvent}). A `before` trigger may return a Deferred or a Promise: the
   * event waits for it. An exception in a trigger is logged; the others still run. Each trigger
   * runs once: firing an event consumes its triggers, as in Twisted.
   */
  addSystemEventTrigger<A extends unknown[]>(
    phase: TriggerPhase,
    eventType: string,
    fn: (...args: A) => unknown,
    ...args: A
  ): TriggerId {
    validateTriggerArgs(phase, eventType, fn);
    const id = this.#nextTriggerId++;
    this.#event(eventType).add(phase, { id, fn, args });
    return makeTriggerId(phase, eventType, id);
  }

  /**
   * Removes a pending trigger. Removing one from another trigger of the same event prevents it.
   *
   * @throws TypeError (`ERR_INVALID_ARG_VALUE`) when the id is unknown, or its trigger was
   *   already removed or has already run.
   */
  removeSystemEventTrigger(id: TriggerId): void {
    validateTriggerId(id);
    const removed = this.#events.get(id.eventType)?.remove(id.phase, id.id) ?? false;
    if (!removed) throw noPendingTrigger(id);
  }

  /** Fires a system event: its `before`, `during` and `after` triggers, as for startup and shutdown. */
  fireSystemEvent(eventType: string): void {
    validateString(eventType, 'eventType');
    this.#event(eventType).fire();
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
    return this.#queue.schedule(delay, fn, args);
  }

  /** Every pending delayed call, in no particular order. */
  getDelayedCalls(): DelayedCall[] {
    return this.#queue.getDelayedCalls();
  }

  // ---------------------------------------------------------------------------------------------
  // Names

  /**
   * Resolves a host name to an IP address (an IPv4 one when there is one, as Twisted's
   * `gethostbyname`-based resolver gives, else IPv6). An IP literal answers at once; `''` gives
   * `'0.0.0.0'`, as in Twisted. Errbacks with `DNSLookupError`, or `TimeoutError` after
   * `timeout` seconds (default 60). Cancelling the Deferred abandons the lookup.
   */
  resolve(name: string, timeout: number = DEFAULT_RESOLVE_TIMEOUT): Deferred<string> {
    validateString(name, 'name');
    validateDelay(timeout, 'timeout');
    let done = false;
    // The canceller can only run while the lookup is pending, once `timer` exists.
    const d = new Deferred<string>(() => {
      done = true;
      if (timer.active()) timer.cancel();
    });
    if (name === '') {
      d.callback('0.0.0.0');
      return d;
    }
    if (ipFamily(name) !== 0) {
      d.callback(name);
      return d;
    }
    const timer = this.callLater(timeout, () => {
      if (done) return;
      done = true;
      d.errback(new TimeoutError(`Resolving ${JSON.stringify(name)} took longer than ${timeout} s.`));
    });
    lookup(name, { all: true }, (error, addresses) => {
      if (done) return;
      done = true;
      if (timer.active()) timer.cancel();
      if (error || addresses.length === 0) {
        const reason = error ? `${error.code ?? ''} ${error.message}`.trim() : 'no address';
        d.errback(
          new DNSLookupError(`Could not resolve ${JSON.stringify(name)}: ${reason}`, { cause: error }),
        );
        return;
      }
      d.callback((addresses.find((a) => a.family === 4) ?? addresses[0]).address);
    });
    return d;
  }

  // ---------------------------------------------------------------------------------------------
  // UDP (IReactorUDP)

  /**
   * Listens for datagrams on `port` (Twisted's `listenUDP`); see `listenUDP` in
   * src/transports/udp/listen.ts. The port is bound when this returns (`getHost()` gives the real
   * port; a bind failure throws `CannotListenError`), and shutdown stops it.
   *
   * @example
   * const port = reactor.listenUDP(9999, new Echo(), '127.0.0.1');
   */
  listenUDP(
    port: number,
    protocol: IDatagramProtocol,
    interfaceOrOptions?: string | ListenUDPOptions,
    maxPacketSize?: number,
  ): UdpPort {
    return listenUDP(this, port, protocol, interfaceOrOptions, maxPacketSize);
  }

  // ---------------------------------------------------------------------------------------------
  // Multicast (IReactorMulticast)

  /**
   * Listens for multicast datagrams on `port` (Twisted's `listenMulticast`); see
   * `listenMulticast` in src/transports/udp/listen-multicast.ts. `{ listenMultiple: true }` (or
   * Twisted's positional `listenMultiple`) shares the port with other sockets that ask for it
   * too. Bound when this returns; shutdown stops it.
   *
   * @example
   * const port = reactor.listenMulticast(1900, new Ssdp(), { listenMultiple: true });
   * await port.joinGroup('239.255.255.250');
   */
  listenMulticast(
    port: number,
    protocol: IDatagramProtocol,
    interfaceOrOptions?: string | ListenMulticastOptions,
    maxPacketSize?: number,
    listenMultiple?: boolean,
  ): MulticastPort {
    return listenMulticast(this, port, protocol, interfaceOrOptions, maxPacketSize, listenMultiple);
  }

  // ---------------------------------------------------------------------------------------------
  // Ports (IPortOwner)

  /** Called by a port when it starts listening, so that shutdown stops it. */
  registerPort(port: IListeningPort): void {
    if (port === null || typeof port !== 'object' || typeof port.stopListening !== 'function') {
      throw invalidArgType('port', 'a listening port (an object with stopListening())', port);
    }
    this.#ports.add(port);
  }

  /** Called by a port once it has stopped listening. Unknown ports are ignored. */
  unregisterPort(port: IListeningPort): void {
    this.#ports.delete(port);
  }

  /** The ports listening on this reactor (that shutdown will stop), in registration order. */
  getListeningPorts(): IListeningPort[] {
    return [...this.#ports];
  }

  // ---------------------------------------------------------------------------------------------
  // Internals

  #event(eventType: string): SystemEvent {
    let event = this.#events.get(eventType);
    if (event === undefined) {
      event = new SystemEvent(eventType);
      this.#events.set(eventType, event);
    }
    return event;
  }

  #shutdown(): void {
    this.#shutdownRequested = false;
    this.#event('shutdown').fire({
      during: () => {
        this.#running = false;
        return this.#stopPorts();
      },
      done: () => this.#finishShutdown(),
    });
  }

  /** Stops every registered port; returns their Deferreds, for the `after` phase to wait on. */
  #stopPorts(): unknown[] {
    const waits: unknown[] = [];
    for (const port of [...this.#ports]) {
      if (this.#stoppedAtShutdown.has(port)) continue;
      this.#stoppedAtShutdown.add(port);
      try {
        const d = port.stopListening();
        const why = `Error stopping ${String(port)} during shutdown`;
        if (d instanceof Deferred) {
          waits.push(
            d.addErrback((f: Failure) => {
              err(f, why);
              return undefined;
            }),
          );
        } else {
          waits.push(Promise.resolve(d).catch((e: unknown) => err(e, why)));
        }
      } catch (e) {
        err(e, `Error stopping ${String(port)} during shutdown`);
      }
    }
    return waits;
  }

  #finishShutdown(): void {
    this.#finished = true;
    this.#running = false;
    this.#started = false;
    // A port registered after the 'during' phase stopped the others (by a trigger or a delayed
    // call while they closed) would otherwise stay open, holding the process after run() resolved.
    this.#stopPorts();
    this.#stoppedAtShutdown.clear();
    this.#ports.clear();
    // Twisted's loop ends here, so pending calls never run; dropping them releases the timer.
    this.#queue.clear();
    this.#disarm();
    this.#emitSafely('shutdown');
    this.#endRun();
  }

  /** What `crash()` and the end of shutdown share: let go of the process, resolve `run()`. */
  #endRun(): void {
    this.#removeSignalHandlers();
    if (this.#keepAlive !== undefined) {
      clearInterval(this.#keepAlive);
      this.#keepAlive = undefined;
    }
    const resolve = this.#resolveRun;
    this.#resolveRun = undefined;
    resolve?.();
  }

  #emitSafely(event: keyof ReactorEvents): void {
    try {
      this.emit(event);
    } catch (e) {
      err(e, `Error in a '${event}' listener of the reactor`);
    }
  }

  #addSignalHandlers(): void {
    for (const signal of SIGNALS) {
      const handler = (): void => this.#onSignal(signal);
      this.#signalHandlers.set(signal, handler);
      process.on(signal, handler);
    }
  }

  #removeSignalHandlers(): void {
    for (const [signal, handler] of this.#signalHandlers) process.removeListener(signal, handler);
    this.#signalHandlers.clear();
  }

  #onSignal(signal: NodeJS.Signals): void {
    if (!this.#stopped) {
      msg(`Received ${signal}, shutting down.`);
      this.stop();
      return;
    }
    // A second signal while shutdown hangs (a `before` trigger whose Deferred never fires, a
    // port that never closes): the user wants out. Exit as a shell reports death by that signal.
    process.stderr.write(`Received ${signal} again during shutdown; exiting at once.\n`);
    process.exit(128 + (constants.signals[signal] ?? 2));
  }

  /** Arms the one Node timer for `time` (in steps of at most ~24.8 days). */
  #arm(time: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#finished) {
      this.#timer = undefined;
      this.#armedFor = Infinity;
      return;
    }
    // Ceil: firing a fraction of a millisecond early would only re-arm for the rest.
    const ms = Math.min(Math.max(Math.ceil((time - this.seconds()) * 1000), 0), MAX_TIMER_DELAY_MS);
    this.#timer = setTimeout(this.#onTimer, ms);
    this.#armedFor = time;
  }

  #disarm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedFor = Infinity;
  }

  #onTimer = (): void => {
    this.#timer = undefined;
    this.#armedFor = Infinity;
    this.#inPass = true;
    try {
      // Calls scheduled by the calls of this pass wait for the next one, even with delay 0, so a
      // call that keeps rescheduling itself cannot starve I/O.
      this.#queue.runDue(this.seconds(), this.#queue.nextSeq, this.#logCallError);
    } finally {
      this.#inPass = false;
    }
    const next = this.#queue.nextTime();
    if (next === Infinity) this.#disarm();
    else this.#arm(next);
  };

  #logCallError = (e: unknown, call: DelayedCall): void => {
    const creator = call.creator === undefined ? '' : `\nThe delayed call was created at:\n${call.creator}`;
    err(e, `Error in delayed call ${call.func.name || '<anonymous>'} (while handling timed call)${creator}`);
  };

  /** @internal For tests of the timer: the due time the Node timer is armed for. */
  get armedFor(): number {
    return this.#armedFor;
  }

  /** @internal For tests of memory use: the heap of pending calls. */
  get timerQueue(): TimerQueue {
    return this.#queue;
  }
}
