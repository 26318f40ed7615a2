/**
 * `Cooperator`, `cooperate` and `coiterate`: long computations cut into small steps that share
 * the event loop with I/O (Twisted's `twisted.internet.task.Cooperator`).
 *
 * @module
 */
import { Deferred } from '../defer/deferred.ts';
import { invalidArgType, validateBoolean } from '../validate.ts';
import { CooperativeTask } from './cooperative-task.ts';
import { getDefaultClock } from './default-clock.ts';

/** A scheduled tick, as a scheduler returns it: something that can be cancelled. */
export interface CooperatorCall {
  /** Cancels the tick. */
  cancel(): void;
}

/**
 * Runs the Cooperator's next tick "soon" and returns something that cancels it. The default
 * asks the process-wide reactor for `callLater(0.00000001, tick)`, as Twisted does.
 */
export type CooperatorScheduler = (tick: () => void) => CooperatorCall;

/**
 * Called at the start of each tick; returns a predicate that answers `true` once the tick has
 * done enough. The default allows 10 ms of work per tick (Twisted's `_Timer`).
 */
export type TerminationPredicateFactory = () => () => boolean;

/** The options of {@link Cooperator} (Twisted's keyword arguments). */
export interface CooperatorOptions {
  /** When a tick should stop; default: after 10 ms of work. */
  terminationPredicateFactory?: TerminationPredicateFactory;
  /** How ticks are scheduled; default: a `callLater` on the reactor. */
  scheduler?: CooperatorScheduler;
  /** Whether tasks run as soon as they are added (default), or wait for `start()`. */
  started?: boolean;
}

/** Twisted's `_Timer.MAX_SLICE`: the work one tick may do, in milliseconds. */
const MAX_SLICE_MS = 10;

/** Twisted's `_EPSILON`: the delay of the default scheduler's `callLater`. */
const EPSILON = 0.00000001;

function defaultTerminationPredicateFactory(): () => boolean {
  const end = performance.now() + MAX_SLICE_MS;
  return () => performance.now() >= end;
}

function defaultScheduler(tick: () => void): CooperatorCall {
  const clock = getDefaultClock();
  if (clock === undefined) {
    throw new TypeError(
      'The Cooperator has no scheduler: the reactor module was not loaded. Import twisted-ts, ' +
        'or give new Cooperator({ scheduler }) one.',
    );
  }
  return clock.callLater(EPSILON, tick);
}

/**
 * A cooperative task scheduler. Each task is an iterator, one `next()` of which is one unit of
 * work; a tick runs units of its tasks in turn (round-robin) until its time slice is used up
 * (10 ms by default), then schedules the next tick, so that I/O and timers run in between. A
 * task that yields a Deferred (or a Promise) pauses until it fires.
 *
 * Several Cooperators do not cooperate with each other: most code should use the module-level
 * {@link cooperate} and {@link coiterate}, which share one.
 *
 * @example
 * function* checksumAll(files: string[]) {
 *   for (const file of files) {
 *     sums.set(file, checksum(file)); // one unit of work
 *     yield;
 *   }
 * }
 * const task = cooperate(checksumAll(files));
 * task.whenDone().addCallback(() => console.log('all done'));
 *
 * @example
 * // Tests drive it by hand:
 * const coop = new Cooperator({ scheduler: (tick) => clock.callLater(0, tick) });
 */
export class Cooperator {
  #tasks: CooperativeTask<unknown>[] = [];
  /** Where the round-robin is, across ticks (Twisted's `_metarator`). */
  #metarator: Iterator<CooperativeTask<unknown>> = [][Symbol.iterator]();
  readonly #terminationPredicateFactory: TerminationPredicateFactory;
  readonly #scheduler: CooperatorScheduler;
  #delayedCall: CooperatorCall | undefined = undefined;
  #stopped = false;
  #started: boolean;
  #mustScheduleOnStart = false;

  /**
   * Takes Twisted's arguments positionally or as one options object.
   *
   * @param terminationPredicateFactory - see {@link CooperatorOptions.terminationPredicateFactory}.
   * @param scheduler - see {@link CooperatorOptions.scheduler}.
   * @param started - see {@link CooperatorOptions.started}.
   */
  constructor(
    terminationPredicateFactory?: TerminationPredicateFactory | CooperatorOptions,
    scheduler?: CooperatorScheduler,
    started?: boolean,
  ) {
    let options: CooperatorOptions;
    if (terminationPredicateFactory !== null && typeof terminationPredicateFactory === 'object') {
      if (scheduler !== undefined || started !== undefined) {
        throw invalidArgType('scheduler', 'undefined when an options object is given', scheduler ?? started);
      }
      if (Array.isArray(terminationPredicateFactory)) {
        throw invalidArgType('options', 'of type object', terminationPredicateFactory);
      }
      options = terminationPredicateFactory;
    } else {
      options = { terminationPredicateFactory, scheduler, started };
    }
    const {
      terminationPredicateFactory: factory = defaultTerminationPredicateFactory,
      scheduler: schedule = defaultScheduler,
      started: isStarted = true,
    } = options;
    if (typeof factory !== 'function') {
      throw invalidArgType('terminationPredicateFactory', 'of type function', factory);
    }
    if (typeof schedule !== 'function') throw invalidArgType('scheduler', 'of type function', schedule);
    validateBoolean(isStarted, 'started');
    this.#terminationPredicateFactory = factory;
    this.#scheduler = schedule;
    this.#started = isStarted;
  }

