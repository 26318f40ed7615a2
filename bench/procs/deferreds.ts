/**
 * Deferred (`--impl tt`) against native Promises (`--impl promise`), four cases, each timed after
 * a warm-up of a tenth of its count:
 * - `chain3`: a Deferred (Promise) with three callbacks (thens), fired; `--n` times;
 * - `chain100`: the same with a hundred callbacks; `--n / 30` times;
 * - `errback`: a callback throws an Error, an errback (catch) recovers, a callback takes the value;
 * - `await`: an async function awaits an already-fired Deferred (a resolved Promise) `--n` times.
 * A Promise's callbacks run as microtasks: its times include draining them. The promise chains
 * run in batches ({@link BATCH}, {@link BATCH_100}), each awaited before the next starts: made all at once, the
 * chains of a whole case waited together for the microtask queue (1.2 million pending promises
 * for `chain3`), and the case timed the garbage collector moving that live set rather than a
 * chain — a rate 2 to 40 times lower, moving with the heap's state from run to run.
 *
 * Prints `{"chain3","chain100","errback","await"}` in operations (chains, awaits) per second.
 */
import { Deferred, succeed } from '../../src/index.ts';
import { measureRates, numArg, out, parseArgs } from './io.ts';

const args = parseArgs();
const impl = args.get('impl') ?? 'tt';
const n = numArg(args, 'n', 300_000);

let sink = 0;
const inc = (x: number): number => x + 1;
const store = (x: number): void => {
  sink += x;
};
const thrower = (): number => {
  throw new Error('boom');
};
const recover = (): number => 1;

/** `Promise.withResolvers()` (ES2024, not in this project's ES2023 lib typings), written out. */
function withResolvers(): { promise: Promise<number>; resolve: (value: number) => void } {
  let resolve!: (value: number) => void;
  const promise = new Promise<number>((r) => (resolve = r));
  return { promise, resolve };
}

type Case = (count: number) => void | Promise<void>;

/**
 * Promise chains made before awaiting the last of them (their microtasks run then): about 3,000
 * pending promises at most, for the 3-callback chains and the 100-callback ones alike.
 */
const BATCH = 1000;
const BATCH_100 = 30;

const deferredCases: Record<string, Case> = {
  chain3(count) {
    for (let i = 0; i < count; i++) {
      const d = new Deferred<number>();
      d.addCallback(inc).addCallback(inc).addCallback(store);
      d.callback(i);
    }
  },
  chain100(count) {
    for (let i = 0; i < count; i++) {
      const d = new Deferred<number>();
      for (let j = 0; j < 99; j++) d.addCallback(inc);
      d.addCallback(store);
      d.callback(i);
    }
  },
  errback(count) {
    for (let i = 0; i < count; i++) {
      const d = new Deferred<number>();
      d.addCallback(thrower).addErrback(recover).addCallback(store);
      d.callback(i);
    }
  },
  async await(count) {
    for (let i = 0; i < count; i++) sink += await succeed(i);
  },
};

const promiseCases: Record<string, Case> = {
  async chain3(count) {
    let last: Promise<void> | undefined;
    for (let i = 0; i < count; i++) {
      const { promise, resolve } = withResolvers();
      last = promise.then(inc).then(inc).then(store);
      resolve(i);
      if (i % BATCH === BATCH - 1) await last;
    }
    await last;
  },
  async chain100(count) {
    let last: Promise<void> | undefined;
    for (let i = 0; i < count; i++) {
      const { promise, resolve } = withResolvers();
      let p = promise;
      for (let j = 0; j < 99; j++) p = p.then(inc);
      last = p.then(store);
      resolve(i);
      if (i % BATCH_100 === BATCH_100 - 1) await last;
    }
    await last;
  },
  async errback(count) {
    let last: Promise<void> | undefined;
    for (let i = 0; i < count; i++) {
      const { promise, resolve } = withResolvers();
      last = promise.then(thrower).catch(recover).then(store);
      resolve(i);
      if (i % BATCH === BATCH - 1) await last;
    }
    await last;
  },
  async await(count) {
    for (let i = 0; i < count; i++) sink += await Promise.resolve(i);
  },
};

const cases = impl === 'tt' ? deferredCases : promiseCases;
const counts: Record<string, number> = {
  chain3: n,
  chain100: Math.ceil(n / 30),
  errback: Math.ceil(n / 3),
  await: n,
};
const result = await measureRates(cases, counts);
if (sink === 42) out({ never: true }); // keep `sink` alive
out(result);
