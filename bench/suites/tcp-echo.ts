/**
 * TCP echo: one raw node:net client process (the same for every server) against an echo server
 * process per contender, over one connection: one 64-byte message in flight (latency), and 64
 * in flight (throughput).
 *
 * @module
 */
import { Section, type SectionResult, type SuiteContext } from '../lib/results.ts';
import { PY, RAW, TT, num, runClient, startServer, tcpContenders } from './tcp-common.ts';

export async function run(ctx: SuiteContext): Promise<SectionResult> {
  const section = new Section(
    'tcp-echo',
    'TCP echo round trips',
    'An echo server process per contender (twisted-ts: a `Protocol` whose `dataReceived` calls ' +
      "`this.transport.write(data)`, served by `listenTCP`; raw node:net: `socket.on('data', d => " +
      'socket.write(d))`; Python Twisted: the same `Protocol` on `listenTCP`, epoll reactor) and one ' +
      'client process (raw node:net, TCP_NODELAY, identical for all) on one connection sending ' +
      '64-byte messages. *window 1*: one message in flight, every round trip timed; *window 64*: 64 ' +
      "in flight, refilled as answers come. Server CPU = the server process's user+system time per " +
      'round trip. Each server first echoes a warm-up that is not counted.',
    [
      { key: 'rate', label: 'round trips/s', unit: '1/s', better: 'higher' },
      { key: 'p50', label: 'p50 latency', unit: 'µs', better: 'lower' },
      { key: 'p99', label: 'p99 latency', unit: 'µs', better: 'lower' },
      { key: 'cpu', label: 'server CPU per round trip', unit: 'µs', better: 'lower' },
    ],
  );
  if (ctx.python === null) section.skip(ctx.pythonMissing);
  const contenders = tcpContenders(ctx);
  const pingCount = ctx.quick ? 1_000 : 20_000;
  const windowCount = ctx.quick ? 10_000 : 200_000;
  const warmup = ctx.quick ? 1_000 : 10_000;
  const one = 'window 1';
  const many = 'window 64';
  await section.alternateCases([one, many], contenders, ctx.rounds, async (contender) => {
    const { child, port } = await startServer(contender, 'echo');
    try {
      const client = (extra: string[]) => runClient(['--mode', 'echo', '--port', String(port), ...extra]);
      await client(['--window', '64', '--count', String(warmup)]);
      const results: Record<string, Record<string, number>> = {};
      for (const [name, extra] of [
        [one, ['--window', '1', '--count', String(pingCount)]],
        [many, ['--window', '64', '--count', String(windowCount)]],
      ] as const) {
        const before = await child.ask('stats');
        const done = await client([...extra]);
        const after = await child.ask('stats');
        const metrics: Record<string, number> = {
          rate: num(done, 'rate'),
          cpu: ((num(after, 'cpu') - num(before, 'cpu')) / num(done, 'count')) * 1e6,
        };
        if (name === one) {
          metrics.p50 = num(done, 'p50');
          metrics.p99 = num(done, 'p99');
        }
        results[name] = metrics;
      }
      return results;
    } finally {
      await child.close();
    }
  });
  for (const name of [one, many]) {
    section.ratio(name, 'rate', TT, RAW, { target: { op: '>=', value: 0.97 } });
    section.ratio(name, 'rate', TT, PY, { target: { op: '>=', value: 1.0 } });
    section.ratio(name, 'cpu', TT, RAW, { invert: true, chart: false });
  }
  return section.finish();
}
