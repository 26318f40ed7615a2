/**
 * Deferred against native Promises and Twisted's Deferred: a 3-callback chain, a 100-callback
 * chain, the errback path and `await`.
 *
 * @module
 */
import { nodeChild, pythonChild, reportOf } from '../lib/child.ts';
import { withPython } from '../lib/contenders.ts';
import { Section, type SuiteContext, type SectionResult } from '../lib/results.ts';
import { num } from './common.ts';

const TT = 'Deferred (twisted-ts)';
const PROMISE = 'Promise';
const PY = 'Deferred (Python Twisted)';

export async function run(ctx: SuiteContext): Promise<SectionResult> {
  const n = ctx.quick ? 30_000 : 300_000;
  const fmt = (x: number) => x.toLocaleString('en-US');
  const cases = {
    chain3: `3-callback chain ×${fmt(n)}`,
    chain100: `100-callback chain ×${fmt(Math.ceil(n / 30))}`,
    errback: `errback path ×${fmt(Math.ceil(n / 3))}`,
    await: `await a fired Deferred ×${fmt(n)}`,
  };
  const section = new Section(
    'deferreds',
    'Deferred vs Promise',
    'One process per contender and round runs each case after a warm-up of a tenth of its count. ' +
      '*3-callback chain*: `new Deferred()`, `addCallback` ×3, `callback(i)` — against ' +
      '`new Promise(r => resolve = r)`, `.then` ×3, `resolve(i)` (its time includes running the ' +
      'microtasks: the last chain of every 1,000 is awaited, so no more than about 3,000 promises ' +
      'wait at once). *100-callback chain*: the same with 100 (awaited every 30 chains). *errback path*: a callback throws an ' +
      'Error, an errback recovers, a callback takes the value (`.then(throw).catch().then()`). ' +
      '*await*: an async function awaits an already-fired Deferred (`succeed(i)`) against ' +
      '`Promise.resolve(i)`; Twisted runs `await succeed(i)` in a coroutine under `ensureDeferred`.',
    [{ key: 'ops', label: 'rate', unit: 'operations/s', better: 'higher' }],
  );
  const contenders = withPython(ctx, section, [TT, PROMISE], PY);
  ctx.log('deferreds');
  await section.alternateCases(Object.values(cases), contenders, ctx.rounds, async (contender) => {
    const args = ['--n', String(n)];
    const child =
      contender === PY
        ? pythonChild(contender, 'deferreds.py', args)
        : nodeChild(contender, 'deferreds.ts', ['--impl', contender === TT ? 'tt' : 'promise', ...args]);
    const r = await reportOf(child, 120_000);
    const out: Record<string, Record<string, number>> = {};
    for (const [key, name] of Object.entries(cases)) out[name] = { ops: num(r, key) };
    return out;
  });
  section.ratio(cases.chain3, 'ops', TT, PROMISE, { target: { op: '>=', value: 5 } });
  for (const name of [cases.chain100, cases.errback, cases.await]) section.ratio(name, 'ops', TT, PROMISE);
  for (const name of Object.values(cases)) section.ratio(name, 'ops', TT, PY);
  return section.finish();
}
