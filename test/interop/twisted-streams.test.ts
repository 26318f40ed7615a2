/**
 * Interop with Python Twisted's framing protocols: a Twisted LineReceiver, Int32StringReceiver
 * and NetstringReceiver (test/interop/twisted_stream_peer.py, run by /usr/bin/python3) against
 * ours, each side as server and as client, with messages of every size the protocols allow —
 * empty ones, a line split over writes, strings whose echo is MAX_LENGTH (99,999) bytes — and Twisted's MAX_LENGTH enforced
 * on what we send. Everything stays on 127.0.0.1. Skipped, with the reason, when Python Twisted
 * is not installed.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ConnectionDone } from '../../src/errors.ts';
import type { Failure } from '../../src/failure.ts';
import { Int32StringReceiver } from '../../src/protocols/basic/int-n-string-receiver.ts';
import { LineReceiver } from '../../src/protocols/basic/line-receiver.ts';
import { NetstringReceiver } from '../../src/protocols/basic/netstring-receiver.ts';
import { ClientFactory } from '../../src/protocols/client-factory.ts';
import { Factory } from '../../src/protocols/factory.ts';
import type { IPv4Address } from '../../src/transports/address.ts';
import { cleanup, newReactor, until } from '../transports/tcp/helpers.ts';

const PYTHON = '/usr/bin/python3';
const PEER = fileURLToPath(new URL('./twisted_stream_peer.py', import.meta.url));
const hasTwisted = spawnSync(PYTHON, ['-c', 'import twisted']).status === 0;

type Event = { event: string; port?: number; data?: string; reason?: string };

const peers: ChildProcessWithoutNullStreams[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) {
    p.stdin.end('quit\n');
    setTimeout(() => p.kill('SIGKILL'), 1000).unref();
  }
  await cleanup();
});

/** Starts the Python peer; `events` fills as it reports. */
function python(args: string[]): {
  events: Event[];
  wait: (what: string, test: (e: Event) => boolean) => Promise<Event>;
} {
  const child = spawn(PYTHON, [PEER, ...args], { stdio: 'pipe' }) as ChildProcessWithoutNullStreams;
  peers.push(child);
  const events: Event[] = [];
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  createInterface({ input: child.stdout }).on('line', (l) => events.push(JSON.parse(l) as Event));
  return {
    events,
    async wait(what, test) {
      await until(() => events.some(test), `${what} from the Python peer (stderr: ${stderr})`, 15_000);
      return events.find(test)!;
    },
  };
}

const b64 = (b: Buffer) => b.toString('base64');
const scratch = mkdtempSync(join(tmpdir(), 'twisted-ts-interop-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let files = 0;
/** The messages for the Python client, in a file: they are too big for a command line. */
function messagesFile(list: Buffer[]): string {
  const path = join(scratch, `messages-${files++}.json`);
  writeFileSync(path, JSON.stringify(list.map(b64)));
  return path;
}
const messages = {
  line: ['hello', '', 'x'.repeat(10_000), 'caf\u00e9 \u2615', 'last'].map((s) => Buffer.from(s)),
  int32: [
    Buffer.alloc(0),
    Buffer.from('a'),
    Buffer.alloc(255, 1),
    Buffer.alloc(65_536, 2),
    Buffer.alloc(99_994, 3),
  ],
  netstring: [Buffer.alloc(0), Buffer.from('4:1:a,,'), Buffer.alloc(99_994, 4)],
};

type Kind = keyof typeof messages;

/** Our side: sends `send` (all at once) and collects what comes back, or echoes as the Python server does. */
function ours(kind: Kind, role: 'server' | 'client', send: Buffer[] = []) {
  const got: Buffer[] = [];
  let lost: Failure | undefined;
  const Base = kind === 'line' ? LineReceiver : kind === 'int32' ? Int32StringReceiver : NetstringReceiver;
  class Ours extends (Base as typeof LineReceiver) {
    override connectionMade(): void {
      for (const m of send) this.#send(m);
    }
    #send(m: Buffer): void {
      if (kind === 'line') this.sendLine(m);
      else (this as unknown as Int32StringReceiver).sendString(m);
    }
    #message(data: Buffer): void {
      got.push(Buffer.from(data));
      if (role === 'server') this.#send(Buffer.concat([Buffer.from('echo:'), data]));
    }
    override lineReceived(line: Buffer): void {
      this.#message(line);
    }
    stringReceived(s: Buffer): void {
      this.#message(s);
    }
    override connectionLost(reason: Failure): void {
      lost = reason;
    }
  }
  return { Ours: Ours as unknown as typeof LineReceiver, got, lost: () => lost };
}

