// deferToThread / deferToThreadPool on real worker threads (twisted/test/test_threads.py's
// DeferredResultTestCase and DeferToThreadPoolTests, and what crossing a thread means in Node).
import { afterAll, describe, expect, it } from 'vitest';
import { Deferred } from '../../src/defer/deferred.ts';
import { CancelledError, ThreadPoolStopped } from '../../src/errors.ts';
import { Failure } from '../../src/failure.ts';
import { Reactor, reactor } from '../../src/index.ts';
import { captureLog } from '../support/log-capture.ts';
import { deferToThread, deferToThreadPool, ThreadPool } from '../../src/threads/index.ts';

const jobs = new URL('./fixtures/jobs.mjs', import.meta.url);
const cjsJobs = new URL('./fixtures/jobs.cjs', import.meta.url);

/** The failure `d` ends on (waiting for it). */
function failureOf(d: Deferred<unknown>): Promise<Failure> {
  return new Promise<Failure>((resolve, reject) => {
    d.addCallbacks(
      (v) => reject(new Error(`expected a failure, got ${String(v)}`)),
      (f: Failure) => {
        resolve(f);
      },
    );
  });
}

async function until(check: () => boolean): Promise<void> {
  const end = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

afterAll(async () => {
  await reactor.getThreadPool().stop();
});

describe('deferToThread(fn, ...args)', () => {
  it('test_deferredResult: fires with what the function returned, computed in another thread', async () => {
    const d = deferToThread((a: number, b: number) => a + b, 3, 4);
    expect(d).toBeInstanceOf(Deferred);
    expect(await d).toBe(7);
  });

  it('runs the function in a worker thread, not the reactor thread', async () => {
    const threadId = await deferToThread(() => process.getBuiltinModule('node:worker_threads').threadId);
    expect(threadId).toBeGreaterThan(0);
  });

  it("waits for an async function's value", async () => {
    const d = deferToThread(async (n: number) => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      return n * 2;
    }, 21);
    expect(await d).toBe(42);
  });

  it('copies arguments and results with structured cloning (Buffers, Maps, Dates)', async () => {
    const result = await deferToThread(
      (bytes: Uint8Array, map: Map<string, number>, when: Date) => ({
        length: bytes.length,
        sum: [...map.values()].reduce((a, b) => a + b, 0),
        year: when.getUTCFullYear(),
      }),
      Buffer.from('abc'),
      new Map([
        ['a', 1],
        ['b', 2],
      ]),
      new Date(Date.UTC(2024, 0, 1)),
    );
    expect(result).toEqual({ length: 3, sum: 3, year: 2024 });
  });

  it('accepts a method written with the shorthand syntax', async () => {
    const helpers = {
      triple(n: number) {
        return n * 3;
      },
    };
    expect(await deferToThread(helpers.triple, 5)).toBe(15);
  });

  it('test_deferredFailure: an error comes back as a Failure with the worker stack and fields', async () => {
    const f = await failureOf(
      deferToThread(() => {
        throw Object.assign(new RangeError('out of range in the worker'), { code: 'E_RANGE' });
      }),
    );
    expect(f.value).toBeInstanceOf(RangeError);
    expect(f.value.message).toBe('out of range in the worker');
    expect((f.value as Error & { code: string }).code).toBe('E_RANGE');
    expect(f.getTraceback()).toMatch(/^RangeError: out of range in the worker\n\s+at /);
  });

  it('says why when the function used a variable of the code around it', async () => {
    const outside = 5;
    const f = await failureOf(deferToThread(() => outside));
    expect(f.value).toBeInstanceOf(ReferenceError);
    expect(f.getErrorMessage()).toMatch(
      /^outside is not defined \(a function given to deferToThread .* cannot use variables of the code around it/,
    );
  });

  it('says what cannot cross when the result cannot be copied back', async () => {
    const f = await failureOf(deferToThread(() => () => 1));
    expect(f.value.name).toBe('DataCloneError');
    expect(f.getErrorMessage()).toMatch(/could not be cloned.*functions, Deferreds/);
  });

  it('reports a thrown non-Error value', async () => {
    const f = await failureOf(
      deferToThread(() => {
        throw 'a string';
      }),
    );
    expect(f.getErrorMessage()).toBe("The job threw a non-Error value: 'a string'");
  });

  it('refuses a built-in or bound function (no source to send), naming the argument', () => {
    expect(() => deferToThread(Math.max, 1, 2)).toThrow(/"fn" is invalid\. Its source cannot be sent/);
    expect(() => deferToThread((() => 1).bind(null))).toThrow(TypeError);
  });

  it('cancelling a running job ends its worker and fails with CancelledError', async () => {
    const d = deferToThread(() => {
      for (;;); // never returns: only ending the worker stops it
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    d.cancel();
    const f = await failureOf(d);
    expect(f.value).toBeInstanceOf(CancelledError);
    // The pool goes on with a new worker.
    expect(await deferToThread(() => 'still working')).toBe('still working');
  });
});

describe('deferToThread(moduleUrl, exportName, ...args)', () => {
  it("runs a module's export, which may import what it needs", async () => {
    const digest = await deferToThread<string>(jobs, 'sha256', 'abc');
    expect(digest).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('takes the URL as a string or an absolute path too, and CommonJS modules', async () => {
    expect(await deferToThread(jobs.href, 'sha256', '')).toMatch(/^e3b0c442/);
    expect(await deferToThread(new URL(jobs).pathname, 'sha256', '')).toMatch(/^e3b0c442/);
    expect(await deferToThread(cjsJobs, 'double', 4)).toBe(8);
  });

  it('brings back the class name and fields of a custom error', async () => {
    const f = await failureOf(deferToThread(jobs, 'failWithCode'));
    expect(f.check('ParseError')).toBe('ParseError');
    expect(f.value.name).toBe('ParseError');
    expect(f.value).toMatchObject({ message: 'line 3: unexpected token', code: 'E_PARSE', line: 3 });
  });

  it('says so when the export is missing or not a function', async () => {
    const f = await failureOf(deferToThread(jobs, 'notAFunction'));
    expect(f.getErrorMessage()).toMatch(/has no exported function named "notAFunction" \(found number\)/);
  });

  it('refuses a relative path, with the way to write it', () => {
    expect(() => deferToThread('./jobs.mjs', 'sha256')).toThrow(
      /new URL\('\.\/jobs\.js', import\.meta\.url\)/,
    );
    expect(() => deferToThread(jobs, undefined as never)).toThrow(
      /"exportName" argument must be of type string/,
    );
  });
});

describe('deferToThreadPool', () => {
  it('runs jobs on a pool of your own', async () => {
    const pool = new ThreadPool({ minthreads: 0, maxthreads: 1, name: 'mine' });
    pool.start();
    try {
      expect(await deferToThreadPool(reactor, pool, (s: string) => s.toUpperCase(), 'own')).toBe('OWN');
      expect(await deferToThreadPool(reactor, pool, jobs, 'sha256', '')).toMatch(/^e3b0/);
    } finally {
      await pool.stop();
    }
  });

  it('fails with ThreadPoolStopped on a stopped pool', async () => {
    const pool = new ThreadPool(0, 1);
    pool.start();
    await pool.stop();
    const f = await failureOf(deferToThreadPool(reactor, pool, () => 1));
    expect(f.value).toBeInstanceOf(ThreadPoolStopped);
    expect(f.getErrorMessage()).toBe('the thread pool is stopped: it takes no more jobs');
  });

  it('refuses what is not a ThreadPool', () => {
    expect(() => deferToThreadPool(reactor, {} as never, () => 1)).toThrow(
      /"threadpool" argument must be an instance of ThreadPool/,
    );
  });
});

describe("the reactor's pool", () => {
  it("is Twisted's reactor pool: min 0, max 10, started on first use", () => {
    const pool = reactor.getThreadPool();
    expect(pool).toBeInstanceOf(ThreadPool);
    expect([pool.min, pool.max, pool.name, pool.started]).toEqual([0, 10, 'reactor', true]);
    expect(reactor.getThreadPool()).toBe(pool);
  });

  it('test_suggestThreadPoolSize: sets the maximum, also on the running pool', async () => {
    const own = new Reactor();
    own.suggestThreadPoolSize(3);
    expect(own.getThreadPool().max).toBe(3);
    expect(await deferToThreadPool(own, own.getThreadPool(), () => 'ran')).toBe('ran');
    own.suggestThreadPoolSize(2);
    expect([own.getThreadPool().min, own.getThreadPool().max]).toEqual([0, 2]);
    expect(() => own.suggestThreadPoolSize(0)).toThrow(/"maxthreads" is out of range/);
    await own.getThreadPool().stop();
  });

  it('test_callInThread: runs a job and logs its error', async () => {
    const own = new Reactor();
    const log = captureLog();
    try {
      own.callInThread(() => {
        throw new Error('from callInThread');
      });
      own.callInThread(jobs, 'failWithCode');
      await until(() => log.errors().length === 2);
      expect(
        log
          .errors()
          .map((e) => e.failure?.getErrorMessage())
          .sort(),
      ).toEqual(['from callInThread', 'line 3: unexpected token']);
    } finally {
      log.stop();
      await own.getThreadPool().stop();
    }
  });
});
