/**
 * `datagrams()` iterators cannot leak (issue 12, point 5): an iterator dropped without being
 * finished is garbage — the port holds it weakly while nobody awaits it — and holds nothing
 * before it is collected beyond what it buffered, in a buffer that grows only as needed. A loop
 * awaiting the next datagram, though, is held by the port and keeps receiving. Measured in a
 * child process with `--expose-gc` (fixtures/iterators.ts).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./fixtures/iterators.ts', import.meta.url));

describe('abandoned datagrams() iterators', () => {
  it('3,000 dropped iterators are collected, the heap does not grow by more than a few MB, a live loop goes on', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--expose-gc', '--experimental-strip-types', '--no-warnings', fixture],
      { timeout: 60_000 },
    );
    const result = JSON.parse(stdout.trim()) as {
      collected: number;
      grownBytes: number;
      live: number;
      sent: number;
    };
    console.log(
      `iterators: ${result.collected} of 3000 collected; heap grew ${(result.grownBytes / 1e6).toFixed(2)} MB; ` +
        `the live loop got ${result.live} of ${result.sent}`,
    );
    expect(result.collected).toBe(3000);
    expect(result.grownBytes).toBeLessThan(4 * 1024 * 1024);
    // Loopback can drop under load; the loop must still be there, receiving.
    expect(result.live).toBeGreaterThan(result.sent / 2);
  }, 90_000);
});
