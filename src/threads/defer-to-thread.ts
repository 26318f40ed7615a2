/**
 * `deferToThread` and `deferToThreadPool` (Twisted's `twisted.internet.threads`).
 *
 * @module
 */
import { Deferred } from '../defer/deferred.ts';
import type { IThreadPool } from '../interfaces.ts';
import { reactor as processReactor } from '../reactor/index.ts';
import { invalidArgType } from '../validate.ts';
import { makeJob, type ThreadTarget } from './job-spec.ts';
import { ThreadPool } from './thread-pool.ts';

/**
 * Runs `fn(...args)` in a worker thread of the reactor's pool and returns a Deferred of its
 * result (Twisted's `threads.deferToThread`); an `async` function's awaited value is the result.
 *
 * JavaScript functions cannot cross threads: `fn`'s source text is sent and evaluated in the
 * worker, so it must be self-contained — it may use its arguments, globals and `import()`, but
 * no variable of the code around it (a `ReferenceError` then says so). Arguments and result are
 * copied with the structured clone algorithm: plain data, `Buffer`s and typed arrays, `Map`,
 * `Set`, `Date`, errors — not functions, class instances (they arrive as plain objects) or
 * Deferreds. For code that needs imports, run a module's export instead (the other overload).
 *
 * A job's error comes back as the Deferred's failure, with the worker's name, message, stack
 * trace and fields (`code`…). The pool (`reactor.getThreadPool()`) starts on first use; idle
 * workers never keep the process alive, and the reactor's shutdown lets given jobs finish.
 *
 * @throws TypeError for a built-in or bound function (no source to send).
 *
 * @example
 * const digest = await deferToThread(
 *   (data: Uint8Array) =>
 *     process.getBuiltinModule('node:crypto').createHash('sha256').update(data).digest('hex'),
 *   bytes,
 * );
 */
export function deferToThread<A extends unknown[], R>(
  fn: (...args: A) => R | PromiseLike<R>,
  ...args: A
): Deferred<Awaited<R>>;
/**
 * Runs the function exported as `exportName` by the module at `moduleUrl` (an absolute URL or
 * path: `new URL('./jobs.js', import.meta.url)`), with `args`, in a worker thread of the
 * reactor's pool. The module is loaded once per worker and may import what it needs.
 *
 * @throws TypeError for a relative module path or a missing export name.
 *
 * @example
 * const rows = await deferToThread<Row[]>(new URL('./parse-csv.js', import.meta.url), 'parse', text);
 */
export function deferToThread<R = unknown>(
  moduleUrl: string | URL,
  exportName: string,
  ...args: unknown[]
): Deferred<R>;
export function deferToThread(target: ThreadTarget, ...args: unknown[]): Deferred<unknown> {
  return runOn(processReactor.getThreadPool(), target, args);
}

/**
 * Runs a job on `threadpool` and returns a Deferred of its result (Twisted's
 * `threads.deferToThreadPool`): the same jobs as {@link deferToThread}, on a pool of your own.
 * `reactor` is accepted for Twisted's signature; results arrive through Node's event loop.
 *
 * @throws TypeError if `threadpool` is not a `ThreadPool`.
 */
export function deferToThreadPool<A extends unknown[], R>(
  reactor: unknown,
  threadpool: IThreadPool,
  fn: (...args: A) => R | PromiseLike<R>,
  ...args: A
): Deferred<Awaited<R>>;
/** The module-export form of {@link deferToThreadPool}: `(moduleUrl, exportName, ...args)`. */
export function deferToThreadPool<R = unknown>(
  reactor: unknown,
  threadpool: IThreadPool,
  moduleUrl: string | URL,
  exportName: string,
  ...args: unknown[]
): Deferred<R>;
export function deferToThreadPool(
  _reactor: unknown,
  threadpool: IThreadPool,
  target: ThreadTarget,
  ...args: unknown[]
): Deferred<unknown> {
  return runOn(threadpool, target, args);
}

function runOn(threadpool: IThreadPool, target: ThreadTarget, args: unknown[]): Deferred<unknown> {
  if (!(threadpool instanceof ThreadPool)) {
    throw invalidArgType('threadpool', 'an instance of ThreadPool', threadpool);
  }
  const job = makeJob(target, args);
  // Unlike a Python thread, a worker can be stopped: cancelling takes a queued job out of the
  // queue, or ends the worker running it (the pool starts another). The Deferred then fails
  // with CancelledError and the job's late outcome is ignored.
  const abort = new AbortController();
  const d = new Deferred<unknown>(() => abort.abort());
  threadpool._run(job, abort.signal).then(
    (value) => {
      if (!d.called) d.callback(value);
    },
    (error: unknown) => {
      if (!d.called) d.errback(error);
    },
  );
  return d;
}
