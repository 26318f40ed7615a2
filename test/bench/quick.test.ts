/**
 * The benchmark suite's quick mode runs end to end: every benchmark prints its section and its
 * ratio lines. Only completion and the shape of the report are checked — timings never go in
 * tests (a shared CI machine makes them noise); the numbers live in docs/performance.md.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const BENCHMARKS = [
  'receive',
  'echo',
  'multicast',
  'timers',
  'deferreds',
  'kit',
  'tcp-echo',
  'tcp-bulk',
  'tcp-accept',
  'cluster',
  'lines',
  'tls-bulk',
];

// The suite sends datagrams (loopback only); like every socket test it runs in the private netns.
const inNetns = process.env.TWISTED_TS_IN_NETNS === '1';

describe.skipIf(!inNetns)('npm run bench -- --quick', () => {
  it('runs every benchmark and prints each section with its ratios', { timeout: 420_000 }, () => {
    const run = spawnSync(
      process.execPath,
      ['--experimental-strip-types', 'bench/run.ts', '--quick', '--no-write'],
      {
        cwd: root,
        encoding: 'utf8',
        // Eleven suites take about a minute and a half on a quiet machine, four on a loaded shared one.
        timeout: 410_000,
      },
    );
    const output = `${run.stdout}\n${run.stderr}`;
    expect(run.error, output).toBeUndefined();
    expect(run.status, output).toBe(0);
    const sections = run.stdout.split(/\n(?==== )/);
    for (const id of BENCHMARKS) {
      const section = sections.find((s) => s.startsWith(`=== ${id}: `));
      expect(section, `section ${id} in:\n${run.stdout}`).toBeDefined();
      expect(section, `section ${id}`).not.toMatch(/FAILED/);
      // Each section compares twisted-ts with its baseline at least once.
      expect(
        section!.match(/^ratio .+ = \d+\.\d\dx/gm)?.length ?? 0,
        `ratio lines of ${id}:\n${section}`,
      ).toBeGreaterThan(0);
      // No round may have failed.
      expect(section, `section ${id}`).not.toMatch(/round \d+: failed/);
    }
    expect(run.stdout).toMatch(/^all benchmarks done in /m);
  });
});
