/**
 * One system event (`startup`, `shutdown` or a custom one) with its three phases of triggers
 * (Twisted's `_ThreePhaseEvent`), and the argument rules of `addSystemEventTrigger` /
 * `removeSystemEventTrigger` that the real `Reactor` and the testing `MemoryReactor` share, so
 * the fake refuses exactly what the reactor refuses, with the same errors.
 *
 * @internal
 * @module
 */
import { inspect, types } from 'node:util';
import { handleAsyncResult } from '../defer/user-code.ts';
import type { TriggerId, TriggerPhase } from '../interfaces.ts';
import { err } from '../log/log.ts';
import { invalidArgValue, validateFunction, validateObject, validateString } from '../validate.ts';
import { waitAll } from './wait-all.ts';

/** The phases of a system event, in firing order. */
export const TRIGGER_PHASES: readonly TriggerPhase[] = ['before', 'during', 'after'];

/**
 * Checks the arguments of `addSystemEventTrigger(phase, eventType, fn, ...args)`: a known phase
 * (`TypeError` `ERR_INVALID_ARG_VALUE`), a string event type and a function (`ERR_INVALID_ARG_TYPE`).
 */
export function validateTriggerArgs(phase: unknown, eventType: unknown, fn: unknown): void {
  if (!TRIGGER_PHASES.includes(phase as TriggerPhase)) {
    // inspect, not String: String() throws on a null-prototype object or a symbol-keyed one.
    throw invalidArgValue('phase', `It must be 'before', 'during' or 'after'. Received ${inspect(phase)}`);
  }
  validateString(eventType, 'eventType');
  validateFunction(fn, 'fn');
}

/** The handle `addSystemEventTrigger` returns: frozen, so a caller cannot retarget it. */
export function makeTriggerId(phase: TriggerPhase, eventType: string, id: number): TriggerId {
  return Object.freeze({ phase, eventType, id });
}

/**
 * Checks the argument of `removeSystemEventTrigger`: an object (`ERR_INVALID_ARG_TYPE`) whose
 * `phase` is a known phase, `eventType` a string and `id` an integer, each an own data property
 * (`ERR_INVALID_ARG_VALUE` naming `id`). A forged id (`{ phase: '__proto__' }`, a getter that
 * answers differently to the check and to the use, a Proxy) gets that error rather than reaching
 * the registry. Reading own data properties runs no user code, so what was checked is what the
 * caller then reads.
 */
export function validateTriggerId(id: unknown): asserts id is TriggerId {
  validateObject(id, 'id');
  const phase = ownData(id, 'phase');
  const eventType = ownData(id, 'eventType');
  const number = ownData(id, 'id');
  if (
    types.isProxy(id) ||
    !TRIGGER_PHASES.includes(phase as TriggerPhase) ||
    typeof eventType !== 'string' ||
    !Number.isSafeInteger(number)
  ) {
    throw invalidArgValue(
      'id',
      'It must be an id returned by addSystemEventTrigger (or callWhenRunning): ' +
        `{ phase: 'before' | 'during' | 'after', eventType: string, id: integer }. Received ${inspect(id, { depth: 0 })}`,
    );
  }
}

/** The value of an own data property; `undefined` for an accessor, an absent key or a Proxy. */
function ownData(object: object, key: string): unknown {
  if (types.isProxy(object)) return undefined;
  return Object.getOwnPropertyDescriptor(object, key)?.value;
}

/**
 * The error of `removeSystemEventTrigger` for an id whose trigger is not pending: a `TypeError`
 * (`ERR_INVALID_ARG_VALUE`) that names the phase, number and event.
 */
export function noPendingTrigger(id: TriggerId): TypeError {
  return invalidArgValue(
    'id',
    `No pending ${inspect(id.phase)} trigger #${inspect(id.id)} for system event ${inspect(id.eventType)}: ` +
      'it was already removed, has already run, or was never added.',
  );
}

