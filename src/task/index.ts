/**
 * Time helpers (Twisted's `twisted.internet.task`): `Clock` for tests, `LoopingCall`,
 * `deferLater`, and `DelayedCall`, which the reactor and `Clock` share. `react` needs the reactor
 * and is exported from the reactor module.
 *
 * @module
 */
export { Clock } from './clock.ts';
export { DelayedCall } from './delayed-call.ts';
export { LoopingCall } from './looping-call.ts';
export { deferLater } from './defer-later.ts';
export {
  Cooperator,
  cooperate,
  coiterate,
  type CooperatorOptions,
  type CooperatorScheduler,
  type CooperatorCall,
  type TerminationPredicateFactory,
} from './cooperator.ts';
export { CooperativeTask } from './cooperative-task.ts';
