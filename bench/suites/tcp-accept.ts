/**
 * Connections accepted per second: a raw node:net client process opens connections 32 at a
 * time; each contender's server builds a protocol (a `net.Socket` handler on node:net), writes
 * one byte and closes.
 *
 * @module
 */
import { Section, type SectionResult, type SuiteContext } from '../lib/results.ts';
import { PY, RAW, TT, num, runClient, startServer, tcpContenders } from './tcp-common.ts';

export async function run(ctx: SuiteContext): Promise<SectionResult> {
  const section = new Section(
    'tcp-accept',
    'TCP connections accepted per second',
    'A server process per contender (twisted-ts: `listenTCP` with a factory whose protocol ' +
      "writes one byte in `connectionMade` and calls `loseConnection()`; raw node:net: a 'connection' " +
      "handler calling `socket.end('x')`; Python Twisted: the same protocol) and one raw node:net " +
      'client process opening connections 32 at a time, each read until the server closes it. ' +
      "Server CPU = the server process's user+system time per connection. A warm-up is not counted.",
    [
      { key: 'rate', label: 'connections/s', unit: '1/s', better: 'higher' },
      { key: 'cpu', label: 'server CPU per connection', unit: 'µs', better: 'lower' },
    ],
  );
  if (ctx.python === null) section.skip(ctx.pythonMissing);
  const contenders = tcpContenders(ctx);
  const count = ctx.quick ? 1_000 : 20_000;
  const warmup = ctx.quick ? 200 : 2_000;
  const name = 'accept, write 1 byte, close';
  await section.alternate(name, contenders, ctx.rounds, async (contender) => {
    const { child, port } = await startServer(contender, 'accept');
    try {
      const client = (n: number) =>
        runClient(['--mode', 'accept', '--port', String(port), '--count', String(n), '--concurrency', '32']);
      await client(warmup);
      const before = await child.ask('stats');
      const done = await client(count);
      const after = await child.ask('stats');
      if (num(done, 'failed') > 0) throw new Error(`${num(done, 'failed')} connections failed`);
      return {
        rate: num(done, 'rate'),
        cpu: ((num(after, 'cpu') - num(before, 'cpu')) / (num(after, 'count') - num(before, 'count'))) * 1e6,
      };
    } finally {
      await child.close();
    }
  });
  section.ratio(name, 'rate', TT, RAW, { target: { op: '>=', value: 0.97 } });
  section.ratio(name, 'rate', TT, PY, { target: { op: '>=', value: 1.0 } });
  section.ratio(name, 'cpu', TT, RAW, { invert: true, chart: false });
  return section.finish();
}
