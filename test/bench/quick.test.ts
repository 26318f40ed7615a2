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
  'native-io',
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
  'logger',
  'web',
];

// The suite sends datagrams (loopback only); like every socket test it runs in the private netns.
const inNetns = process.env.TWISTED_TS_IN_NETNS === '1';

// The CI's second Node leg sets TWISTED_TS_SKIP_BENCH_SMOKE: the benchmarks are measured on the
// pinned Node only, and running every suite twice would double the CI's longest test.
const skipSmoke = process.env.TWISTED_TS_SKIP_BENCH_SMOKE === '1';

describe.skipIf(!inNetns || skipSmoke)('npm run bench -- --quick --only <suite>', () => {
  // One suite per test, so a slow one names itself and each has its own time limit (the longest
  // take about half a minute on a quiet machine, two on a loaded shared one).
  it.each(BENCHMARKS)('%s prints its section with its ratios', { timeout: 200_000 }, (id) => {
    const run = spawnSync(
      process.execPath,
      ['--experimental-strip-types', 'bench/run.ts', '--quick', '--no-write', '--only', id],
      { cwd: root, encoding: 'utf8', timeout: 190_000 },
    );
    const output = `${run.stdout}\n${run.stderr}`;
    expect(run.error, output).toBeUndefined();
    expect(run.status, output).toBe(0);
    const sections = run.stdout.split(/\n(?==== )/);
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
    expect(run.stdout).toMatch(/^all benchmarks done in /m);
  });
});
