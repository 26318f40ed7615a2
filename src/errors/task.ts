/**
 * The errors of `Cooperator` and `CooperativeTask` (Twisted's `twisted.internet.task`
 * `SchedulerError` family), with Twisted's names and hierarchy.
 *
 * @module
 */
import { TwistedError } from './base.ts';

/**
 * The base of the scheduler errors: the scheduler or one of its tasks was in a state that does
 * not allow the operation (Twisted's `task.SchedulerError`). Not thrown by itself.
 */
export class SchedulerError extends TwistedError {
  override readonly code: string = 'ERR_SCHEDULER';
}

/**
 * The `Cooperator` was stopped, before or while the task ran: the task's `whenDone()` Deferred
 * fails with this (Twisted's `task.SchedulerStopped`).
 */
export class SchedulerStopped extends SchedulerError {
  override readonly code: string = 'ERR_SCHEDULER_STOPPED';
}

/**
 * The task already finished, one way or another (Twisted's `task.TaskFinished`): thrown by
 * `pause()`/`stop()` of a finished task, as one of the subclasses below.
 */
export class TaskFinished extends SchedulerError {
  override readonly code: string = 'ERR_TASK_FINISHED';
}

/** The task's iterator was exhausted (Twisted's `task.TaskDone`). */
export class TaskDone extends TaskFinished {
  override readonly code: string = 'ERR_TASK_DONE';
}

/**
 * The task was stopped with `stop()` (Twisted's `task.TaskStopped`); its `whenDone()` Deferred
 * fails with one.
 */
export class TaskStopped extends TaskFinished {
  override readonly code: string = 'ERR_TASK_STOPPED';
}

/** The task's iterator threw, or a Deferred it yielded failed (Twisted's `task.TaskFailed`). */
export class TaskFailed extends TaskFinished {
  override readonly code: string = 'ERR_TASK_FAILED';
}

/** `resume()` of a task that is not paused (Twisted's `task.NotPaused`). */
export class NotPaused extends SchedulerError {
  override readonly code: string = 'ERR_NOT_PAUSED';
}
