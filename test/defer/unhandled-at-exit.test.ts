// A Deferred left holding a failure is reported by the time the process exits, not only when
// (if ever) V8 collects it: CPython reports at once, and porters rely on seeing it. Child
// processes run test/defer/fixtures/unhandled-at-exit.ts without collecting garbage.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./fixtures/unhandled-at-exit.ts', import.meta.url));

function run(
  scenario: string,
  ...nodeFlags: string[]
): { status: number | null; stdout: string; stderr: string } {
  const child = spawnSync(
    process.execPath,
    [...nodeFlags, '--experimental-strip-types', '--no-warnings', fixture, scenario],
    { encoding: 'utf8', timeout: 15_000 },
  );
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

/** How many times the text of an unhandled report appears. */
function reports(text: string): number {
  return text.split('Unhandled error in Deferred:').length - 1;
}

describe('an unhandled failure at the exit of the process', () => {
  it('is printed to stderr by the default observer, with the error and its stack', () => {
    const { status, stderr } = run('kept');
    expect(status).toBe(0);
    expect(reports(stderr)).toBe(1);
    expect(stderr).toMatch(/\[-\] Unhandled error in Deferred:\nError: left behind\n\s+at /);
  });

  it('does not change the exit code', () => {
    const { status, stderr } = run('exitCode');
    expect(status).toBe(3);
    expect(reports(stderr)).toBe(1);
  });

  it('goes through the log: observers receive it as an error event', () => {
    const { stdout, stderr } = run('observer');
    expect(stdout).toBe('observed: Unhandled error in Deferred: seen by an observer\n');
    expect(stderr).toBe('');
  });

  it('is not reported when it was handled before the exit', () => {
    const { status, stderr } = run('handledLater');
    expect(status).toBe(0);
    expect(stderr).toBe('');
  });

  it('is reported once: a failure reported when collected is not reported again at the exit', () => {
    const { stderr } = run('collected', '--expose-gc');
    expect(reports(stderr)).toBe(1);
    expect(stderr).toContain('Error: collected');
  });

  it('is reported when the reactor stops and the script ends', () => {
    const { status, stderr } = run('reactorStops');
    expect(status).toBe(0);
    expect(reports(stderr)).toBe(1);
    expect(stderr).toContain('Error: left while running');
  });

  it('is reported when react() ends the process, whose exit code stays 0', () => {
    const { status, stderr } = run('react');
    expect(status).toBe(0);
    expect(reports(stderr)).toBe(1);
    expect(stderr).toContain('Error: left by main');
  });
});
