/**
 * A million timers: `--impl tt` schedules with `reactor.callLater(seconds, fn)`, `--impl node`
 * with `setTimeout(fn, ms)`. Delays are whole milliseconds in [0, 1000] from a seeded PRNG, the
 * same sequence for every contender (Python's too); whole milliseconds because that is what
 * setTimeout programs use (fractional delays would give Node's timer lists one list each).
 *
 * Phase 1: schedule `--count` calls, wait for the last one. Phase 2: schedule `--cancel` calls
 * and cancel them all before any fires. Run with --expose-gc: the heap is measured after a full
 * collection, and the collections' own CPU time is left out of the figures.
 *
 * Prints `{"scheduleCpu","cpu","wall","heap","rss","cancelCpu","cancelHeap"}` (seconds, bytes).
 */
import { prng } from '../lib/stats.ts';
import { cpuSeconds, now, numArg, out, parseArgs } from './io.ts';
import { reactor } from './tt.ts';

const args = parseArgs();
const impl = args.get('impl') ?? 'tt';
const count = numArg(args, 'count', 1_000_000);
const cancelCount = numArg(args, 'cancel', 100_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

function delays(n: number, seed: number): Uint16Array {
  const random = prng(seed);
  const ms = new Uint16Array(n);
  for (let i = 0; i < n; i++) ms[i] = Math.floor(random() * 1001);
  return ms;
}

/** A full collection, returning the CPU seconds it took (to subtract from the measurement). */
function collect(): number {
  const c = cpuSeconds();
  gc!();
  gc!();
  return cpuSeconds() - c;
}

// Phase 1: schedule and fire.
const ms = delays(count, 1);
let fired = 0;
let resolveDone: () => void = () => {};
const done = new Promise<void>((resolve) => (resolveDone = resolve));
function fire(): void {
  if (++fired === count) resolveDone();
}

let gcCpu = collect();
const heap0 = process.memoryUsage().heapUsed;
const rss0 = process.memoryUsage.rss();
const cpu0 = cpuSeconds();
const t0 = now();
if (impl === 'tt') {
  for (let i = 0; i < count; i++) reactor.callLater(ms[i] / 1000, fire);
} else {
  for (let i = 0; i < count; i++) setTimeout(fire, ms[i]);
}
const scheduleCpu = cpuSeconds() - cpu0;
const rss = process.memoryUsage.rss() - rss0;
gcCpu += collect();
const heap = process.memoryUsage().heapUsed - heap0;
await done;
const wall = now() - t0;
const cpu = cpuSeconds() - cpu0 - gcCpu;

// Phase 2: schedule, then cancel before anything fires.
const cancelMs = delays(cancelCount, 2);
const handles: { cancel(): void }[] | NodeJS.Timeout[] = [];
collect();
const heapBefore = process.memoryUsage().heapUsed;
const cpu1 = cpuSeconds();
if (impl === 'tt') {
  const calls = handles as { cancel(): void }[];
  for (let i = 0; i < cancelCount; i++) calls.push(reactor.callLater(1 + cancelMs[i] / 1000, fire));
  for (let i = 0; i < cancelCount; i++) calls[i].cancel();
} else {
  const timers = handles as NodeJS.Timeout[];
  for (let i = 0; i < cancelCount; i++) timers.push(setTimeout(fire, 1000 + cancelMs[i]));
  for (let i = 0; i < cancelCount; i++) clearTimeout(timers[i]);
}
const cancelCpu = cpuSeconds() - cpu1;
handles.length = 0;
collect();
const cancelHeap = process.memoryUsage().heapUsed - heapBefore;

out({ scheduleCpu, cpu, wall, heap, rss, cancelCpu, cancelHeap });
