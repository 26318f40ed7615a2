/**
 * `SystemEvents`: a reactor's system events by type, with the trigger ids it hands out
 * (Twisted's `ReactorBase._eventTriggers`).
 *
 * @internal
 * @module
 */
import type { TriggerId, TriggerPhase } from '../interfaces.ts';
import { validateString } from '../validate.ts';
import {
  SystemEvent,
  makeTriggerId,
  noPendingTrigger,
  validateTriggerArgs,
  validateTriggerId,
} from './system-event.ts';
import type { FireHooks } from './system-event.ts';

/** Every system event of one reactor, made on first use. */
export class SystemEvents {
  readonly #events = new Map<string, SystemEvent>();
  #nextTriggerId = 1;

  /** `addSystemEventTrigger`: checks the arguments, adds the trigger, returns its id. */
  add(phase: TriggerPhase, eventType: string, fn: (...args: never[]) => unknown, args: unknown[]): TriggerId {
    validateTriggerArgs(phase, eventType, fn);
    const id = this.#nextTriggerId++;
    this.#event(eventType).add(phase, { id, fn, args });
    return makeTriggerId(phase, eventType, id);
  }

  /** `removeSystemEventTrigger`: removes a pending trigger, or throws `noPendingTrigger`. */
  remove(id: TriggerId): void {
    validateTriggerId(id);
    const removed = this.#events.get(id.eventType)?.remove(id.phase, id.id) ?? false;
    if (!removed) throw noPendingTrigger(id);
  }

  /** Fires the event `eventType` (a string, checked), with the reactor's own `hooks`. */
  fire(eventType: string, hooks?: FireHooks): void {
    validateString(eventType, 'eventType');
    this.#event(eventType).fire(hooks);
  }

  #event(eventType: string): SystemEvent {
    let event = this.#events.get(eventType);
    if (event === undefined) {
      event = new SystemEvent(eventType);
      this.#events.set(eventType, event);
    }
    return event;
  }
}
