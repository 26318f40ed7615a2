/**
 * Threads (Twisted's `twisted.internet.threads` and `twisted.python.threadpool`) as a pool of
 * worker threads: `deferToThread`, `deferToThreadPool` and `ThreadPool`.
 *
 * @module
 */
import { setThreadPoolFactory } from '../reactor/thread-pools.ts';
import { ThreadPool } from './thread-pool.ts';

export { ThreadPool, type ThreadPoolOptions, type OnResult } from './thread-pool.ts';
export { deferToThread, deferToThreadPool } from './defer-to-thread.ts';

// The reactor's own pool, as Twisted's: no idle workers kept, at most 10 (Twisted's
// ThreadPool(0, 10) for the reactor); `reactor.suggestThreadPoolSize(n)` changes the maximum.
setThreadPoolFactory(() => new ThreadPool({ minthreads: 0, maxthreads: 10, name: 'reactor' }));
