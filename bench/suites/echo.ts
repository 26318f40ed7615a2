/**
 * UDP echo: a client process (raw node:dgram, the same for every server) against an echo server
 * process per contender, ping-pong (one in flight: latency) and windowed (64 in flight:
 * throughput), on IPv4 (127.0.0.1) and IPv6 (::1).
 *
 * @module
 */
import { nodeChild, reportOf } from '../lib/child.ts';
import { Section, type SuiteContext, type SectionResult } from '../lib/results.ts';
import { PY, RAW, TT, num, startPeer, udpContenders } from './common.ts';

function runClient(args: string[]): Promise<Record<string, unknown>> {
  return reportOf(nodeChild('echo client', 'echo-client.ts', args), 60_000);
}

export async function run(ctx: SuiteContext): Promise<SectionResult> {
  const section = new Section(
    'echo',
    'UDP echo round trips',
    'An echo server process per contender (twisted-ts `transport.write(data, addr)` in ' +
      '`datagramReceived`; raw dgram `socket.send(msg, rinfo.port, rinfo.address)` in its ' +
      "`'message'` handler; Twisted's `self.transport.write(data, addr)`) and one client process " +
      '(raw node:dgram, identical for all) sending 64-byte datagrams. *ping-pong*: one datagram in ' +
      'flight, every round trip timed; *windowed*: 64 in flight. Server CPU = the server ' +
      "process's user+system time per round trip. Each server first echoes 5,000 datagrams that " +
      'are not counted (warm-up).',
    [
      { key: 'rate', label: 'round trips/s', unit: '1/s', better: 'higher' },
      { key: 'p50', label: 'p50 latency', unit: 'µs', better: 'lower' },
      { key: 'p99', label: 'p99 latency', unit: 'µs', better: 'lower' },
      { key: 'cpu', label: 'server CPU per round trip', unit: 'µs', better: 'lower' },
    ],
  );
  const contenders = udpContenders(ctx, section);
  const pingCount = ctx.quick ? 3_000 : 10_000;
  const windowCount = ctx.quick ? 10_000 : 60_000;
  const warmup = ctx.quick ? 1_000 : 5_000;
  for (const family of [4, 6]) {
    const host = family === 6 ? '::1' : '127.0.0.1';
    const ping = `ping-pong, IPv${family}`;
    const windowed = `windowed 64, IPv${family}`;
    ctx.log(`echo: IPv${family}`);
    await section.alternateCases([ping, windowed], contenders, ctx.rounds, async (contender) => {
      const { child, ready } = await startPeer(contender, 'echo-server.ts', 'echo_server.py', [
        '--family',
        String(family),
      ]);
      try {
        const results: Record<string, Record<string, number>> = {};
        // Warm up first (not counted): steady state, not V8 compiling the server's hot path.
        await runClient([
          '--host',
          host,
          '--port',
          String(ready.port),
          '--mode',
          'window',
          '--count',
          String(warmup),
        ]);
        for (const [name, args] of [
          [ping, ['--mode', 'pingpong', '--count', String(pingCount)]],
          [windowed, ['--mode', 'window', '--window', '64', '--count', String(windowCount)]],
        ] as const) {
          const before = await child.ask('stats');
          const done = await runClient(['--host', host, '--port', String(ready.port), ...args]);
          const after = await child.ask('stats');
          const echoed = num(after, 'count') - num(before, 'count');
          const metrics: Record<string, number> = {
            rate: Number(done.rate),
            cpu: ((num(after, 'cpu') - num(before, 'cpu')) / echoed) * 1e6,
          };
          if (name === ping) {
            metrics.p50 = Number(done.p50);
            metrics.p99 = Number(done.p99);
          }
          results[name] = metrics;
        }
        return results;
      } finally {
        await child.close();
      }
    });
    for (const name of [ping, windowed]) {
      section.ratio(name, 'rate', TT, RAW, { target: { op: '>=', value: 0.97 } });
      section.ratio(name, 'rate', TT, PY, { target: { op: '>=', value: 1.0 } });
      section.ratio(name, 'cpu', TT, RAW, { invert: true, chart: false });
    }
  }
  return section.finish();
}
