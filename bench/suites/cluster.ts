/**
 * `reusePort` with `node:cluster`: how evenly the kernel spreads datagrams over 1 and 2 worker
 * processes sharing a port, and the aggregate receive rate.
 *
 * @module
 */
import { nodeChild, type Child, type Message } from '../lib/child.ts';
import { Section, type SuiteContext, type SectionResult } from '../lib/results.ts';
import { RAW, TT, num, runSender } from './common.ts';

type WorkerStats = { count: number; first: number; last: number; cpu: number };

async function settledWorkers(child: Child): Promise<WorkerStats[]> {
  const total = (m: Message) => (m.workers as WorkerStats[]).reduce((s, w) => s + w.count, 0);
  let last = await child.ask('stats');
  for (let i = 0; i < 30; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const next = await child.ask('stats');
    if (total(next) === total(last)) return next.workers as WorkerStats[];
    last = next;
  }
  return last.workers as WorkerStats[];
}

export async function run(ctx: SuiteContext): Promise<SectionResult> {
  const count = ctx.quick ? 20_000 : 200_000;
  const section = new Section(
    'cluster',
    'reusePort with node:cluster',
    'A primary process forks N workers; each binds its own socket on one port with `reusePort` ' +
      '(twisted-ts `reactor.listenUDP(port, proto, { interface, reusePort: true })`; raw dgram ' +
      '`createSocket({ reusePort: true })`) and counts. The sender bursts 64-byte datagrams from ' +
      '256 source ports (the kernel balances by a hash of source address and port, so a single ' +
      'source would always reach the same worker). Shares = each worker’s part of what arrived; ' +
      'aggregate = all datagrams received / (last − first arrival over all workers). On 2 cores ' +
      'the sender takes one core: two workers share the other.',
    [
      { key: 'rate', label: 'aggregate rate', unit: 'datagrams/s', better: 'higher' },
      { key: 'minShare', label: 'smallest share', unit: '%', better: 'higher' },
      { key: 'maxShare', label: 'largest share', unit: '%', better: 'lower' },
      { key: 'loss', label: 'loss', unit: '%', better: 'lower' },
    ],
  );
  for (const workers of [1, 2]) {
    const name = `${workers} worker${workers > 1 ? 's' : ''}`;
    ctx.log(`cluster: ${name}`);
    await section.alternate(name, [TT, RAW], ctx.heavyRounds, async (contender) => {
      const child = nodeChild(contender, 'cluster.ts', [
        '--impl',
        contender === TT ? 'tt' : 'raw',
        '--workers',
        String(workers),
      ]);
      try {
        const ready = await child.next(20_000);
        const before = (await child.ask('stats')).workers as WorkerStats[];
        const sent = await runSender([
          '--port',
          String(ready.port),
          '--count',
          String(count),
          '--sockets',
          '256',
        ]);
        const after = await settledWorkers(child);
        const counts = after.map((w, i) => w.count - before[i].count);
        const total = counts.reduce((a, b) => a + b, 0);
        if (total === 0) throw new Error('no datagram arrived');
        const active = after.filter((_, i) => counts[i] > 0);
        const seconds = Math.max(...active.map((w) => w.last)) - Math.min(...active.map((w) => w.first));
        return {
          rate: total / seconds,
          minShare: (Math.min(...counts) / total) * 100,
          maxShare: (Math.max(...counts) / total) * 100,
          loss: (1 - total / num(sent, 'sent')) * 100,
        };
      } finally {
        await child.close();
      }
    });
    section.ratio(name, 'rate', TT, RAW);
  }
  section.ratio('2 workers', 'minShare', TT, RAW, {
    label: 'smallest share: twisted-ts / raw dgram',
    chart: false,
  });
  return section.finish();
}
