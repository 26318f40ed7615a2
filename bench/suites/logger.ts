/**
 * Logger events/s to a file: twisted-ts (text and JSON observers into a `LogFile`) against pino
 * (JSON, its own asynchronous file destination) and Python Twisted's `twisted.logger`.
 *
 * @module
 */
import { nodeChild, pythonChild, reportOf } from '../lib/child.ts';
import { withPython } from '../lib/contenders.ts';
import { Section, type SuiteContext, type SectionResult } from '../lib/results.ts';
import { num } from './common.ts';

const TT = 'Logger (twisted-ts)';
const PINO = 'pino';
const PY = 'Logger (Python Twisted)';

export async function run(ctx: SuiteContext): Promise<SectionResult> {
  const n = ctx.quick ? 20_000 : 200_000;
  const fmt = (x: number) => x.toLocaleString('en-US');
  const cases = { text: `text file ×${fmt(n)}`, json: `JSON file ×${fmt(n)}` };
  const section = new Section(
    'logger',
    'Logger to a file',
    'One process per contender and round writes each case after a warm-up of a tenth of its count. ' +
      'Every event is `info("got {count} datagrams from {peer}", { count: i, peer })` (pino: the same ' +
      'two fields and the formatted message). twisted-ts writes through `textFileLogObserver` / ' +
      '`jsonFileLogObserver` into a `LogFile` (buffered synchronous writes); pino writes JSON through ' +
      '`pino.destination({ sync: false })`, and its time includes flushing; Python Twisted writes ' +
      'through its observers into an open file.',
    [{ key: 'ops', label: 'rate', unit: 'events/s', better: 'higher' }],
  );
  const contenders = withPython(ctx, section, [TT, PINO], PY);
  ctx.log('logger');
  await section.alternateCases(Object.values(cases), contenders, ctx.rounds, async (contender) => {
    const args = ['--n', String(n)];
    const child =
      contender === PY
        ? pythonChild(contender, 'logger.py', args)
        : nodeChild(contender, 'logger.ts', ['--impl', contender === TT ? 'tt' : 'pino', ...args]);
    const r = await reportOf(child, 300_000);
    const results: Record<string, Record<string, number>> = {};
    for (const [key, name] of Object.entries(cases)) {
      if (contender === PINO && key === 'text') continue;
      results[name] = { ops: num(r, key) };
    }
    return results;
  });
  section.ratio(cases.json, 'ops', TT, PINO, { target: { op: '>=', value: 0.5 } });
  for (const name of Object.values(cases))
    section.ratio(name, 'ops', TT, PY, { target: { op: '>=', value: 5 } });
  return section.finish();
}
