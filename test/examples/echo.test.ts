// examples/echo-server.ts and examples/echo-client.ts, run against each other.
import { describe, expect, test } from 'vitest';
import { runExample, runners, startExample } from './run-example.ts';

describe.each(runners)('echo server and client (%s)', (runner) => {
  test('the client gets every echo back and the server stops after --count', async () => {
    const server = startExample(
      'echo-server',
      ['--port', '0', '--count', '3', '--duration', '20'],
      /listening on 127\.0\.0\.1:(\d+)/,
      runner,
    );
    const port = (await server.match)[1];
    const client = await runExample('echo-client', ['--port', port, '--count', '3'], runner);
    expect(client.stdout).toMatch(/echo 1: "hello #1" in [\d.]+ ms/);
    expect(client.stdout).toMatch(/echo 3: "hello #3" in [\d.]+ ms/);
    expect(client.stdout).toContain('3/3 echoes received');
    expect(client.code).toBe(0);
    const done = await server.exit;
    expect(done.code).toBe(0);
    expect(done.stdout.match(/echoed 8 bytes to 127\.0\.0\.1:\d+: "hello #\d"/g)).toHaveLength(3);
    expect(done.stdout).toContain('echoed 3 datagram(s); stopped');
  });
});

test('the client reports a missing server and exits 1', async () => {
  // A port that was free a moment ago: bind one and let it go.
  const server = startExample(
    'echo-server',
    ['--port', '0', '--duration', '0'],
    /listening on 127\.0\.0\.1:(\d+)/,
  );
  const port = (await server.match)[1];
  await server.exit;
  const client = await runExample('echo-client', ['--port', port, '--count', '1', '--timeout', '0.3']);
  expect(client.stdout).toContain('echo 1: no answer within 0.3 s');
  expect(client.stdout).toContain('0/1 echoes received');
  expect(client.code).toBe(1);
});

test('the server stops by itself after --duration', async () => {
  const { code, stdout } = await runExample('echo-server', ['--port', '0', '--duration', '0.2']);
  expect(code).toBe(0);
  expect(stdout).toContain('0.2 s passed, echoed 0 datagram(s); stopped');
});
