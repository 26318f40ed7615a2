/**
 * The reactor's thread pool (Twisted's `IReactorThreads` and its `ThreadPool`).
 *
 * Re-exported by src/interfaces.ts; import from there.
 *
 * @module
 */
import type { Deferred } from '../defer/deferred.ts';

/**
 * What runs in a worker thread: a self-contained function (its source text is sent, so it cannot
 * use variables of the code around it), or a module given by URL, followed by an export name.
 */
export type ThreadTarget = ((...args: never[]) => unknown) | string | URL;

/**
 * A pool of worker threads (the public face of `ThreadPool`, Twisted's
 * `twisted.python.threadpool.ThreadPool`), as `reactor.getThreadPool()` returns it.
 */
export interface IThreadPool {
  /** The minimum number of workers. */
  readonly min: number;
  /** The maximum number of workers. */
  readonly max: number;
  /** The pool's name, for log messages. */
  readonly name: string | undefined;
  /** Whether the pool is running. */
  readonly started: boolean;
  /** Whether `stop()` was called since the last `start()`. */
  readonly joined: boolean;
  /** How many worker threads exist now. */
  readonly workers: number;
  /** Starts the workers; jobs given before wait for this. */
  start(): void;
  /** Refuses new jobs, lets the given ones finish, then ends the workers. */
  stop(): Deferred<void>;
  /** Sets `min` and `max`; `undefined` keeps a value. */
  adjustPoolsize(minthreads?: number, maxthreads?: number): void;
  /** Runs a self-contained function, or `(moduleUrl, exportName, ...args)`, in a worker. */
  callInThread(target: ThreadTarget, ...args: unknown[]): void;
  /** Like `callInThread`, then calls `onResult(success, resultOrFailure)` in this thread. */
  callInThreadWithCallback(
    onResult: ((success: boolean, result: unknown) => void) | null,
    target: ThreadTarget,
    ...args: unknown[]
  ): void;
}

/**
 * A reactor's threads (Twisted's `IReactorThreads`): a pool of worker threads, where a job is
 * a self-contained function (its source is sent) or a module's export.
 */
export interface IReactorThreads {
  /** The reactor's pool, made and started on first use. */
  getThreadPool(): IThreadPool;
  /** Sets the most worker threads the pool runs at once. */
  suggestThreadPoolSize(size: number): void;
  /** Runs `fn(...args)`, or `(moduleUrl, exportName, ...args)`, in a worker; errors are logged. */
  callInThread(target: ThreadTarget, ...args: unknown[]): void;
  /** Calls `fn(...args)` on the next turn of the event loop (no thread shares the reactor). */
  callFromThread<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): void;
}
