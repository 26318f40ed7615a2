// The Agent's connections are the reactor's (issue 17's follow-up): reactor.stop() closes the
// pool's idle connections and fails the requests in flight through their Deferreds (Twisted's
// disconnectAll), so a program that used an Agent exits once its reactor has stopped. A child
// process runs the program against a Site this test serves (it needs the built package: `npm run
// build`, which `npm test` runs first); in-process tests on loopback check the failures.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import {
  Agent,
  ConnectionLost,
  HTTPConnectionPool,
  NOT_DONE_YET,
  Reactor,
  Resource,
  ResponseFailed,
  ResponseNeverReceived,
  Site,
  readBody,
  type Request,
} from '../../src/index.ts';
import { until } from '../support/wait.ts';
import { serveSite, type Served } from './support.ts';

/** How long a process may take to exit once it should: a bound, not a timing assertion. */
const PROMPTLY_MS = 10_000;

/** `/fast` answers, `/never` never does, `/partial` sends its head and part of a body once `/never` arrived. */
function testSite(): { site: Site; requests: Map<string, number> } {
  const requests = new Map<string, number>();
  let neverArrived: () => void = () => undefined;
  const arrived = new Promise<void>((r) => (neverArrived = r));
  class Root extends Resource {
    override isLeaf = true;
    render_GET(request: Request): string | typeof NOT_DONE_YET {
      const path = request.path.toString();
      requests.set(path, (requests.get(path) ?? 0) + 1);
      if (path === '/fast') return 'ok';
      if (path === '/never') {
        neverArrived();
        return NOT_DONE_YET;
      }
      void arrived.then(() => request.write('partial'));
      return NOT_DONE_YET;
    }
  }
  return { site: new Site(new Root()), requests };
}

let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

describe('an Agent when its reactor stops', () => {
  test('a child process that used a keep-alive Agent exits 0 by itself after reactor.stop()', async () => {
    const { site, requests } = testSite();
    served = await serveSite(site);
    const fixture = resolve(import.meta.dirname, 'fixtures/agent-shutdown.mjs');
    const child = spawn(process.execPath, [fixture, String(served.port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const bounded = await Promise.race([
      exited,
      new Promise<'hung'>((r) => setTimeout(() => r('hung'), PROMPTLY_MS)),
    ]);
    if (bounded === 'hung') child.kill('SIGKILL');
    expect({ bounded, stderr }).toEqual({ bounded: 0, stderr: '' });
    const lines = stdout.trim().split('\n');
    expect(lines).toEqual([
      'fast ok',
      'cached 1',
      'partial 200',
      'never failed ResponseNeverReceived(ConnectionLost)',
      'partial failed ResponseFailed(ConnectionLost)',
      'stopped, cached 0, TCP handles 0',
      'exit 0',
    ]);
    // No retry on a new connection once the reactor shut down.
    expect(requests.get('/never')).toBe(1);
    await until(() => served!.connections() === 0, "the server's connections to close");
  }, 30_000);

  test('idle connections close, in-flight requests errback with typed failures, nothing is retried', async () => {
    const { site, requests } = testSite();
    served = await serveSite(site);
    const reactor = new Reactor();
    const running = reactor.run({ installSignalHandlers: false });
    const pool = new HTTPConnectionPool(reactor);
    const agent = new Agent(reactor, { pool });
    await readBody(await agent.request('GET', served.url('/fast')));
    await until(() => pool.cachedConnections === 1, 'the connection to go back to the pool');
    const never = agent.request('GET', served.url('/never'));
    const partial = await agent.request('GET', served.url('/partial'));
    const body = readBody(partial);
    expect(reactor.getConnections().length).toBeGreaterThanOrEqual(2);
    reactor.stop();
    await running;
    const neverFailure = await never.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(neverFailure).toBeInstanceOf(ResponseNeverReceived);
    expect((neverFailure as ResponseNeverReceived).reasons[0].value).toBeInstanceOf(ConnectionLost);
    const bodyFailure = await body.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(bodyFailure).toBeInstanceOf(ResponseFailed);
    expect(pool.cachedConnections).toBe(0);
    expect(reactor.getConnections()).toEqual([]);
    expect(requests.get('/never')).toBe(1);
    await until(() => served!.connections() === 0, "the server's connections to close");
  });

  test('a request made in a before-shutdown trigger still completes', async () => {
    const { site } = testSite();
    served = await serveSite(site);
    const reactor = new Reactor();
    const running = reactor.run({ installSignalHandlers: false });
    const agent = new Agent(reactor, { pool: new HTTPConnectionPool(reactor) });
    let answer = '';
    reactor.addSystemEventTrigger('before', 'shutdown', async () => {
      answer = (await readBody(await agent.request('GET', served!.url('/fast')))).toString();
    });
    reactor.stop();
    await running;
    expect(answer).toBe('ok');
    expect(reactor.getConnections()).toEqual([]);
  });
});
