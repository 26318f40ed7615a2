// examples/deferred-retry.ts: timeouts, retries with backoff, and cancellation that stops sending.
import { describe, expect, test } from 'vitest';
import { runExample, runners } from './run-example.ts';

describe.each(runners)('examples/deferred-retry.ts (%s)', (runner) => {
  test('retries past two drops, gives up after --attempts, and cancels through an AbortSignal', async () => {
    const { code, stdout, stderr } = await runExample('deferred-retry', ['--attempts', '3'], runner);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const [, first, second, third] = stdout.split(/\n\d\. /);
    expect(first).toContain('attempt 1 timed out; next in 0.05 s');
    expect(first).toContain('attempt 2 timed out; next in 0.10 s');
    expect(first).toContain('result: "pong to ping #3"');
    expect(first).toContain('the server received 3 request(s); nothing was sent after the outcome');
    expect(second).toContain('gave up after 3 attempts: Deferred timed out after 0.15 seconds');
    expect(second).toContain('the server received 3 request(s); nothing was sent after the outcome');
    expect(third).toMatch(/cancelled after [\d.]+ s/);
    expect(third).toContain('nothing was sent after the outcome');
  });
});
