// examples/dht-node.ts: KRPC-style nodes, one port each, with retries and timeouts.
import { describe, expect, test } from 'vitest';
import { runExample, runners } from './run-example.ts';

describe.each(runners)('examples/dht-node.ts (%s)', (runner) => {
  test('bootstraps, looks up an id past a dead peer (3 attempts), and prints what each node did', async () => {
    const { code, stdout, stderr } = await runExample(
      'dht-node',
      ['--nodes', '4', '--timeout', '0.2'],
      runner,
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.match(/^node\d id [0-9a-f]{8} on 127\.0\.0\.1:\d+$/gm)).toHaveLength(4);
    expect(stdout).toMatch(
      /node3 round 1: [0-9a-f]{8} gave up after 3 attempts \(Deferred timed out after 0\.2 seconds\)/,
    );
    // The table: node0 only served; node3 (the seeker) had 3 timeouts and 2 retries for the dead peer.
    const row = (name: string): number[] =>
      stdout
        .match(
          new RegExp(`^${name}\\s+\\d+\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)$`, 'm'),
        )!
        .slice(1)
        .map(Number);
    const [sent0, , , , served0] = row('node0');
    expect(sent0).toBe(0);
    expect(served0).toBeGreaterThanOrEqual(3);
    const [sent3, answered3, timeouts3, retries3] = row('node3');
    expect(timeouts3).toBe(3);
    expect(retries3).toBe(2);
    expect(sent3).toBe(answered3 + timeouts3);
    expect(stdout).toContain('every node used one UDP port for its queries and its answers');
  });
});
