/**
 * LineReceiver parsing against a hand-written Node splitter and Python Twisted's LineReceiver:
 * lines per second for 40-byte lines in 64 KiB chunks.
 *
 * @module
 */
import { nodeChild, pythonChild, reportOf } from '../lib/child.ts';
import { withPython } from '../lib/contenders.ts';
import { Section, type SuiteContext, type SectionResult } from '../lib/results.ts';
import { num } from './common.ts';

const TT = 'LineReceiver (twisted-ts)';
const TT_ONLY = 'LineOnlyReceiver (twisted-ts)';
const PLAIN = 'plain splitter (Node)';
const PY = 'LineReceiver (Python Twisted)';

export async function run(ctx: SuiteContext): Promise<SectionResult> {
  const lines = ctx.quick ? 500_000 : 5_000_000;
  const name = `40-byte lines in 64 KiB chunks ×${lines.toLocaleString('en-US')}`;
  const section = new Section(
    'lines',
    'LineReceiver parsing',
    'One process per contender and round feeds the same stream — 40-byte lines (38 bytes and ' +
      'CRLF) cut into chunks of exactly 64 KiB, anywhere in a line, as a TCP connection delivers ' +
      'them — to a line handler that only counts, after a warm-up of a tenth of the count. ' +
      "twisted-ts's `LineReceiver` and `LineOnlyReceiver` get each chunk through `dataReceived` " +
      '(a bare transport, no socket); the plain splitter is what a Node program would write by ' +
      'hand: `indexOf` the delimiter, `subarray` the line, carry the partial line over; ' +
      "Python Twisted's `LineReceiver` gets the same chunks through `dataReceived`.",
    [{ key: 'lines', label: 'rate', unit: 'lines/s', better: 'higher' }],
  );
  const contenders = withPython(ctx, section, [TT, TT_ONLY, PLAIN], PY);
  ctx.log('lines');
  await section.alternate(name, contenders, ctx.rounds, async (contender) => {
    const args = ['--lines', String(lines)];
    const child =
      contender === PY
        ? pythonChild(contender, 'lines.py', args)
        : nodeChild(contender, 'lines.ts', [
            '--impl',
            contender === TT ? 'tt' : contender === TT_ONLY ? 'tt-only' : 'plain',
            ...args,
          ]);
    const r = await reportOf(child, 120_000);
    return { lines: num(r, 'lines') };
  });
  section.ratio(name, 'lines', TT, PY, { target: { op: '>=', value: 2 } });
  section.ratio(name, 'lines', TT, PLAIN, { target: { op: '>=', value: 0.9 } });
  section.ratio(name, 'lines', TT_ONLY, PLAIN);
  return section.finish();
}
