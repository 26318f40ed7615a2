// The thread pool and the process's life, in child processes running the BUILT package
// (test/threads/fixtures/lifecycle.mjs). Run after `npm run build`.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const fixture = resolve(import.meta.dirname, 'fixtures/lifecycle.mjs');

/** Runs a scenario; rejects if the process does not end by itself within the time limit. */
async function run(scenario: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)(process.execPath, [fixture, scenario], { timeout: 15_000 });
  return stdout.trim().split('\n');
}

describe('a script using threads', () => {
  it('exits by itself once its deferToThread job is done (idle workers keep nothing alive)', async () => {
    expect(await run('script')).toEqual(['result 42', 'exit 0']);
  });

  it('exits by itself with idle workers kept by a pool minimum', async () => {
    expect(await run('idle')).toEqual(['result from a worker', 'idle workers 2', 'exit 0']);
  });

  it("reactor shutdown lets the pool's running job finish before 'after shutdown', then the process exits", async () => {
    expect(await run('shutdown')).toEqual([
      'stop called',
      'slow job done',
      'after shutdown',
      'refused: ERR_THREAD_POOL_STOPPED',
      'run resolved',
      'exit 0',
    ]);
  });
});
