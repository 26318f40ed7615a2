// API.md Part II "The porting kit" and the trial helpers of "Testing additions", checked on the
// BUILT package as users load it: the ESM build by import and the CommonJS build by require
// (through the package's self-reference). Run after `npm run build`.
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import type * as Api from '../src/index.ts';
import type * as TestingApi from '../src/testing/index.ts';

const root = resolve(import.meta.dirname, '..');
const requireFromHere = createRequire(import.meta.url);
const builds = [
  {
    name: 'esm',
    pkg: (await import(pathToFileURL(resolve(root, 'dist/esm/index.js')).href)) as typeof Api,
    testing: (await import(
      pathToFileURL(resolve(root, 'dist/esm/testing/index.js')).href
    )) as typeof TestingApi,
  },
  {
    name: 'cjs',
    pkg: requireFromHere('twisted-ts') as typeof Api,
    testing: requireFromHere('twisted-ts/testing') as typeof TestingApi,
  },
] as const;

afterAll(async () => {
  for (const { pkg } of builds) await pkg.reactor.getThreadPool().stop();
});

describe.each(builds)('$name build', ({ pkg, testing }) => {
  test('exports every name of the porting kit', () => {
    for (const name of [
      'inlineCallbacks',
      'cooperate',
      'coiterate',
      'deferToThread',
      'deferToThreadPool',
      'setDebugging',
      'getDebugging',
      'logError',
      'fromCoroutine',
    ] as const) {
      expect(typeof pkg[name], name).toBe('function');
    }
    for (const name of ['Cooperator', 'CooperativeTask', 'ThreadPool'] as const) {
      expect(typeof pkg[name], name).toBe('function');
    }
    for (const name of [
      'SchedulerError',
      'SchedulerStopped',
      'TaskFinished',
      'TaskDone',
      'TaskStopped',
      'TaskFailed',
      'NotPaused',
      'ThreadPoolStopped',
    ] as const) {
      const error = new pkg[name]('x');
      expect(error).toBeInstanceOf(pkg.TwistedError);
      expect(error.code).toMatch(/^ERR_/);
    }
    for (const name of ['successResultOf', 'failureResultOf', 'assertNoResult'] as const) {
      expect(typeof testing[name], name).toBe('function');
    }
    expect(typeof pkg.Deferred.fromCoroutine).toBe('function');
  });

  test('inlineCallbacks: a yielded failure is thrown back, and the result is there at once', () => {
    const f = pkg.inlineCallbacks(function* (n: number) {
      try {
        yield pkg.fail(new RangeError('thrown back'));
      } catch (e) {
        return `${(e as Error).message} ${n}`;
      }
      return 'not thrown';
    });
    expect(testing.successResultOf(f(1))).toBe('thrown back 1');
  });

  test('cooperate runs a generator in time slices on the reactor', async () => {
    const seen: number[] = [];
    const task = pkg.cooperate(
      (function* () {
        for (let i = 0; i < 3; i++) {
          seen.push(i);
          yield;
        }
      })(),
    );
    expect(task).toBeInstanceOf(pkg.CooperativeTask);
    await task.whenDone();
    expect(seen).toEqual([0, 1, 2]);
  });

  test("deferToThread runs a function and a module's export in a worker, from this build", async () => {
    expect(await pkg.deferToThread((a: number, b: number) => a * b, 6, 7)).toBe(42);
    expect(await pkg.deferToThread('node:os', 'platform')).toBe(process.platform);
    const pool = pkg.reactor.getThreadPool();
    expect(pool).toBeInstanceOf(pkg.ThreadPool);
    expect([pool.min, pool.max]).toEqual([0, 10]);
  });

  test('the names Twisted code reads', () => {
    const d = pkg.succeed(3);
    expect(d.result).toBe(3);
    const clock = new pkg.Clock();
    const call = clock.callLater(2, () => undefined);
    expect(clock.calls).toEqual([call]);
    expect(call.time).toBe(2);
    expect(pkg.getDebugging()).toBe(false);
    const failure = testing.failureResultOf(pkg.fail(new Error('read')), Error);
    expect(failure.getErrorMessage()).toBe('read');
    testing.assertNoResult(new pkg.Deferred());
  });
});
