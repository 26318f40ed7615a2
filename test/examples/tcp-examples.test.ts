// The TCP examples, each run as a child process (as a user would: `node examples/<name>.ts`):
// echoserv/echoclient (Twisted's classics), the line chat server, and the reconnecting client.
import net from 'node:net';
import { describe, expect, test } from 'vitest';
import { runExample, runners, startExample } from './run-example.ts';

/** A port that was free a moment ago. */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

describe.each(runners)('echoserv and echoclient (%s)', (runner) => {
  test('the client prints the echo and both exit 0', async () => {
    const server = startExample(
      'echoserv',
      ['--port', '0', '--count', '1', '--duration', '20'],
      /listening on 127\.0\.0\.1:(\d+)/,
      runner,
    );
    const port = (await server.match)[1];
    const client = await runExample('echoclient', ['--port', port], runner);
    expect(client.stdout.split('\n')).toEqual([
      'Server said: hello, world!',
      'connection lost',
      'Connection lost - goodbye!',
      '',
    ]);
    expect(client.code).toBe(0);
    const done = await server.exit;
    expect(done.code).toBe(0);
    expect(done.stdout).toContain('stopped');
  }, 40_000);
});

test('echoclient without a server: "Connection failed", exit 1', async () => {
  const client = await runExample('echoclient', ['--port', String(await freePort())]);
  expect(client.stdout).toMatch(
    /^Connection failed - goodbye! \(Connection was refused by other side: .*ECONNREFUSED/,
  );
  expect(client.code).toBe(1);
});

test('chatserver: names, a taken name, lines relayed to the others', async () => {
  const server = startExample(
    'chatserver',
    ['--port', '0', '--count', '2', '--duration', '20'],
    /listening on 127\.0\.0\.1:(\d+)/,
  );
  const port = Number((await server.match)[1]);
  const connect = () => {
    const socket = net.connect(port, '127.0.0.1');
    const lines: string[] = [];
    let buffer = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      const parts = buffer.split('\r\n');
      buffer = parts.pop()!;
      lines.push(...parts);
    });
    const next = async (n: number): Promise<string[]> => {
      for (let i = 0; i < 200 && lines.length < n; i++) await new Promise((r) => setTimeout(r, 25));
      return lines.slice(0, n);
    };
    return { socket, lines, next };
  };
  const alice = connect();
  const bob = connect();
  expect(await alice.next(1)).toEqual(["What's your name?"]);
  alice.socket.write('alice\n');
  expect(await alice.next(2)).toEqual(["What's your name?", 'Welcome, alice!']);
  await bob.next(1);
  bob.socket.write('alice\r\nbob\r\n');
  expect(await bob.next(3)).toEqual([
    "What's your name?",
    'Name taken, please choose another.',
    'Welcome, bob!',
  ]);
  alice.socket.write('hi bob\n');
  expect((await bob.next(4))[3]).toBe('<alice> hi bob');
  alice.socket.destroy();
  bob.socket.destroy();
  await server.exit;
}, 40_000);

test('reconnecting-client retries until the server is there, then reconnects after each hang-up', async () => {
  const port = String(await freePort());
  const client = startExample(
    'reconnecting-client',
    ['--port', port, '--count', '2', '--initial-delay', '0.05', '--max-delay', '0.3'],
    /connection failed \(ConnectionRefusedError\); retry #2/,
  );
  await client.match; // two failed attempts first
  const server = startExample(
    'echoserv',
    ['--port', port, '--count', '2', '--duration', '20'],
    /listening on/,
  );
  await server.match;
  const done = await client.exit;
  expect(done.code).toBe(0);
  expect(done.stdout).toContain('answer 1: hello #1');
  expect(done.stdout).toContain('answer 2: hello #2');
  expect(done.stdout).toContain('done after 2 connections');
  expect((await server.exit).code).toBe(0);
}, 40_000);
