/**
 * `ThreadPool`: Twisted's `twisted.python.threadpool.ThreadPool` on worker threads (DESIGN.md
 * decision 12), run by piscina (docs/decisions.md says why).
 *
 * @module
 */
import { Piscina } from 'piscina';
import { Deferred } from '../defer/deferred.ts';
import { ThreadPoolStopped } from '../errors.ts';
import { Failure } from '../failure.ts';
import { err, msg } from '../log/log.ts';
import { outOfRange, validateFunction, validateInteger, validateObject } from '../validate.ts';
import type { IThreadPool } from '../interfaces.ts';
import type { Job, Outcome } from './job.ts';
import { makeJob, type ThreadTarget } from './job-spec.ts';
import { workerEntryPath } from './locate.ts';
import { readablePoolError, rebuildError } from './worker-error.ts';

/** The options of {@link ThreadPool} (Twisted's arguments, by name). */
export interface ThreadPoolOptions {
  /** The workers kept even when idle (started by `start()`). Default 5, as Twisted's. */
  minthreads?: number;
  /** The most workers running at once; more jobs wait in a queue. Default 20, as Twisted's. */
  maxthreads?: number;
  /** A name, shown in log messages. */
  name?: string;
}

/** Called with `(true, result)` or `(false, failure)` when a job ends (Twisted's `onResult`). */
export type OnResult = (success: boolean, result: unknown) => void;

/** A job given before `start()`, waiting to be handed to the workers. */
interface Pending {
  readonly job: Job;
  readonly settle: (outcome: Promise<unknown>) => void;
  readonly signal: AbortSignal | undefined;
}

/**
 * Where the pool is: not started yet (jobs wait), started, stopping (finishing the jobs it was
 * given), or stopped (jobs are refused; `start()` may start it again).
 */
type PoolState = 'new' | 'started' | 'stopping' | 'stopped';

/** How long a worker above `min` waits for another job before it ends, in milliseconds. */
const IDLE_TIMEOUT_MS = 5_000;

/**
 * A hint added to a ReferenceError from a job sent as source: almost always a variable of the
 * surrounding code, which a worker cannot see.
 */
const CLOSURE_HINT =
  '(a function given to deferToThread or callInThread runs in a worker thread from its source ' +
  'text, so it cannot use variables of the code around it: pass them as arguments, or run a ' +
  "module's export instead)";

/**
 * A pool of worker threads (Twisted's `ThreadPool`). A job is a self-contained function — its
 * source is sent to a worker, so it cannot use variables of the code around it — or a module's
 * exported function; its arguments and its result are copied with the structured clone
 * algorithm (no functions, no class instances, no Deferreds; see docs/threads.md). An `async`
 * function's awaited value is the result.
 *
 * Idle workers never keep the process alive; a running job does, as any pending I/O would.
 * `stop()` lets the jobs already given finish, then ends the workers.
 *
 * Most code uses the reactor's pool through `deferToThread`; a pool of your own is for a
 * separate limit on some kind of work.
 *
 * @example
 * const pool = new ThreadPool({ minthreads: 0, maxthreads: 4, name: 'hashing' });
 * pool.start();
 * const digest = await deferToThreadPool(reactor, pool, hashFile, path);
 * await pool.stop();
 */
export class ThreadPool implements IThreadPool {
  /** The minimum number of workers (Twisted's `min`); change it with {@link adjustPoolsize}. */
  #min: number;
  /** The maximum number of workers (Twisted's `max`); change it with {@link adjustPoolsize}. */
  #max: number;
  /** The name given to the constructor. */
  readonly name: string | undefined;
  #state: PoolState = 'new';
  /** The piscina pool taking new jobs (`undefined` until started). */
  #workers: Piscina | undefined;
  /** Pools replaced by `adjustPoolsize` or being stopped, finishing their jobs. */
  readonly #retiring = new Set<Promise<void>>();
  #backlog: Pending[] = [];
  /** The jobs given to each piscina pool and not settled yet. */
  readonly #jobs = new Map<Piscina, Set<Promise<Outcome>>>();
  #stopping: Deferred<void> | undefined;

