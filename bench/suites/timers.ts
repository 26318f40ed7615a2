/**
 * `reactor.callLater` against `setTimeout` and Twisted's `callLater`: a million calls at random
 * whole-millisecond delays in [0, 1 s], then 100,000 calls cancelled before they fire.
 *
 * @module
 */
import { nodeChild, pythonChild } from '../lib/child.ts';
import { Section, type SuiteContext, type SectionResult } from '../lib/results.ts';
import { num } from './common.ts';

const TT = 'callLater (twisted-ts)';
const NODE = 'setTimeout';
const PY = 'callLater (Python Twisted)';

export async function run(ctx: SuiteContext): Promise<SectionResult> {
  const count = ctx.quick ? 100_000 : 1_000_000;
  const cancel = ctx.quick ? 20_000 : 100_000;
  const fireCase = `${count.toLocaleString('en-US')} calls, schedule and fire`;
  const cancelCase = `${cancel.toLocaleString('en-US')} calls, cancel before firing`;
  const section = new Section(
    'timers',
    'callLater vs setTimeout',
    `One process per contender and round schedules ${count.toLocaleString('en-US')} calls at seeded ` +
      'random whole-millisecond delays in [0, 1000] ms (the same sequence for all; one shared ' +
      'callback, no closure per call) and waits for the last. CPU = process user+system time from ' +
      'the first schedule to the last call, full GCs forced for the heap figure left out; wall = ' +
      'time to the last call; heap = `heapUsed` growth per pending call after a full GC, with all ' +
      'calls scheduled (Node only); RSS = resident set growth per call while scheduling. Then ' +
      `${cancel.toLocaleString('en-US')} calls are scheduled and cancelled (\`cancel()\` / ` +
      '`clearTimeout`); CPU of both steps, heap left behind after a GC.',
    [
      { key: 'cpu', label: 'CPU', unit: 'ms', better: 'lower' },
      { key: 'scheduleCpu', label: 'CPU to schedule', unit: 'ms', better: 'lower' },
      { key: 'wall', label: 'wall to last call', unit: 'ms', better: 'lower' },
      { key: 'heap', label: 'heap per call', unit: 'bytes', better: 'lower' },
      { key: 'rss', label: 'RSS per call', unit: 'bytes', better: 'lower' },
    ],
  );
  const contenders = [TT, NODE];
  if (ctx.python === null) section.skip(ctx.pythonMissing);
  else contenders.push(PY);
  ctx.log('timers');
  await section.alternateCases([fireCase, cancelCase], contenders, ctx.heavyRounds, async (contender) => {
    const args = ['--count', String(count), '--cancel', String(cancel)];
    const child =
      contender === PY
        ? pythonChild(contender, 'timers.py', args)
        : nodeChild(
            contender,
            'timers.ts',
            ['--impl', contender === TT ? 'tt' : 'node', ...args],
            ['--expose-gc'],
          );
    try {
      const r = await child.next(120_000);
      await child.close();
      const fire: Record<string, number> = {
        cpu: num(r, 'cpu') * 1000,
        scheduleCpu: num(r, 'scheduleCpu') * 1000,
        wall: num(r, 'wall') * 1000,
        rss: num(r, 'rss') / count,
      };
      const cancelled: Record<string, number> = { cpu: num(r, 'cancelCpu') * 1000 };
      if (contender !== PY) {
        fire.heap = num(r, 'heap') / count;
        cancelled.heap = num(r, 'cancelHeap') / cancel;
      }
      return { [fireCase]: fire, [cancelCase]: cancelled };
    } catch (e) {
      child.kill();
      throw e;
    }
  });
  section.ratio(fireCase, 'cpu', TT, NODE, { invert: true, target: { op: '>=', value: 1.5 } });
  section.ratio(fireCase, 'heap', TT, NODE, { target: { op: '<=', value: 0.5 } });
  section.ratio(fireCase, 'wall', TT, NODE, { invert: true });
  section.ratio(fireCase, 'cpu', TT, PY, { invert: true });
  section.ratio(cancelCase, 'cpu', TT, NODE, { invert: true });
  section.ratio(cancelCase, 'cpu', TT, PY, { invert: true });
  return section.finish();
}