  /**
   * Runs `iterator` as a task and returns a Deferred that fires with the iterator when it is
   * exhausted (or fails as {@link CooperativeTask.whenDone} does). `doneDeferred`, if given, is
   * the Deferred used.
   */
  coiterate<T>(
    iterator: Iterator<T> | Iterable<T>,
    doneDeferred: Deferred<Iterator<T>> = new Deferred<Iterator<T>>(),
  ): Deferred<Iterator<T>> {
    if (!(doneDeferred instanceof Deferred)) {
      throw invalidArgType('doneDeferred', 'an instance of Deferred', doneDeferred);
    }
    this.cooperate(iterator).whenDone().chainDeferred(doneDeferred);
    return doneDeferred;
  }

  /**
   * Runs `iterator` (an iterator, or an iterable such as an array or a generator) as a
   * long-running task, one `next()` at a time, and returns the task for `pause`, `resume`,
   * `stop` and `whenDone`.
   *
   * @throws TypeError (`ERR_INVALID_ARG_TYPE`) for anything that is neither.
   */
  cooperate<T>(iterator: Iterator<T> | Iterable<T>): CooperativeTask<T> {
    return new CooperativeTask<T>(toIterator(iterator), this);
  }

  /** Whether the Cooperator is running: started, and not stopped since. */
  get running(): boolean {
    return this.#started && !this.#stopped;
  }

  /** Begins scheduling ticks (for a Cooperator made with `started: false`, or after `stop()`). */
  start(): void {
    this.#stopped = false;
    this.#started = true;
    if (this.#mustScheduleOnStart) {
      this.#mustScheduleOnStart = false;
      this.#reschedule();
    }
  }

  /**
   * Stops scheduling ticks: every task it has is ended, its `whenDone()` Deferreds failing with
   * `SchedulerStopped`, and tasks added later end the same way until `start()`.
   */
  stop(): void {
    this.#stopped = true;
    const tasks = this.#tasks;
    this.#tasks = [];
    for (const task of tasks) task._schedulerStopped();
    if (this.#delayedCall !== undefined) {
      this.#delayedCall.cancel();
      this.#delayedCall = undefined;
    }
  }

  /** @internal Puts a task in the round-robin (or, when stopped, ends it). */
  _addTask(task: CooperativeTask<unknown>): void {
    this.#tasks.push(task);
    if (this.#stopped) task._schedulerStopped();
    else this.#reschedule();
  }

  /** @internal Takes a task out of the round-robin. */
  _removeTask(task: CooperativeTask<unknown>): void {
    const i = this.#tasks.indexOf(task);
    if (i !== -1) this.#tasks.splice(i, 1);
    // Nothing left to do: cancel the tick, so that nothing is left scheduled.
    if (this.#tasks.length === 0 && this.#delayedCall !== undefined) {
      this.#delayedCall.cancel();
      this.#delayedCall = undefined;
    }
  }

  /** @internal The pending tick, for tests (Twisted's `_delayedCall`). */
  get _delayedCall(): CooperatorCall | undefined {
    return this.#delayedCall;
  }

  /**
   * @internal One tick: units of work of each task in turn until the termination predicate
   * says stop or no task is left (Twisted's `_tick` and `_tasksWhileNotStopped`).
   */
  _tick = (): void => {
    this.#delayedCall = undefined;
    const terminator = this.#terminationPredicateFactory();
    round: while (this.#tasks.length > 0) {
      for (let next = this.#metarator.next(); !next.done; next = this.#metarator.next()) {
        next.value._oneWorkUnit();
        if (terminator()) break round;
      }
      this.#metarator = this.#tasks[Symbol.iterator]();
    }
    this.#reschedule();
  };

  #reschedule(): void {
    if (!this.#started) {
      this.#mustScheduleOnStart = true;
      return;
    }
    if (this.#delayedCall === undefined && this.#tasks.length > 0) {
      this.#delayedCall = this.#scheduler(this._tick);
    }
  }
}

function toIterator<T>(iterator: Iterator<T> | Iterable<T>): Iterator<T> {
  if (iterator !== null && typeof iterator === 'object') {
    if (typeof (iterator as Iterator<T>).next === 'function') return iterator as Iterator<T>;
    if (typeof (iterator as Iterable<T>)[Symbol.iterator] === 'function') {
      return (iterator as Iterable<T>)[Symbol.iterator]();
    }
  }
  throw invalidArgType('iterator', 'an iterator or an iterable', iterator);
}

/** The Cooperator that {@link cooperate} and {@link coiterate} share (Twisted's `_theCooperator`). */
const theCooperator = new Cooperator();

/**
 * Runs `iterator` as a long-running task on the shared Cooperator, so that computation-heavy
 * work cut into steps does not block the reactor (Twisted's `task.cooperate`).
 *
 * @example
 * const task = cooperate((function* () {
 *   for (const row of rows) { index(row); yield; }
 * })());
 * await task.whenDone();
 */
export function cooperate<T>(iterator: Iterator<T> | Iterable<T>): CooperativeTask<T> {
  return theCooperator.cooperate(iterator);
}

/**
 * Like {@link cooperate}, but returns only a Deferred that fires (with the iterator) when the
 * task is done (Twisted's `task.coiterate`).
 */
export function coiterate<T>(iterator: Iterator<T> | Iterable<T>): Deferred<Iterator<T>> {
  return theCooperator.coiterate(iterator);
}
