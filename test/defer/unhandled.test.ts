import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./fixtures/unhandled.ts', import.meta.url));

interface Logged {
  why: string;
  message: string;
  traceback: string;
}

/** Runs one scenario of the fixture in a fresh Node with `gc()` and returns the errors it logged. */
async function run(scenario: string): Promise<Logged[]> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', '--experimental-strip-types', '--no-warnings', fixture, scenario],
    { timeout: 15_000 },
  );
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Logged);
}

describe('a Deferred garbage-collected with an unhandled failure', () => {
  it('is logged as "Unhandled error in Deferred:" with the traceback', async () => {
    const logged = await run('unhandled');
    expect(logged).toHaveLength(1);
    expect(logged[0].why).toBe('Unhandled error in Deferred:');
    expect(logged[0].message).toBe('nobody handled me');
    expect(logged[0].traceback).toMatch(/^Error: nobody handled me\n\s+at /);
  });

  it('is logged when a callback threw and nothing caught it', async () => {
    const logged = await run('failedLater');
    expect(logged.map((l) => l.message)).toEqual(['thrown by a callback']);
  });

  it('is logged for a Deferred holding a failure that was awaited through another Deferred', async () => {
    const logged = await run('sharedFailureAwaitedOnce');
    expect(logged.map((l) => l.message)).toEqual(['fanned out']);
  });

  it('with Deferred.debug, the report includes where it was created and fired', async () => {
    const logged = await run('debug');
    expect(logged).toHaveLength(1);
    expect(logged[0].why).toMatch(/^Unhandled error in Deferred:\n\(debug: {2}C: Deferred was created:/);
    expect(logged[0].why).toContain(' I: First Invoker was:');
  });

  it.each([
    ['an errback consumed the failure', 'handled'],
    ['the Deferred succeeded', 'succeeded'],
    ['the failure was awaited', 'awaited'],
    ['the failure moved to the outer Deferred, which handled it', 'chainedErrorCleanup'],
    ['an errback chained the failure away', 'errorClearedByChaining'],
  ])('is not logged when %s', async (_why, scenario) => {
    expect(await run(scenario)).toEqual([]);
  });
});
