/**
 * HTTP requests per second: keep-alive, 1 KiB responses, 64 connections, a two-level Resource
 * tree (`/api/item`). A server process per contender (a twisted-ts `Site`; a plain `node:http`
 * handler routing by hand; Python Twisted's `Site`) and one bounded Node load generator on raw
 * sockets (bench/procs/web-load.ts), identical for all.
 *
 * @module
 */
import { nodeChild, reportOf } from '../lib/child.ts';
import { withPython } from '../lib/contenders.ts';
import { Section, type SectionResult, type SuiteContext } from '../lib/results.ts';
import { PY, TT, num, startPeer } from './common.ts';

const NODE_HTTP = 'node:http';

function load(port: number, requests: number): Promise<Record<string, unknown>> {
  const client = nodeChild('load generator', 'web-load.ts', [
    '--port',
    String(port),
    '--connections',
    '64',
    '--requests',
    String(requests),
    '--seconds',
    '120',
  ]);
  return reportOf(client, 130_000);
}

export async function run(ctx: SuiteContext): Promise<SectionResult> {
  const section = new Section(
    'web',
    'HTTP requests per second',
    'A server process per contender answers `GET /api/item` with 1 KiB through a two-level ' +
      'resource tree (twisted-ts `Site` with `Resource.putChild`, no access log; a plain ' +
      '`node:http` handler that routes by splitting the path; Python Twisted 22.4 `Site` on ' +
      'epoll, no access log). One load generator process (raw sockets, 64 keep-alive ' +
      'connections, one request in flight on each) counts responses; requests/s is responses ' +
      "over wall time. Server CPU = the server process's user+system time per request. Each " +
      'server first answers a warm-up that is not counted.',
    [
      { key: 'rate', label: 'requests/s', unit: '1/s', better: 'higher' },
      { key: 'cpu', label: 'server CPU per request', unit: 'µs', better: 'lower' },
    ],
  );
  const contenders = withPython(ctx, section, [TT, NODE_HTTP], PY);
  const requests = ctx.quick ? 4_000 : 100_000;
  const warmup = ctx.quick ? 1_000 : 10_000;
  const name = 'keep-alive, 1 KiB, 64 connections';
  ctx.log('web: requests/s');
  await section.alternateCases([name], contenders, ctx.rounds, async (contender) => {
    // startPeer passes --impl tt for twisted-ts and --impl raw for the other Node contender.
    const { child, ready } = await startPeer(contender, 'web-server.ts', 'web_server.py', []);
    try {
      const port = Number(ready.port);
      await load(port, warmup);
      const before = await child.ask('stats');
      const done = await load(port, requests);
      const after = await child.ask('stats');
      const served = num(after, 'count') - num(before, 'count');
      if (Number(done.errors) > 0) throw new Error(`${String(done.errors)} errors in the load generator`);
      return {
        [name]: { rate: Number(done.rate), cpu: ((num(after, 'cpu') - num(before, 'cpu')) / served) * 1e6 },
      };
    } finally {
      await child.close();
    }
  });
  section.ratio(name, 'rate', TT, NODE_HTTP, { target: { op: '>=', value: 0.8 } });
  section.ratio(name, 'rate', TT, PY, { target: { op: '>=', value: 2.0 } });
  section.ratio(name, 'cpu', TT, NODE_HTTP, { invert: true, chart: false });
  return section.finish();
}
