/**
 * Nothing outlives the reactor (issue 12, point 9): a port opened from a `'shutdown'` listener,
 * from an `after shutdown` trigger, or once shutdown is over, is refused with
 * `ReactorNotRunning` and nothing stays bound — the process is not held open. Child processes
 * prove the last part: each must exit by itself.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DatagramProtocol, ReactorNotRunning, Reactor } from '../../src/index.ts';
import { canBind } from '../support/can-bind.ts';

const fixture = fileURLToPath(new URL('./fixtures/after-shutdown.ts', import.meta.url));

async function runScenario(scenario: string): Promise<{ lines: Record<string, unknown>[]; ms: number }> {
  const started = Date.now();
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--experimental-strip-types', '--no-warnings', fixture, scenario],
    { timeout: 10_000 },
  );
  return {
    lines: stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>),
    ms: Date.now() - started,
  };
}

describe('after shutdown', () => {
  it('listenUDP and listenMulticast on a reactor that has shut down throw ReactorNotRunning; nothing is bound', async () => {
    const reactor = new Reactor();
    const done = reactor.run({ installSignalHandlers: false });
    reactor.callWhenRunning(() => reactor.stop());
    await done;
    const probe = new Reactor().listenUDP(0, new DatagramProtocol(), '127.0.0.1');
    const number = probe.getHost().port;
    await probe.stopListening();
    const proto = new DatagramProtocol();
    expect(() => reactor.listenUDP(number, proto, '127.0.0.1')).toThrow(ReactorNotRunning);
    expect(() => reactor.listenMulticast(0, new DatagramProtocol())).toThrow(ReactorNotRunning);
    expect(proto.transport).toBeUndefined();
    expect(reactor.getListeningPorts()).toEqual([]);
    expect(await canBind('udp4', number, '127.0.0.1')).toBe(true);
  });

  it.each(['shutdownListener', 'afterTrigger', 'later'])(
    'a port opened from %s is refused and the process exits by itself',
    async (scenario) => {
      const { lines } = await runScenario(scenario);
      expect(lines).toContainEqual({ refused: 'ReactorNotRunning' });
      expect(lines.at(-1)).toEqual({ exit: 0 });
    },
    30_000,
  );
});
