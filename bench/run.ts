/**
 * The benchmark suite: `npm run bench` (full, about 5 minutes on 2 cores; writes
 * docs/performance.md and docs/performance.svg), `npm run bench -- --quick` (under a minute, small
 * counts, one round, writes nothing).
 *
 * Options: `--quick`, `--rounds N` (default 5; multicast, timers and cluster run 3 unless given), `--only receive,echo,…`, `--no-write` / `--write`,
 * `--no-python` (leave Python Twisted out).
 *
 * Every benchmark runs its contenders in separate processes, alternating A B C A B C, and reports
 * medians, spreads and ratios: on a shared machine absolute numbers are noise, ratios measured
 * side by side are not.
 *
 * @module
 */
import { parseArgs } from './procs/io.ts';
import { detectPython, machineInfo } from './lib/machine.ts';
import { sectionText, type SectionResult, type SuiteContext } from './lib/results.ts';
import { writeResults } from './lib/write.ts';

/** Every benchmark, in the order they run. */
const SUITES: Record<string, () => Promise<{ run: (ctx: SuiteContext) => Promise<SectionResult> }>> = {
  receive: () => import('./suites/receive.ts'),
  echo: () => import('./suites/echo.ts'),
  'native-io': () => import('./suites/native-io.ts'),
  multicast: () => import('./suites/multicast.ts'),
  timers: () => import('./suites/timers.ts'),
  deferreds: () => import('./suites/deferreds.ts'),
  logger: () => import('./suites/logger.ts'),
  'tcp-echo': () => import('./suites/tcp-echo.ts'),
  'tcp-bulk': () => import('./suites/tcp-bulk.ts'),
  'tcp-accept': () => import('./suites/tcp-accept.ts'),
  kit: () => import('./suites/kit.ts'),
  cluster: () => import('./suites/cluster.ts'),
  lines: () => import('./suites/lines.ts'),
  'tls-bulk': () => import('./suites/tls-bulk.ts'),
  web: () => import('./suites/web.ts'),
};

const args = parseArgs();
const quick = args.has('quick');
const rounds = Number(args.get('rounds') ?? (quick ? 1 : 5));
const heavyRounds = args.has('rounds') ? rounds : Math.min(rounds, 3);
const only = args.get('only')?.split(',') ?? Object.keys(SUITES);
const write = args.has('write') || (!quick && !args.has('no-write'));
for (const name of only) {
  if (!(name in SUITES))
    throw new Error(`unknown benchmark ${name}; known: ${Object.keys(SUITES).join(', ')}`);
}

const python = args.has('no-python') ? null : detectPython();
const ctx: SuiteContext = {
  quick,
  rounds,
  heavyRounds,
  python,
  pythonMissing: args.has('no-python')
    ? 'Python Twisted left out (--no-python)'
    : 'Python Twisted not found (/usr/bin/python3 with Debian python3-twisted): its columns are skipped',
  log: (line) => process.stderr.write(`  … ${line}\n`),
};
const machine = machineInfo(python);
const started = performance.now();
console.log(
  `twisted-ts benchmarks (${quick ? 'quick' : 'full'}, ${rounds === heavyRounds ? rounds : `${rounds} (heavy ones ${heavyRounds})`} round${rounds === 1 ? '' : 's'}): ` +
    `${machine.cpu} × ${machine.cores}, Node ${machine.node}, ` +
    `${python ? `Python ${python.version} + Twisted ${python.twisted}` : 'no Python Twisted'}, load ${machine.load}`,
);

const sections: SectionResult[] = [];
let failures = 0;
for (const name of Object.keys(SUITES).filter((n) => only.includes(n))) {
  try {
    const suite = await SUITES[name]();
    const result = await suite.run(ctx);
    sections.push(result);
    console.log(`\n${sectionText(result)}`);
  } catch (e) {
    failures++;
    console.log(`\n=== ${name}: FAILED\n${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }
}
const seconds = (performance.now() - started) / 1000;
console.log(`\nall benchmarks done in ${seconds.toFixed(1)} s${failures ? `, ${failures} failed` : ''}`);
if (write) {
  const written = await writeResults(sections, machine, { quick, rounds, heavyRounds, seconds });
  console.log(`wrote ${written.join(', ')}`);
}
process.exitCode = failures > 0 ? 1 : 0;
