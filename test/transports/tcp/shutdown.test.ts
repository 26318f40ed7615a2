/**
 * Streams and the reactor's life (DESIGN.md decision 6, API.md): shutdown stops every listening
 * port, then drops every connection (connectionLost with ConnectionLost), then the process exits
 * by itself; without run(), an open connection keeps the process alive as a Node socket does.
 * Real child processes run test/transports/tcp/fixtures/shutdown.mjs against the built package.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Deferred } from '../../../src/defer/deferred.ts';
import { ConnectError, ConnectionLost } from '../../../src/errors.ts';
import { captureLogPerTest, ClientRecorder, connectedPair, newReactor, Recording } from './helpers.ts';

const fixture = resolve(import.meta.dirname, 'fixtures/shutdown.mjs');

function run(scenario: string): Promise<{ code: number | null; lines: string[]; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [fixture, scenario], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      done({ code, lines: out.trim().split('\n'), stderr: err });
    });
  });
}

captureLogPerTest();

describe('in a child process', () => {
  it('stop(): ports first, then connections (ConnectionLost), then the process exits by itself', async () => {
    const { code, lines, stderr } = await run('stop');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const at = (line: string): number => {
      const i = lines.indexOf(line);
      expect(i, `"${line}" in ${JSON.stringify(lines)}`).toBeGreaterThanOrEqual(0);
      return i;
    };
    expect(at('port stopping')).toBeLessThan(at('lost server ConnectionLost'));
    expect(at('port stopping')).toBeLessThan(at('lost client ConnectionLost'));
    expect(at('lost client ConnectionLost')).toBeLessThan(at('clientConnectionLost ConnectionLost'));
    expect(at('lost server ConnectionLost')).toBeLessThan(at('after shutdown'));
    expect(at('clientConnectionLost ConnectionLost')).toBeLessThan(at('after shutdown'));
    expect(at('run resolved')).toBeLessThan(at('exit 0'));
  });

  it('without run(): an open connection keeps the process alive until it closes', async () => {
    const { code, lines } = await run('keepalive');
    expect(code).toBe(0);
    expect(lines).toEqual([
      'made server',
      'made client',
      'port stopped',
      expect.stringMatching(/^lost (server|client) ConnectionDone$/),
      expect.stringMatching(/^lost (server|client) ConnectionDone$/),
      'clientConnectionLost ConnectionDone',
      'exit 0',
    ]);
  });
});

describe('in this process', () => {
  it('stop() ends open connections and pending attempts, and run() resolves', async () => {
    const reactor = newReactor();
    const { server, client } = await connectedPair(
      reactor,
      () => new Recording(),
      () => new Recording(),
    );
    const pending = new ClientRecorder(() => new Recording());
    // A name that never resolves keeps this attempt pending until shutdown ends it.
    reactor.installResolver({ getHostByName: () => new Deferred<string>() });
    reactor.connectTCP('never.test', 80, pending);
    const running = reactor.run({ installSignalHandlers: false });
    reactor.stop();
    await running;
    expect((await server.lost.asPromise()).value).toBeInstanceOf(ConnectionLost);
    expect((await client.lost.asPromise()).value).toBeInstanceOf(ConnectionLost);
    const failed = await pending.failed.asPromise();
    expect(failed.value).toBeInstanceOf(ConnectError);
    expect(failed.value.message).toContain('shut down');
    expect(reactor.getListeningPorts()).toEqual([]);
    expect(reactor.getConnections()).toEqual([]);
  });
});
