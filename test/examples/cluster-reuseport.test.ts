// examples/cluster-reuseport.ts: workers sharing one port with reusePort, balanced by the kernel.
import { describe, expect, test } from 'vitest';
import { runExample, runners } from './run-example.ts';

describe.each(runners)('examples/cluster-reuseport.ts (%s)', (runner) => {
  test.skipIf(process.platform !== 'linux')(
    'every request is answered, by workers sharing the port, each client sticking to one worker (Linux SO_REUSEPORT)',
    async () => {
      const { code, stdout, stderr } = await runExample(
        'cluster-reuseport',
        ['--workers', '2', '--clients', '32', '--per-client', '2'],
        runner,
      );
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout).toMatch(/primary \d+: 2 workers on 127\.0\.0\.1:\d+ with reusePort/);
      const rows = [...stdout.matchAll(/^(\d)\s+(\d+)\s+(\d+)\s+(\d+)$/gm)].map((m) =>
        m.slice(1).map(Number),
      );
      expect(rows).toHaveLength(2);
      expect(rows[0][1]).not.toBe(rows[1][1]); // two processes
      expect(rows[0][2] + rows[1][2]).toBe(64); // together they handled every datagram
      expect(stdout).toContain('64/64 requests answered');
      // 32 client ports hashed over 2 workers: all on one worker has a chance of 2^-31.
      expect(stdout).toContain('2 of 2 workers got traffic');
      expect(stdout).toContain('32/32 client ports were always answered by the same worker');
    },
  );
});
