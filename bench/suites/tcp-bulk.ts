/**
 * TCP bulk throughput: 1 GiB through one connection (64 MiB with --quick), both ways — a raw
 * node:net client sending to each contender's server (the contender receives), and each
 * contender's server sending to a raw node:net client (the contender writes through its flow
 * control: a push producer on twisted-ts and Twisted, `write()`/`'drain'` on node:net).
 *
 * @module
 */
import { Section, type SectionResult, type SuiteContext } from '../lib/results.ts';
import { PY, RAW, TT, num, runClient, startServer, tcpContenders } from './tcp-common.ts';

export async function run(ctx: SuiteContext): Promise<SectionResult> {
  const section = new Section(
    'tcp-bulk',
    'TCP bulk throughput',
    'One connection, 64 KiB writes. *receive*: a raw node:net client writes 1 GiB as fast as ' +
      "flow control allows, then half-closes; timed until the contender's server has read it all " +
      "and closed; the server counts bytes in `dataReceived` (`'data'` on node:net). *send*: the " +
      "contender's server writes 1 GiB to a raw node:net client through its flow control (a push " +
      'producer registered with `registerProducer` on twisted-ts and Twisted, `write()` until it ' +
      "returns false then `'drain'` on node:net), then closes; timed by the client from the first " +
      "byte to the close. Server CPU = the server process's user+system time per MB.",
    [
      { key: 'rate', label: 'throughput', unit: 'MB/s', better: 'higher' },
      { key: 'cpu', label: 'server CPU per MB', unit: 'ms', better: 'lower' },
    ],
  );
  if (ctx.python === null) section.skip(ctx.pythonMissing);
  const contenders = tcpContenders(ctx);
  const bytes = ctx.quick ? 32 * 1024 * 1024 : 1024 * 1024 * 1024;
  const receive = 'receive 1 GiB';
  const send = 'send 1 GiB';
  await section.alternateCases([receive, send], contenders, ctx.heavyRounds, async (contender) => {
    const results: Record<string, Record<string, number>> = {};
    for (const [name, mode, clientMode] of [
      [receive, 'sink', 'send'],
      [send, 'source', 'recv'],
    ] as const) {
      const { child, port } = await startServer(contender, mode, ['--bytes', String(bytes)]);
      try {
        const before = await child.ask('stats');
        const done = await runClient([
          '--mode',
          clientMode,
          '--port',
          String(port),
          '--bytes',
          String(bytes),
        ]);
        const after = await child.ask('stats');
        const mb = num(done, 'bytes') / 1e6;
        results[name] = {
          rate: num(done, 'rate'),
          cpu: ((num(after, 'cpu') - num(before, 'cpu')) / mb) * 1e3,
        };
      } finally {
        await child.close();
      }
    }
    return results;
  });
  for (const name of [receive, send]) {
    section.ratio(name, 'rate', TT, RAW, { target: { op: '>=', value: 0.97 } });
    section.ratio(name, 'rate', TT, PY, { target: { op: '>=', value: 1.0 } });
    section.ratio(name, 'cpu', TT, RAW, { invert: true, chart: false });
  }
  return section.finish();
}
