// ThreadPool, after twisted/test/test_threadpool.py (attributes, start, callInThread,
// callInThreadWithCallback, work before starting, adjustPoolsize) on real worker threads.
import { afterEach, describe, expect, it } from 'vitest';
import type { Deferred } from '../../src/defer/deferred.ts';
import { ThreadPoolStopped } from '../../src/errors.ts';
import { Failure } from '../../src/failure.ts';
import { deferToThreadPool, ThreadPool } from '../../src/threads/index.ts';
import { captureLog, type LogCapture } from '../support/log-capture.ts';

const jobs = new URL('./fixtures/jobs.mjs', import.meta.url);

const pools: ThreadPool[] = [];
/** A pool stopped after the test whatever happens. */
function track(pool: ThreadPool): ThreadPool {
  pools.push(pool);
  return pool;
}
let log: LogCapture | undefined;
afterEach(async () => {
  for (const pool of pools.splice(0)) await pool.stop();
  log?.stop();
  log = undefined;
});

/** Calls `callInThreadWithCallback` and waits for `onResult`. */
function withCallback(pool: ThreadPool, fn: () => unknown): Promise<[boolean, unknown]> {
  return new Promise((resolve) => {
    pool.callInThreadWithCallback((success, result) => resolve([success, result]), fn);
  });
}

