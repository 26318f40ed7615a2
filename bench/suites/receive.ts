/**
 * UDP one-way receive rate and CPU per datagram: one sender process (raw dgram, the same for
 * every contender) sends 64-byte datagrams to a receiver process that only counts them.
 *
 * @module
 */
import { Section, type SuiteContext, type SectionResult } from '../lib/results.ts';
import { PY, RAW, TT, num, runSender, settledStats, startPeer, udpContenders } from './common.ts';

const FOUR_MIB = 4 * 1024 * 1024;

export async function run(ctx: SuiteContext): Promise<SectionResult> {
  const section = new Section(
    'receive',
    'UDP one-way receive rate',
    'A sender process (raw node:dgram, identical for every contender) sends 64-byte datagrams to ' +
      '127.0.0.1; the receiver process counts them. *burst*: as fast as the sender can (the ' +
      'receiver is saturated, so the rate is its capacity); *paced*: a fixed rate well below ' +
      'capacity (the rate is the same for all, the CPU per datagram is what differs). Rate = ' +
      'datagrams received / (last − first arrival); CPU = receiver process user+system time per ' +
      'received datagram, after a warm-up burst of 5,000 that is not counted; loss = 1 − received/sent. ' +
      '"4 MiB" sets SO_RCVBUF to 4 MiB on the receiver.',
    [
      { key: 'rate', label: 'rate', unit: 'datagrams/s', better: 'higher' },
      { key: 'cpu', label: 'CPU per datagram', unit: 'µs', better: 'lower' },
      { key: 'loss', label: 'loss', unit: '%', better: 'lower' },
    ],
  );
  const contenders = udpContenders(ctx, section);
  const burstCount = ctx.quick ? 20_000 : 150_000;
  const pacedRate = 50_000;
  const warmup = ctx.quick ? 1_000 : 5_000;
  const pacedCount = ctx.quick ? 10_000 : 30_000;
  const configs = [
    { name: 'burst, default buffer', mode: 'burst', rcvbuf: 0 },
    { name: 'burst, 4 MiB buffer', mode: 'burst', rcvbuf: FOUR_MIB },
    { name: `paced ${pacedRate / 1000}k/s, default buffer`, mode: 'paced', rcvbuf: 0 },
    { name: `paced ${pacedRate / 1000}k/s, 4 MiB buffer`, mode: 'paced', rcvbuf: FOUR_MIB },
  ];
  for (const config of configs) {
    ctx.log(`receive: ${config.name}`);
    await section.alternate(config.name, contenders, ctx.rounds, async (contender) => {
      const { child, ready } = await startPeer(contender, 'udp-receiver.ts', 'udp_receiver.py', [
        '--family',
        '4',
        '--rcvbuf',
        String(config.rcvbuf),
      ]);
      try {
        // Warm up first: the figures are for a running program, not for V8 compiling its hot path.
        await runSender(['--port', String(ready.port), '--count', String(warmup), '--mode', 'burst']);
        await settledStats(child);
        const before = await child.ask('stats');
        const count = config.mode === 'burst' ? burstCount : pacedCount;
        const sent = await runSender([
          '--port',
          String(ready.port),
          '--count',
          String(count),
          '--mode',
          config.mode,
          '--rate',
          String(pacedRate),
        ]);
        const after = await settledStats(child);
        const received = num(after, 'count') - num(before, 'count');
        if (received === 0) throw new Error('no datagram arrived');
        return {
          rate: received / (num(after, 'last') - num(after, 'first')),
          cpu: ((num(after, 'cpu') - num(before, 'cpu')) / received) * 1e6,
          loss: (1 - received / num(sent, 'sent')) * 100,
        };
      } finally {
        await child.close();
      }
    });
    const burst = config.mode === 'burst';
    section.ratio(
      config.name,
      'rate',
      TT,
      RAW,
      burst ? { target: { op: '>=', value: 0.97 } } : { chart: false },
    );
    section.ratio(
      config.name,
      'rate',
      TT,
      PY,
      burst ? { target: { op: '>=', value: 1.0 } } : { chart: false },
    );
    // In burst mode the rate is the figure; paced, every contender keeps up and CPU is what differs.
    section.ratio(config.name, 'cpu', TT, RAW, { invert: true, chart: !burst });
    section.ratio(config.name, 'cpu', TT, PY, { invert: true, chart: !burst });
  }
  return section.finish();
}
