/**
 * `MemoryReactorCore`: the lifecycle half of `MemoryReactor` — what Twisted's `MemoryReactor`
 * records of `run`, `stop`, `crash`, `callWhenRunning` and system event triggers — and the
 * registry of its fake ports.
 *
 * @module
 */
import type { Deferred } from '../defer/index.ts';
import { ReactorAlreadyRunning, ReactorNotRunning } from '../errors.ts';
import type {
  IConnectionOwner,
  IListeningPort,
  IPortOwner,
  IReactorCore,
  IRegisteredConnection,
  StreamAddress,
  TriggerId,
  TriggerPhase,
} from '../interfaces.ts';
import { Registry } from '../reactor/registry.ts';
import {
  TRIGGER_PHASES,
  makeTriggerId,
  noPendingTrigger,
  validateTriggerArgs,
  validateTriggerId,
} from '../reactor/system-event.ts';
import { validateFunction, validateString } from '../validate.ts';
import { resolveLocally } from './resolve-locally.ts';

/** A recorded call: the function and its arguments. */
export type RecordedCall = [fn: (...args: never[]) => unknown, args: unknown[]];

/**
 * The lifecycle of a {@link MemoryReactor}, recorded as Twisted's `MemoryReactor` records it:
 * `run()` sets `running` and `hasRun`, runs the {@link whenRunningHooks}, then calls `stop()`
 * (which sets `hasStopped`); `crash()` sets `hasCrashed`; {@link triggers} holds what
 * `addSystemEventTrigger` added, by phase and event type. Beyond Twisted's,
 * `removeSystemEventTrigger` works and `fireSystemEvent` runs (and consumes) the triggers of an
 * event in phase order. Stopping does not stop the ports: tests stop what they started.
 */
export class MemoryReactorCore implements IReactorCore, IPortOwner, IConnectionOwner {
  /** True between `run()` and `stop()`. */
  running = false;
  /** `run()` was called. */
  hasRun = false;
  /** `stop()` was called. */
  hasStopped = false;
  /** `crash()` was called. */
  hasCrashed = false;
  /** What `callWhenRunning` was given before the reactor ran, in order. */
  readonly whenRunningHooks: RecordedCall[] = [];
  /** The pending system event triggers: `triggers[phase][eventType]` is a list of calls. */
  readonly triggers: Partial<Record<TriggerPhase, Record<string, RecordedCall[]>>> = Object.create(null);
  /** The system events fired with `fireSystemEvent`, in order. */
  readonly firedEvents: string[] = [];
  /** Names `resolve` knows (IP literals need no entry): `reactor.names.set('example.com', '10.0.0.5')`. */
  readonly names = new Map<string, string>();

  readonly #registry = new Registry();
  readonly #triggerIds = new WeakMap<RecordedCall, number>();
  #nextTriggerId = 1;

  // ---------------------------------------------------------------------------------------------
  // IReactorCore

  /**
   * Records the run: sets `running` and `hasRun`, runs the `whenRunningHooks` in order, then
   * calls `stop()`, as Twisted's does. Returns an already-resolved Promise.
   */
  run(_options?: { installSignalHandlers?: boolean }): Promise<void> {
    if (this.running) throw new ReactorAlreadyRunning('The reactor is already running.');
    this.running = true;
    this.hasRun = true;
    for (const [fn, args] of this.whenRunningHooks) (fn as (...a: unknown[]) => unknown)(...args);
    // A hook may have stopped it already (the usual way a test ends a run).
    if (this.running) this.stop();
    return Promise.resolve();
  }

  /** Records the stop: `running` false, `hasStopped` true. Not running → `ReactorNotRunning`. */
  stop(): void {
    if (!this.running) throw new ReactorNotRunning("Can't stop reactor that isn't running.");
    this.running = false;
    this.hasStopped = true;
  }

  /** Records the crash: `running` false, `hasCrashed` true. */
  crash(): void {
    this.running = false;
    this.hasCrashed = true;
  }

  /** Calls `fn` at once if running; otherwise records it in `whenRunningHooks` for `run()`. */
  callWhenRunning<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): TriggerId | undefined {
    validateFunction(fn, 'fn');
    if (this.running) {
      fn(...args);
      return undefined;
    }
    this.whenRunningHooks.push([fn as RecordedCall[0], args]);
    return undefined;
  }

  /** Records the trigger in `triggers[phase][eventType]`. */
  addSystemEventTrigger<A extends unknown[]>(
    phase: TriggerPhase,
    eventType: string,
    fn: (...args: A) => unknown,
    ...args: A
  ): TriggerId {
    validateTriggerArgs(phase, eventType, fn);
    const call: RecordedCall = [fn as RecordedCall[0], args];
    const id = this.#nextTriggerId++;
    this.#triggerIds.set(call, id);
    // Null-prototype records: an event type such as '__proto__' or 'constructor' is just a key.
    ((this.triggers[phase] ??= Object.create(null) as Record<string, RecordedCall[]>)[eventType] ??= []).push(
      call,
    );
    return makeTriggerId(phase, eventType, id);
  }

  /** Removes a pending trigger; an unknown or already-run one → `TypeError`, as the real reactor. */
  removeSystemEventTrigger(id: TriggerId): void {
    validateTriggerId(id);
    const list = this.triggers[id.phase]?.[id.eventType];
    const index = list?.findIndex((call) => this.#triggerIds.get(call) === id.id) ?? -1;
    if (list === undefined || index === -1) throw noPendingTrigger(id);
    list.splice(index, 1);
  }

  /**
   * Records the event in `firedEvents` and runs its `before`, `during` and `after` triggers,
   * synchronously (Deferreds that `before` triggers return are not waited for), consuming them.
   * Exceptions propagate, so the test sees them.
   */
  fireSystemEvent(eventType: string): void {
    validateString(eventType, 'eventType');
    this.firedEvents.push(eventType);
    for (const phase of TRIGGER_PHASES) {
      const byEvent = this.triggers[phase];
      const calls = byEvent?.[eventType];
      if (byEvent === undefined || calls === undefined) continue;
      delete byEvent[eventType];
      for (const [fn, args] of calls) (fn as (...a: unknown[]) => unknown)(...args);
    }
  }

  /**
   * Resolves IP literals at once, `''` to `'0.0.0.0'`, and the names in {@link names};
   * anything else errbacks with `DNSLookupError`. Nothing leaves the process.
   */
  resolve(name: string, _timeout?: number): Deferred<string> {
    return resolveLocally(
      name,
      (n) => this.names.get(n),
      (n) => `MemoryReactor does not know the name ${JSON.stringify(n)}`,
    );
  }

  // ---------------------------------------------------------------------------------------------
  // IPortOwner

  /** @internal Called by the fake ports. */
  registerPort(port: IListeningPort<StreamAddress>): void {
    this.#registry.registerPort(port);
  }

  /** @internal Called by the fake ports. */
  unregisterPort(port: IListeningPort<StreamAddress>): void {
    this.#registry.unregisterPort(port);
  }

  /** The ports still listening, in the order they started. */
  getListeningPorts(): IListeningPort<StreamAddress>[] {
    return this.#registry.getListeningPorts();
  }

  /** @internal Called by fake connections (none of the memory fakes open one; a subclass may). */
  registerConnection(connection: IRegisteredConnection): void {
    this.#registry.registerConnection(connection);
  }

  /** @internal */
  unregisterConnection(connection: IRegisteredConnection): void {
    this.#registry.unregisterConnection(connection);
  }
}