async function until(check: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('ThreadPool', () => {
  it('test_attributes: min and max are what was given; defaults are 5 and 20', () => {
    const pool = new ThreadPool(12, 22);
    expect([pool.min, pool.max]).toEqual([12, 22]);
    const byName = new ThreadPool({ minthreads: 1, maxthreads: 2, name: 'named' });
    expect([byName.min, byName.max, byName.name]).toEqual([1, 2, 'named']);
    const defaults = new ThreadPool();
    expect([defaults.min, defaults.max, defaults.started, defaults.joined]).toEqual([5, 20, false, false]);
  });

  it('test_start: start() starts the minimum number of workers', async () => {
    const none = track(new ThreadPool(0, 5));
    none.start();
    expect(none.workers).toBe(0);
    const two = track(new ThreadPool(2, 4));
    expect(two.workers).toBe(0);
    two.start();
    expect(two.started).toBe(true);
    expect(two.workers).toBe(2);
  });

  it('refuses sizes Twisted asserts against, naming the argument', () => {
    expect(() => new ThreadPool(-1, 5)).toThrow(/"minthreads" is out of range/);
    expect(() => new ThreadPool(3, 2)).toThrow(
      /"minthreads" is out of range\. It must be <= maxthreads \(2\)/,
    );
    expect(() => new ThreadPool(0, 0)).toThrow(/"maxthreads" is out of range/);
    expect(() => new ThreadPool(1.5, 2)).toThrow(RangeError);
    expect(() => new ThreadPool(0, 2).adjustPoolsize(3)).toThrow(/<= maxthreads/);
  });

  it('test_callInThreadWithCallback: onResult gets (true, result)', async () => {
    const pool = track(new ThreadPool(0, 1));
    pool.start();
    expect(await withCallback(pool, () => 'test')).toEqual([true, 'test']);
  });

  it('test_callInThreadWithCallbackExceptionInCallback: onResult gets (false, failure)', async () => {
    const pool = track(new ThreadPool(0, 1));
    pool.start();
    const [success, result] = await withCallback(pool, () => {
      throw new TypeError('in the job');
    });
    expect(success).toBe(false);
    expect(result).toBeInstanceOf(Failure);
    expect((result as Failure).check(TypeError)).toBe(TypeError);
  });

  it('test_callInThreadException: callInThread logs the error of a job', async () => {
    log = captureLog();
    const pool = track(new ThreadPool(0, 1, 'logging'));
    pool.callInThread(() => {
      throw new RangeError('nobody waits for me');
    });
    pool.start();
    await until(() => log!.errors().length > 0, 'the logged error');
    const [event] = log.errors();
    expect(event.why).toBe('Error in a job of the thread pool "logging"');
    expect(event.failure?.value.message).toBe('nobody waits for me');
  });

  it('test_callInThreadWithCallbackExceptionInOnResult: an exception in onResult is logged', async () => {
    log = captureLog();
    const pool = track(new ThreadPool(0, 1));
    pool.start();
    pool.callInThreadWithCallback(
      () => {
        throw new Error('onResult broke');
      },
      () => 1,
    );
    await until(() => log!.errors().length > 0, 'the logged error');
    expect(log.errors()[0].failure?.value.message).toBe('onResult broke');
  });

  it('test_workBeforeStarting: jobs given before start() run once it starts', async () => {
    const pool = track(new ThreadPool(0, 2));
    const results: unknown[] = [];
    for (let i = 0; i < 3; i++)
      pool.callInThreadWithCallback(
        (_ok, r) => results.push(r),
        (n: number) => n * n,
        i,
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(results).toEqual([]);
    expect(pool.workers).toBe(0);
    pool.start();
    await until(() => results.length === 3, 'the three jobs');
    expect(results.sort()).toEqual([0, 1, 4]);
  });

  it('never runs more than max jobs at once; the others wait in a queue', async () => {
    const pool = track(new ThreadPool(0, 2));
    pool.start();
    const ds: Deferred<number>[] = [];
    for (let i = 0; i < 6; i++)
      ds.push(deferToThreadPool(null, pool, jobs, 'whoAmI', 20) as Deferred<number>);
    const threadIds = await Promise.all(ds);
    expect(new Set(threadIds).size).toBeLessThanOrEqual(2);
    expect(pool.workers).toBeLessThanOrEqual(2);
  });

  it('stop() lets the jobs already given finish, then refuses new ones with ThreadPoolStopped', async () => {
    const pool = new ThreadPool(0, 1);
    pool.start();
    const slow = deferToThreadPool(null, pool, async () => {
      await new Promise((resolve) => setTimeout(resolve, 150));
      return 'finished';
    });
    const queued = deferToThreadPool(null, pool, () => 'queued too');
    const stopped = pool.stop();
    expect(pool.joined).toBe(true);
    expect(pool.started).toBe(false);
    expect(pool.stop()).toBe(stopped);
    expect(() => pool.callInThread(() => 1)).toThrow(ThreadPoolStopped);
    expect(await slow).toBe('finished');
    expect(await queued).toBe('queued too');
    await stopped;
    expect(pool.workers).toBe(0);
  });

  it('stop() before start() fails the jobs that were waiting, rather than losing them', async () => {
    const pool = new ThreadPool(0, 1);
    const waiting = deferToThreadPool(null, pool, () => 1);
    await pool.stop();
    const f = await new Promise<Failure>((resolve) => waiting.addErrback(resolve));
    expect(f.value).toBeInstanceOf(ThreadPoolStopped);
  });

  it('start() while a stop() finishes: that stop still fires once its workers ended', async () => {
    const pool = track(new ThreadPool(0, 1));
    pool.start();
    const slow = deferToThreadPool(null, pool, async () => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      return 'done';
    });
    const stopped = pool.stop();
    pool.start();
    expect(pool.started).toBe(true);
    await stopped;
    expect(await slow).toBe('done');
    expect(pool.started).toBe(true);
    expect(await deferToThreadPool(null, pool, () => 'after')).toBe('after');
  });

  it('may be started again after stop()', async () => {
    const pool = track(new ThreadPool(0, 1));
    pool.start();
    await pool.stop();
    pool.start();
    expect(pool.started).toBe(true);
    expect(await deferToThreadPool(null, pool, () => 'again')).toBe('again');
  });

  it('adjustPoolsize on a started pool: new sizes for new jobs, running jobs finish', async () => {
    const pool = track(new ThreadPool(0, 1));
    pool.start();
    const running = deferToThreadPool(null, pool, async () => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      return 'old workers finished it';
    });
    pool.adjustPoolsize(1, 3);
    expect([pool.min, pool.max]).toEqual([1, 3]);
    expect(pool.workers).toBe(1); // the new minimum, started at once
    expect(await deferToThreadPool(null, pool, () => 'new')).toBe('new');
    expect(await running).toBe('old workers finished it');
    pool.adjustPoolsize(undefined, 5);
    expect([pool.min, pool.max]).toEqual([1, 5]);
  });

  it('test_adjustingWhenPoolStopped: adjustPoolsize only records the sizes on a stopped pool', async () => {
    const pool = new ThreadPool(0, 5);
    pool.start();
    await pool.stop();
    pool.adjustPoolsize(2);
    expect(pool.min).toBe(2);
    expect(pool.workers).toBe(0);
  });

  it('dumpStats logs the workers and the queue; toString shows the state', () => {
    log = captureLog();
    const pool = new ThreadPool(0, 3, 'stats');
    pool.callInThread(() => 1);
    pool.dumpStats();
    expect(log.messages()).toEqual(['the thread pool "stats": workers: 0, queued: 1']);
    expect(String(pool)).toBe('<ThreadPool stats min=0 max=3 new>');
    expect(String(new ThreadPool(0, 1))).toBe('<ThreadPool min=0 max=1 new>');
    void pool.stop().addErrback(() => undefined);
  });
});