  /**
   * Takes Twisted's arguments positionally, `(minthreads = 5, maxthreads = 20, name?)`, or as
   * one options object.
   *
   * @throws RangeError when `minthreads` is negative, `maxthreads` below 1, or min > max.
   */
  constructor(minthreads?: number | ThreadPoolOptions, maxthreads?: number, name?: string) {
    let options: ThreadPoolOptions;
    if (minthreads !== null && typeof minthreads === 'object') {
      validateObject(minthreads, 'options');
      options = minthreads as ThreadPoolOptions;
    } else {
      options = { minthreads, maxthreads, name };
    }
    const { minthreads: min = 5, maxthreads: max = 20, name: poolName } = options;
    checkSizes(min, max);
    if (poolName !== undefined && typeof poolName !== 'string') {
      throw new TypeError(`The "name" argument must be of type string. Received ${typeof poolName}`);
    }
    this.#min = min;
    this.#max = max;
    this.name = poolName;
  }

  /** The minimum number of workers (Twisted's `min`). */
  get min(): number {
    return this.#min;
  }

  /** The maximum number of workers (Twisted's `max`). */
  get max(): number {
    return this.#max;
  }

  /** Whether the pool is running (Twisted's `started`). */
  get started(): boolean {
    return this.#state === 'started';
  }

  /** Whether `stop()` was called since the last `start()` (Twisted's `joined`). */
  get joined(): boolean {
    return this.#state === 'stopping' || this.#state === 'stopped';
  }

  /** How many worker threads exist now, busy or idle (Twisted's `workers`). */
  get workers(): number {
    return this.#workers?.threads.length ?? 0;
  }

