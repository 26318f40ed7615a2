/**
 * The porting kit: `inlineCallbacks` against an `async` function, `deferToThread` round trips
 * against a bare worker thread, and `coiterate` against a hand-written time-sliced loop, with
 * Python Twisted's own `inlineCallbacks`, `deferToThread` and `coiterate` beside them.
 *
 * @module
 */
import { nodeChild, pythonChild, reportOf } from '../lib/child.ts';
import { withPython } from '../lib/contenders.ts';
import { Section, type SuiteContext, type SectionResult } from '../lib/results.ts';
import { num } from './common.ts';

const TT = 'twisted-ts';
const NATIVE = 'Node, by hand';
const PY = 'Python Twisted';

export async function run(ctx: SuiteContext): Promise<SectionResult> {
  const n = ctx.quick ? 10_000 : 100_000;
  const fmt = (x: number) => x.toLocaleString('en-US');
  const cases = {
    inline: `inlineCallbacks, 10 yields ×${fmt(n)}`,
    thread: `deferToThread round trip ×${fmt(Math.ceil(n / 1000))}`,
    cooperate: `coiterate units ×${fmt(n * 3)}`,
  };
  const section = new Section(
    'kit',
    'The porting kit: inlineCallbacks, deferToThread, cooperate',
    'One process per contender and round runs each case after a warm-up of a tenth of its count. ' +
      '*inlineCallbacks*: a function yields 10 fired Deferreds and returns their sum — ' +
      '`inlineCallbacks` against an `async` function awaiting them under `ensureDeferred` (by ' +
      "hand) and Twisted's `@inlineCallbacks`. *deferToThread round trip*: sequential jobs " +
      "`x => x + 1` on the reactor's thread pool, against one bare `worker_threads` Worker " +
      "answering `postMessage` (by hand) and Twisted's `deferToThread`. *coiterate units*: " +
      'one-line units of a generator under `coiterate` (10 ms slices), against a loop that ' +
      "yields to the event loop with `setImmediate` every 10 ms (by hand) and Twisted's `coiterate`.",
    [{ key: 'ops', label: 'rate', unit: 'operations/s', better: 'higher' }],
  );
  const contenders = withPython(ctx, section, [TT, NATIVE], PY);
  ctx.log('kit');
  await section.alternateCases(Object.values(cases), contenders, ctx.rounds, async (contender) => {
    const args = ['--n', String(n)];
    const child =
      contender === PY
        ? pythonChild(contender, 'kit.py', args)
        : nodeChild(contender, 'kit.ts', ['--impl', contender === TT ? 'tt' : 'native', ...args]);
    const r = await reportOf(child, 180_000);
    const out: Record<string, Record<string, number>> = {};
    for (const [key, name] of Object.entries(cases)) out[name] = { ops: num(r, key) };
    return out;
  });
  for (const name of Object.values(cases)) {
    section.ratio(name, 'ops', TT, NATIVE);
    section.ratio(name, 'ops', TT, PY);
  }
  return section.finish();
}
