// examples/async-iterator.ts: for await over port.datagrams(), and its bounded buffer.
import { describe, expect, test } from 'vitest';
import { runExample, runners } from './run-example.ts';

describe.each(runners)('examples/async-iterator.ts (%s)', (runner) => {
  test('serves with for-await, ends the loop when the port stops, and drops the oldest beyond highWaterMark', async () => {
    const { code, stdout, stderr } = await runExample(
      'async-iterator',
      ['--count', '3', '--burst', '10', '--high-water-mark', '3'],
      runner,
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    for (const n of [1, 2, 3])
      expect(stdout).toMatch(new RegExp(`client got "MESSAGE ${n}" from 127\\.0\\.0\\.1:\\d+`));
    expect(stdout).toContain('server loop ended after serving 3 datagram(s)');
    expect(stdout).toContain('burst of 10: the reader got 3 (burst 8, burst 9, burst 10)');
    expect(stdout).toContain('drops counted by the port: 7 (highWaterMark 3, oldest dropped first)');
  });
});