  /**
   * Starts the pool: starts `min` workers, and hands them the jobs given before. Does nothing
   * when it is started already.
   */
  start(): void {
    if (this.#state === 'started') return;
    this.#state = 'started';
    this.#stopping = undefined;
    this.#workers = this.#newWorkers();
    const backlog = this.#backlog;
    this.#backlog = [];
    for (const pending of backlog) pending.settle(this.#submit(pending.job, pending.signal));
  }

  /**
   * Stops the pool: new jobs are refused (`ThreadPoolStopped`), the jobs already given finish,
   * then the workers end. Jobs given before a `start()` that never came fail with
   * `ThreadPoolStopped`. Calling it again returns the same Deferred.
   *
   * @returns a Deferred that fires once every worker has ended.
   */
  stop(): Deferred<void> {
    if (this.#stopping !== undefined) return this.#stopping;
    const stopping = new Deferred<void>();
    this.#stopping = stopping;
    this.#state = 'stopping';
    const backlog = this.#backlog;
    this.#backlog = [];
    for (const pending of backlog) pending.settle(Promise.reject(this.#refusal()));
    if (this.#workers !== undefined) this.#retire(this.#workers);
    this.#workers = undefined;
    void Promise.all(this.#retiring).then(() => {
      // Started again meanwhile: the workers of this stop have ended all the same.
      if (this.#stopping === stopping) this.#state = 'stopped';
      stopping.callback(undefined);
    });
    return stopping;
  }

  /**
   * Sets `min` and `max` (Twisted's `adjustPoolsize`); an argument left `undefined` keeps its
   * value. On a started pool the change applies to the jobs given from now on; the jobs already
   * given finish on the workers they have.
   *
   * @throws RangeError when `minthreads` is negative, `maxthreads` below 1, or min > max.
   */
  adjustPoolsize(minthreads: number = this.#min, maxthreads: number = this.#max): void {
    checkSizes(minthreads, maxthreads);
    if (minthreads === this.#min && maxthreads === this.#max) return;
    this.#min = minthreads;
    this.#max = maxthreads;
    if (this.#state !== 'started') return;
    // piscina sizes are fixed at construction: new jobs go to a pool of the new size while the
    // old one finishes what it has.
    if (this.#workers !== undefined) this.#retire(this.#workers);
    this.#workers = this.#newWorkers();
  }

  /**
   * Runs `fn(...args)` — or the export `exportName` of `moduleUrl` — in a worker, ignoring its
   * result (Twisted's `callInThread`). An error it throws is logged.
   *
   * @throws ThreadPoolStopped after `stop()`.
   * @throws TypeError for a function whose source cannot be sent, or a bad module URL.
   */
  callInThread(target: ThreadTarget, ...args: unknown[]): void {
    this.callInThreadWithCallback(null, target, ...args);
  }

  /**
   * Runs a job in a worker and calls `onResult(true, result)` or `onResult(false, failure)` in
   * this thread when it ends (Twisted's `callInThreadWithCallback`; `onResult` may be `null`,
   * and then an error is logged). An exception thrown by `onResult` is logged.
   *
   * @throws ThreadPoolStopped after `stop()`.
   * @throws TypeError for a bad `onResult`, a function whose source cannot be sent, or a bad
   *   module URL.
   */
  callInThreadWithCallback(onResult: OnResult | null, target: ThreadTarget, ...args: unknown[]): void {
    if (onResult !== null) validateFunction(onResult, 'onResult');
    if (this.joined) throw this.#refusal();
    void this._run(makeJob(target, args, 'func')).then(
      (value) => report(onResult, true, value),
      (error: unknown) => {
        const failure = new Failure(error);
        if (onResult === null) err(failure, `Error in a job of ${this.#label()}`);
        else report(onResult, false, failure);
      },
    );
  }

  /** Logs the number of workers and of queued jobs (Twisted's `dumpStats`). */
  dumpStats(): void {
    msg(
      `${this.#label()}: workers: ${this.workers}, queued: ${this.#workers?.queueSize ?? this.#backlog.length}`,
    );
  }

  /** Twisted's repr: `<ThreadPool name min=0 max=10 started>`. */
  toString(): string {
    return `<ThreadPool ${this.name ?? ''} min=${this.#min} max=${this.#max} ${this.#state}>`.replace(
      '  ',
      ' ',
    );
  }

  /**
   * @internal Runs a job and gives its outcome: its value, or a rejection with the job's error
   * rebuilt in this thread. Jobs given before `start()` wait for it. Aborting `signal` takes a
   * waiting job out of the queue, and ends the worker running it (piscina's abort).
   */
  _run(job: Job, signal?: AbortSignal): Promise<unknown> {
    if (this.joined) return Promise.reject(this.#refusal());
    if (this.#state === 'new') {
      return new Promise<unknown>((resolve) => {
        this.#backlog.push({ job, settle: resolve, signal });
      });
    }
    return this.#submit(job, signal);
  }

  async #submit(job: Job, signal?: AbortSignal): Promise<unknown> {
    const workers = this.#workers!;
    const running = workers.run(job, signal === undefined ? {} : { signal }) as Promise<Outcome>;
    // piscina's close() waits only for the jobs a worker has taken, not for queued ones: keep
    // count, so that retiring waits for every job given.
    let jobs = this.#jobs.get(workers);
    if (jobs === undefined) this.#jobs.set(workers, (jobs = new Set()));
    jobs.add(running);
    let outcome: Outcome;
    try {
      outcome = await running;
    } catch (e) {
      throw readablePoolError(e);
    } finally {
      jobs.delete(running);
    }
    if (outcome.ok) return outcome.value;
    const hint = job.kind === 'source' && outcome.error.name === 'ReferenceError' ? CLOSURE_HINT : undefined;
    throw rebuildError(outcome.error, hint);
  }

  #newWorkers(): Piscina {
    return new Piscina({
      filename: workerEntryPath(),
      minThreads: this.#min,
      maxThreads: this.#max,
      // Plain message passing: with Atomics.wait an idle worker would block its own event loop,
      // stopping timers a job left behind.
      atomics: 'disabled',
      // No limit on the queue: as in Twisted, work waits for a free worker.
      maxQueue: Infinity,
      // A worker above `min` stays a while after its job (unref'd: it keeps nothing alive), so
      // that a sequence of jobs does not start a thread each.
      idleTimeout: IDLE_TIMEOUT_MS,
    });
  }

  /** Lets `workers` finish the jobs given to them, then end. */
  #retire(workers: Piscina): void {
    const given = [...(this.#jobs.get(workers) ?? [])];
    this.#jobs.delete(workers);
    const closed: Promise<void> = Promise.allSettled(given)
      .then(() => workers.destroy())
      .then(
        () => {
          this.#retiring.delete(closed);
        },
        (error: unknown) => {
          this.#retiring.delete(closed);
          err(error, `Error stopping the workers of ${this.#label()}`);
        },
      );
    this.#retiring.add(closed);
  }

  #refusal(): ThreadPoolStopped {
    return new ThreadPoolStopped(`${this.#label()} is stopped: it takes no more jobs`);
  }

  #label(): string {
    return this.name === undefined ? 'the thread pool' : `the thread pool ${JSON.stringify(this.name)}`;
  }
}

function checkSizes(min: unknown, max: unknown): void {
  validateInteger(min, 'minthreads', 0);
  validateInteger(max, 'maxthreads', 1);
  if ((min as number) > (max as number)) {
    throw outOfRange('minthreads', `<= maxthreads (${max as number})`, min);
  }
}

function report(onResult: OnResult | null, success: boolean, result: unknown): void {
  if (onResult === null) return;
  try {
    onResult(success, result);
  } catch (e) {
    err(e, 'Error in the onResult callback of callInThreadWithCallback');
  }
}
