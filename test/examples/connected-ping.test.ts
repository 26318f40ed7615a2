// examples/connected-ping.ts: connected UDP, and connectionRefused() once the peer is gone.
import { describe, expect, test } from 'vitest';
import { runExample, runners } from './run-example.ts';

describe.each(runners)('examples/connected-ping.ts (%s)', (runner) => {
  test('pings through a connected port, then hears connectionRefused when the peer stops', async () => {
    const { code, stdout, stderr } = await runExample(
      'connected-ping',
      ['--count', '2', '--interval', '0.05'],
      runner,
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/pinger 127\.0\.0\.1:\d+ connected to 127\.0\.0\.1:\d+/);
    expect(stdout).toContain('ping 1 -> "pong 1"');
    expect(stdout).toContain('ping 2 -> "pong 2"');
    expect(stdout).toContain('peer stopped');
    expect(stdout).toMatch(/ping \d+ -> connectionRefused\(\): the peer answered with ICMP port-unreachable/);
    expect(stdout).toContain('done: 2 pong(s), 1 refusal(s)');
  });
});
