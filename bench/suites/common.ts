/**
 * What the UDP benchmarks share: contender names, starting receivers and senders, and waiting for
 * a receiver to drain its socket buffer.
 *
 * @module
 */
import { Child, nodeChild, pythonChild, reportOf, sleep, type Message } from '../lib/child.ts';
import { withPython } from '../lib/contenders.ts';
import type { Section, SuiteContext } from '../lib/results.ts';

export const TT = 'twisted-ts';
export const RAW = 'raw dgram';
export const PY = 'Python Twisted';

/**
 * The contenders of a UDP benchmark: Python Twisted only when it is installed (otherwise the
 * section notes why it is missing).
 */
export function udpContenders(ctx: SuiteContext, section: Section): string[] {
  return withPython(ctx, section, [TT, RAW], PY);
}

/**
 * Starts a receiving process for a contender: `node` scripts take `--impl tt|raw`, the Python
 * script is the same program on Twisted. Resolves once it printed `ready`.
 */
export async function startPeer(
  contender: string,
  nodeScript: string,
  pythonScript: string,
  args: string[],
): Promise<{ child: Child; ready: Message }> {
  const child =
    contender === PY
      ? pythonChild(contender, pythonScript, args)
      : nodeChild(contender, nodeScript, ['--impl', contender === TT ? 'tt' : 'raw', ...args]);
  try {
    const ready = await child.next(15_000);
    if (ready.ready !== true)
      throw new Error(`${contender}: unexpected first message ${JSON.stringify(ready)}`);
    return { child, ready };
  } catch (e) {
    child.kill();
    throw e;
  }
}

/** Runs the sender to completion and returns its report (`sent`, `seconds`, `errors`). */
export async function runSender(args: string[], timeoutMs = 60_000): Promise<Message> {
  return reportOf(nodeChild('sender', 'udp-sender.ts', args), timeoutMs);
}

/**
 * Asks for `stats` until the count stops moving (the receiver has drained its socket buffer),
 * at most ~3 s.
 */
export async function settledStats(child: Child, key = 'count'): Promise<Message> {
  let last = await child.ask('stats');
  for (let i = 0; i < 30; i++) {
    await sleep(100);
    const next = await child.ask('stats');
    if (next[key] === last[key]) return next;
    last = next;
  }
  return last;
}

/** A number field of a message (NaN when absent). */
export function num(m: Message, key: string): number {
  const v = m[key];
  return typeof v === 'number' ? v : NaN;
}
