// examples/dht-node.ts: BEP 5 nodes, one port each, with retries and timeouts; the demo, and single
// nodes in separate processes talking to each other and to a raw socket sending malformed queries.
import { createSocket } from 'node:dgram';
import { describe, expect, test } from 'vitest';
import { bdecode, bencode, type BDict, type BValue } from '../../examples/dht/bencode.ts';
import { runExample, runners, watchExample } from './run-example.ts';

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

describe('examples/dht-node.ts as one node (BEP 5 between twisted-ts processes)', () => {
  const hashA = 'aa'.repeat(20);

  test('a node announces through a bootstrap node and a third finds it with get_peers', async () => {
    const a = watchExample('dht-node', ['--port', '0', '--duration', '30']);
    const [, portA] = await a.waitFor(/dht node [0-9a-f]{40} on 127\.0\.0\.1:(\d+)/);
    try {
      const b = watchExample('dht-node', [
        '--port',
        '0',
        '--bootstrap',
        `127.0.0.1:${portA}`,
        '--announce',
        `${hashA}:7002`,
        '--duration',
        '10',
      ]);
      await b.waitFor(/bootstrap from 127\.0\.0\.1:\d+: 1 node\(s\) known/);
      await b.waitFor(/announced a{40} port 7002 to 1 node\(s\)/);
      await a.waitFor(
        new RegExp(
          `stored peer 127\\.0\\.0\\.1:7002 for ${hashA} \\(announce_peer from 127\\.0\\.0\\.1:\\d+\\)`,
        ),
      );
      const c = await runExample('dht-node', [
        '--port',
        '0',
        '--bootstrap',
        `127.0.0.1:${portA}`,
        '--get-peers',
        hashA,
        '--duration',
        '0',
      ]);
      expect(c.stderr).toBe('');
      expect(c.code).toBe(0);
      expect(c.stdout).toContain(`peers for ${hashA}: 127.0.0.1:7002`);
      await b.stop();
    } finally {
      const done = await a.stop();
      expect(done.code).toBe(0); // SIGTERM stops the reactor cleanly
      expect(done.stdout).toMatch(/stopping: sent 0, answered 0, timeouts 0, served \d+, refused 0/);
    }
  }, 60_000);

  test('malformed queries get KRPC error 203 (204 for an unknown method); garbage gets nothing; the node goes on', async () => {
    const a = watchExample('dht-node', ['--port', '0', '--duration', '30']);
    const [, portA] = await a.waitFor(/dht node [0-9a-f]{40} on 127\.0\.0\.1:(\d+)/);
    const socket = createSocket('udp4');
    try {
      await new Promise<void>((done) => socket.bind(0, '127.0.0.1', done));
      const ask = (message: BValue | Buffer): Promise<BDict | undefined> =>
        new Promise((done) => {
          const timer = setTimeout(() => {
            socket.off('message', onMessage);
            done(undefined);
          }, 1_000);
          const onMessage = (msg: Buffer): void => {
            clearTimeout(timer);
            socket.off('message', onMessage);
            done(bdecode(msg) as BDict);
          };
          socket.on('message', onMessage);
          socket.send(Buffer.isBuffer(message) ? message : bencode(message), Number(portA), '127.0.0.1');
        });
      const id = Buffer.alloc(20, 7);
      const q = (t: string, method: string, a?: BDict): BDict => ({
        t: Buffer.from(t),
        y: Buffer.from('q'),
        q: Buffer.from(method),
        ...(a ? { a } : {}),
      });
      const error = (answer: BDict | undefined): [number, string] => {
        expect(answer?.y?.toString()).toBe('e');
        const [code, text] = answer!.e as [number, Buffer];
        return [code, text.toString()];
      };

      const noArgs = await ask(q('t1', 'ping'));
      expect(noArgs?.t?.toString()).toBe('t1');
      expect(error(noArgs)).toEqual([203, "missing 'a' (arguments) dictionary"]);
      expect(error(await ask(q('t2', 'ping', { id: Buffer.from('short') })))).toEqual([
        203,
        "invalid 'id': must be 20 bytes",
      ]);
      expect(error(await ask(q('t3', 'find_node', { id, target: 5 })))).toEqual([
        203,
        "invalid 'target': must be 20 bytes",
      ]);
      expect(error(await ask(q('t4', 'get_peers', { id })))).toEqual([
        203,
        "invalid 'info_hash': must be 20 bytes",
      ]);
      expect(
        error(
          await ask(q('t5', 'announce_peer', { id, info_hash: id, port: 1, token: Buffer.from('forged') })),
        ),
      ).toEqual([203, 'bad token']);
      expect(error(await ask({ t: Buffer.from('t6'), y: Buffer.from('x') }))).toEqual([
        203,
        "missing or unknown 'y' (message type)",
      ]);
      expect(error(await ask(q('t7', 'vote', { id })))).toEqual([204, 'method unknown: vote']);
      expect(await ask(Buffer.from('not bencoding at all'))).toBeUndefined();
      expect(await ask(Buffer.from('d1:t2:t8e' + 'junk'))).toBeUndefined();

      // A token from get_peers is accepted by announce_peer, with implied_port: the source port.
      const peers = await ask(q('t9', 'get_peers', { id, info_hash: id }));
      expect(peers?.y?.toString()).toBe('r');
      const token = (peers!.r as BDict).token as Buffer;
      const announced = await ask(
        q('ta', 'announce_peer', { id, info_hash: id, port: 9, implied_port: 1, token }),
      );
      expect(announced?.y?.toString()).toBe('r');
      const again = await ask(q('tb', 'get_peers', { id: Buffer.alloc(20, 8), info_hash: id }));
      const values = ((again!.r as BDict).values as Buffer[]).map(
        (v) => `${[...v.subarray(0, 4)].join('.')}:${v.readUInt16BE(4)}`,
      );
      expect(values).toEqual([`127.0.0.1:${socket.address().port}`]);
      expect((await ask(q('tc', 'ping', { id })))?.y?.toString()).toBe('r');
    } finally {
      socket.close();
      const done = await a.stop();
      expect(done.code).toBe(0);
      expect(done.stderr).toBe('');
      expect(done.stdout).toContain('error 203 to 127.0.0.1:');
      expect(done.stdout).toMatch(/refused 7;/);
    }
  }, 30_000);

  test('--help prints the usage and exits 0; a bad option exits 2 with the usage', async () => {
    const help = await runExample('dht-node', ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: node examples\/dht-node\.ts/);
    const bad = await runExample('dht-node', ['--bootstrap', 'router.bittorrent.com:6881']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--bootstrap wants an IPv4 address and a port');
  });
});
