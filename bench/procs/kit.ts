/**
 * The porting kit (`--impl tt`) against the way Node code writes the same without it
 * (`--impl native`). Each case is timed after a warm-up of a tenth of its count:
 * - `inline`: a function yielding 10 fired Deferreds and returning their sum — `inlineCallbacks`
 *   against an `async` function awaiting them under `ensureDeferred`; `--n` calls;
 * - `thread`: sequential round trips of a tiny job to the reactor's thread pool
 *   (`deferToThread`) against a bare `node:worker_threads` Worker answering messages; `--n / 1000`;
 * - `cooperate`: units of a generator run by `coiterate` (10 ms slices) against a loop that yields
 *   to the event loop with `setImmediate` every 10 ms; `--n * 3` units.
 *
 * Prints `{"inline","thread","cooperate"}` in operations (calls, round trips, units) per second.
 */
import { Worker } from 'node:worker_threads';
import { coiterate, deferToThread, ensureDeferred, inlineCallbacks, succeed } from '../../src/index.ts';
import { measureRates, numArg, out, parseArgs } from './io.ts';

const args = parseArgs();
const impl = args.get('impl') ?? 'tt';
const n = numArg(args, 'n', 100_000);

let sink = 0;

const sumTen = inlineCallbacks(function* (base: number) {
  let total = 0;
  for (let i = 0; i < 10; i++) total += (yield succeed(base + i)) as number;
  return total;
});

async function sumTenAsync(base: number): Promise<number> {
  let total = 0;
  for (let i = 0; i < 10; i++) total += await succeed(base + i);
  return total;
}

function* units(count: number): Generator<undefined> {
  for (let i = 0; i < count; i++) {
    sink += i & 1;
    yield;
  }
}

type Case = (count: number) => Promise<void>;

let worker: Worker | undefined;
function bareWorker(): Worker {
  worker ??= new Worker(
    'const { parentPort } = require("node:worker_threads"); parentPort.on("message", (x) => parentPort.postMessage(x + 1));',
    { eval: true },
  );
  return worker;
}

const kitCases: Record<string, Case> = {
  async inline(count) {
    for (let i = 0; i < count; i++) sumTen(i).addCallback((s) => (sink += s));
  },
  async thread(count) {
    for (let i = 0; i < count; i++) sink += await deferToThread((x: number) => x + 1, i);
  },
  async cooperate(count) {
    await coiterate(units(count));
  },
};

const nativeCases: Record<string, Case> = {
  async inline(count) {
    for (let i = 0; i < count; i++) sink += await ensureDeferred(sumTenAsync(i));
  },
  async thread(count) {
    const w = bareWorker();
    for (let i = 0; i < count; i++) {
      sink += await new Promise<number>((resolve) => {
        w.once('message', resolve);
        w.postMessage(i);
      });
    }
  },
  async cooperate(count) {
    let end = performance.now() + 10;
    for (let i = 0; i < count; i++) {
      sink += i & 1;
      if (performance.now() >= end) {
        await new Promise((resolve) => setImmediate(resolve));
        end = performance.now() + 10;
      }
    }
  },
};

const cases = impl === 'tt' ? kitCases : nativeCases;
const counts: Record<string, number> = { inline: n, thread: Math.ceil(n / 1000), cooperate: n * 3 };
const result = await measureRates(cases, counts);
if (sink === 42.5) out({ never: true }); // keep `sink` alive
out(result);
await worker?.terminate();
