/**
 * `CooperativeTask`: one iterator run by a `Cooperator` (Twisted's `task.CooperativeTask`).
 *
 * @module
 */
import { Deferred } from '../defer/deferred.ts';
import {
  NotPaused,
  SchedulerStopped,
  TaskDone,
  TaskFailed,
  TaskStopped,
  type SchedulerError,
} from '../errors/task.ts';
import { Failure } from '../failure.ts';

/**
 * What a `CooperativeTask` needs from its `Cooperator`: to be put in and taken out of the
 * round-robin.
 *
 * @internal
 */
export interface TaskScheduler {
  /** Puts a task in the round-robin (or, when the scheduler is stopped, ends it). */
  _addTask(task: CooperativeTask<unknown>): void;
  /** Takes a task out of the round-robin. */
  _removeTask(task: CooperativeTask<unknown>): void;
}

/** How a task ended: the error later operations throw, and what `whenDone()` fires with. */
interface Completion<T> {
  readonly state: SchedulerError;
  readonly result: Iterator<T> | Failure;
}

/**
 * A task inside a `Cooperator`: an iterator of which each `next()` is one unit of work. It can
 * be paused, resumed and stopped, and `whenDone()` tells when it ends. Made by
 * `Cooperator.cooperate` (or the module-level `cooperate`), never directly.
 *
 * When the iterator yields a Deferred (or a Promise), the task pauses until it fires; if it
 * fails, the task fails with that failure.
 *
 * @typeParam T - what the iterator yields.
 */
export class CooperativeTask<T = unknown> {
  readonly #iterator: Iterator<T>;
  readonly #cooperator: TaskScheduler;
  #whenDone: Deferred<Iterator<T>>[] = [];
  #pauseCount = 0;
  /** `undefined` while the task can still run. */
  #completion: Completion<T> | undefined = undefined;

  /** @internal Made by `Cooperator.cooperate`. */
  constructor(iterator: Iterator<T>, cooperator: TaskScheduler) {
    this.#iterator = iterator;
    this.#cooperator = cooperator;
    cooperator._addTask(this as CooperativeTask<unknown>);
  }

  /**
   * A new Deferred that fires with the task's iterator once the iterator is exhausted, or fails
   * with the error its `next()` threw (or the failure of a Deferred it yielded), with
   * `TaskStopped` after `stop()`, or with `SchedulerStopped` when the Cooperator stops. Each
   * call returns its own Deferred, so callbacks on one do not change what another fires with.
   */
  whenDone(): Deferred<Iterator<T>> {
    const d = new Deferred<Iterator<T>>();
    if (this.#completion === undefined) this.#whenDone.push(d);
    else d.callback(this.#completion.result);
    return d;
  }

  /**
   * Stops doing work until `resume()`. Pauses nest: a task paused twice runs again after two
   * `resume()` calls.
   *
   * @throws TaskFinished (`TaskDone`, `TaskStopped` or `TaskFailed`) once the task has finished.
   */
  pause(): void {
    this.#checkFinish();
    this.#pauseCount++;
    if (this.#pauseCount === 1) this.#cooperator._removeTask(this as CooperativeTask<unknown>);
  }

  /**
   * Undoes one `pause()`; the work goes on at the Cooperator's next tick, not inside this call.
   * Resuming a finished but paused task does nothing.
   *
   * @throws NotPaused if the task is not paused.
   */
  resume(): void {
    if (this.#pauseCount === 0) throw new NotPaused('The task is not paused');
    this.#pauseCount--;
    if (this.#pauseCount === 0 && this.#completion === undefined) {
      this.#cooperator._addTask(this as CooperativeTask<unknown>);
    }
  }

  /**
   * Stops the task for good: no further work is done, and `whenDone()` Deferreds fail with
   * `TaskStopped`.
   *
   * @throws TaskFinished (`TaskDone`, `TaskStopped` or `TaskFailed`) if it had already finished.
   */
  stop(): void {
    this.#checkFinish();
    const error = new TaskStopped('The task was stopped');
    this._completeWith(error, new Failure(error));
  }

  /** @internal The Cooperator stopped: end the task with `SchedulerStopped`. */
  _schedulerStopped(): void {
    const error = new SchedulerStopped('The Cooperator was stopped');
    this._completeWith(error, new Failure(error));
  }

  /**
   * @internal Ends the task: later operations throw `state`, and every `whenDone()` Deferred
   * fires with `result`. The task leaves the Cooperator before they fire, because a callback may
   * stop the Cooperator (Twisted's test_stopCooperatorReentrancy).
   */
  _completeWith(state: SchedulerError, result: Iterator<T> | Failure): void {
    this.#completion = { state, result };
    if (this.#pauseCount === 0) this.#cooperator._removeTask(this as CooperativeTask<unknown>);
    const waiting = this.#whenDone;
    this.#whenDone = [];
    for (const d of waiting) d.callback(result);
  }

  /**
   * @internal One unit of work: one `next()` of the iterator. The end of the iterator finishes
   * the task; a thrown error fails it; a yielded Deferred or Promise pauses it until it fires.
   */
  _oneWorkUnit(): void {
    let step: IteratorResult<T>;
    try {
      step = this.#iterator.next();
    } catch (e) {
      this._completeWith(new TaskFailed('The task failed'), new Failure(e));
      return;
    }
    if (step.done) {
      this._completeWith(new TaskDone('The task is done'), this.#iterator);
      return;
    }
    const value: unknown = step.value;
    let waitOn: Deferred<unknown> | undefined;
    if (value instanceof Deferred) waitOn = value;
    else if (isThenable(value)) waitOn = Deferred.fromPromise(value);
    if (waitOn === undefined) return;
    this.pause();
    waitOn.addCallbacks(
      () => {
        this.resume();
        return undefined;
      },
      (failure: Failure) => {
        // Stopped meanwhile: the task has its outcome already; leave the failure where it is
        // (it is reported if nobody handles it) rather than firing whenDone() twice.
        if (this.#completion !== undefined) return failure;
        this._completeWith(new TaskFailed('The task failed'), failure);
        return undefined;
      },
    );
  }

  #checkFinish(): void {
    if (this.#completion !== undefined) throw this.#completion.state;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}