describe.skipIf(!hasTwisted).each(['line', 'int32', 'netstring'] as const)(
  '%s framing with Python Twisted',
  (kind) => {
    it('our client, Twisted server: every message echoed, in order', async () => {
      const peer = python(['--role', 'server', '--proto', kind]);
      const { port } = await peer.wait('listening', (e) => e.event === 'listening');
      const reactor = newReactor();
      const side = ours(kind, 'client', messages[kind]);
      reactor.connectTCP('127.0.0.1', port!, ClientFactory.forProtocol(side.Ours));
      await until(() => side.got.length === messages[kind].length, 'every echo', 15_000);
      expect(side.got.map(b64)).toEqual(
        messages[kind].map((m) => b64(Buffer.concat([Buffer.from('echo:'), m]))),
      );
    });

    it('Twisted client, our server: Twisted gets every echo', async () => {
      const reactor = newReactor();
      const side = ours(kind, 'server');
      const port = reactor.listenTCP(0, Factory.forProtocol(side.Ours), { interface: '127.0.0.1' });
      const peer = python([
        '--role',
        'client',
        '--proto',
        kind,
        '--port',
        String((port.getHost() as IPv4Address).port),
        '--messages-file',
        messagesFile(messages[kind]),
      ]);
      await peer.wait('done', (e) => e.event === 'done');
      const echoes = peer.events.filter((e) => e.event === 'received').map((e) => e.data);
      expect(echoes).toEqual(messages[kind].map((m) => b64(Buffer.concat([Buffer.from('echo:'), m]))));
      expect(side.got.map(b64)).toEqual(messages[kind].map(b64));
      await until(() => side.lost() !== undefined, 'the end of the connection');
      expect(side.lost()!.value).toBeInstanceOf(ConnectionDone);
    });
  },
);

describe.skipIf(!hasTwisted)('limits across implementations', () => {
  it("a line over Twisted's MAX_LENGTH gets our client dropped, and nothing after it is handled", async () => {
    const peer = python(['--role', 'server', '--proto', 'line', '--max-length', '100']);
    const { port } = await peer.wait('listening', (e) => e.event === 'listening');
    const reactor = newReactor();
    const side = ours('line', 'client', [Buffer.from('ok'), Buffer.alloc(200, 0x61), Buffer.from('never')]);
    reactor.connectTCP('127.0.0.1', port!, ClientFactory.forProtocol(side.Ours));
    await until(() => side.lost() !== undefined, 'the drop', 15_000);
    const received = peer.events
      .filter((e) => e.event === 'received')
      .map((e) => Buffer.from(e.data!, 'base64').toString());
    expect(received).toEqual(['ok']);
  });

  it('a Twisted line split across our writes arrives whole', async () => {
    const peer = python(['--role', 'server', '--proto', 'line']);
    const { port } = await peer.wait('listening', (e) => e.event === 'listening');
    const reactor = newReactor();
    const got: string[] = [];
    class Splitter extends LineReceiver {
      override connectionMade(): void {
        for (const piece of ['sp', 'lit li', 'ne\r', '\nsecond\r\n'])
          this.transport.write(Buffer.from(piece));
      }
      override lineReceived(line: Buffer): void {
        got.push(line.toString());
      }
    }
    reactor.connectTCP('127.0.0.1', port!, ClientFactory.forProtocol(Splitter));
    await until(() => got.length === 2, 'both echoes', 15_000);
    expect(got).toEqual(['echo:split line', 'echo:second']);
  });
});