/** A registered trigger. */
export interface Trigger {
  /** The number in its {@link TriggerId}. */
  readonly id: number;
  /** What to call. */
  readonly fn: (...args: never[]) => unknown;
  /** The arguments to call it with. */
  readonly args: readonly unknown[];
}

/**
 * What the reactor adds to its own events: work at the start of the `during` phase (before the
 * user's `during` triggers, where Twisted registers its own), and something to wait for before
 * the `after` phase (the ports being stopped).
 */
export interface FireHooks {
  /** Runs first in the `during` phase; may return things to wait for before `after` runs. */
  during?: () => readonly unknown[] | void;
  /** Runs once the `after` phase is over. */
  done?: () => void;
}

/**
 * The triggers of one event type. As in Twisted, firing consumes the triggers (each runs once),
 * a trigger added during firing to a phase not yet finished runs in this firing, and removing a
 * pending trigger from another trigger prevents it.
 */
export class SystemEvent {
  /** The event's name (`'startup'`, `'shutdown'` or any other). */
  readonly eventType: string;
  /** Null-prototype: only the three phases are keys here, whatever a caller passes. */
  readonly #phases: Record<TriggerPhase, Trigger[]> = Object.assign(Object.create(null) as object, {
    before: [],
    during: [],
    after: [],
  });

  /** An event with no trigger yet. */
  constructor(eventType: string) {
    this.eventType = eventType;
  }

  /** True when no trigger is pending in any phase. */
  get empty(): boolean {
    return this.#phases.before.length + this.#phases.during.length + this.#phases.after.length === 0;
  }

  /** Adds a trigger to the end of a phase (run in registration order). */
  add(phase: TriggerPhase, trigger: Trigger): void {
    this.#phases[phase].push(trigger);
  }

  /** Removes a pending trigger; false when it is not pending (removed, fired or unknown). */
  remove(phase: TriggerPhase, id: number): boolean {
    const list = this.#phases[phase];
    const i = list.findIndex((t) => t.id === id);
    if (i === -1) return false;
    list.splice(i, 1);
    return true;
  }

  /**
   * Fires the event: every `before` trigger, then (once every Deferred or Promise they returned
   * has settled) the `during` and `after` triggers. An exception in a trigger, or the rejection
   * of what it returned (in any phase), is logged and the others still run.
   */
  fire(hooks: FireHooks = {}): void {
    const results: unknown[] = [];
    // Shift one at a time rather than iterating a copy: triggers removed by an earlier trigger
    // must not run, and triggers added to this phase while it fires must.
    for (let t = this.#phases.before.shift(); t !== undefined; t = this.#phases.before.shift()) {
      const settled = this.#run('before', t);
      if (settled !== undefined) results.push(settled);
    }
    waitAll(results, `A 'before' trigger of system event '${this.eventType}' failed`, () => {
      const waits = hooks.during?.() ?? [];
      this.#runPhase('during');
      waitAll(waits, `While firing system event '${this.eventType}'`, () => {
        this.#runPhase('after');
        hooks.done?.();
      });
    });
  }

  #runPhase(phase: TriggerPhase): void {
    const list = this.#phases[phase];
    for (let t = list.shift(); t !== undefined; t = list.shift()) this.#run(phase, t);
  }

  /**
   * Runs one trigger. A throw, or the rejection of the thenable it returned, is logged with the
   * same `why`. Returns what to wait on (it never rejects), or undefined.
   */
  #run(phase: TriggerPhase, trigger: Trigger): PromiseLike<unknown> | undefined {
    let result: unknown;
    try {
      result = (trigger.fn as (...args: unknown[]) => unknown)(...trigger.args);
    } catch (e) {
      this.#logTriggerError(e, { phase, trigger });
      return undefined;
    }
    return handleAsyncResult(result, this.#logTriggerError, { phase, trigger });
  }

  #logTriggerError = (reason: unknown, where: { phase: TriggerPhase; trigger: Trigger }): void => {
    const name = where.trigger.fn.name || '<anonymous>';
    err(reason, `Error in '${where.phase}' trigger ${name} of system event '${this.eventType}'`);
  };
}
