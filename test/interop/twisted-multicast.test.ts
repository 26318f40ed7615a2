/**
 * Interop with Python Twisted (the seed's scenario): a twisted-ts port and a Python Twisted
 * `listenMulticast(port, proto, listenMultiple=True)` share one port, in either start order, both
 * receive every datagram sent to the group, and each answers the other through its own
 * transport. The peer is test/interop/twisted_peer.py, run by /usr/bin/python3 as a child
 * process. Everything stays on 127.0.0.1 (joins, outgoing interface, TTL 1).
 *
 * Skipped, with the reason, when Python Twisted is not installed (CI installs python3-twisted).
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CannotListenError } from '../../src/errors.ts';
import type { AddressTuple } from '../../src/interfaces.ts';
import { DatagramProtocol } from '../../src/protocols/datagram-protocol.ts';
import { Reactor } from '../../src/reactor/reactor.ts';
import type { MulticastPort } from '../../src/transports/udp/multicast-port.ts';

const PYTHON = '/usr/bin/python3';
const PEER = fileURLToPath(new URL('./twisted_peer.py', import.meta.url));
const GROUP = '225.0.74.74';
const LOOPBACK = '127.0.0.1';
const WAIT_MS = 8000;

const twistedCheck = spawnSync(PYTHON, ['-c', 'import twisted; print(twisted.__version__)'], {
  encoding: 'utf8',
});
const twistedVersion = twistedCheck.status === 0 ? twistedCheck.stdout.trim() : undefined;
const SKIP_REASON = `Python Twisted is not importable by ${PYTHON} (install python3-twisted)`;

type PeerEvent = {
  event: string;
  port?: number;
  data?: string;
  host?: string;
  errno?: number;
  error?: string;
};

/** The Python peer: its events as they come, and a way to wait for one. */
class PythonPeer {
  readonly events: PeerEvent[] = [];
  readonly stderr: string[] = [];
  private readonly child: ChildProcessWithoutNullStreams;
  private waiters: { match: (e: PeerEvent) => boolean; resolve: (e: PeerEvent) => void }[] = [];
  readonly exited: Promise<number | null>;

  constructor(port: number, listenMultiple = true) {
    this.child = spawn(PYTHON, [
      PEER,
      '--port',
      String(port),
      '--group',
      GROUP,
      '--listen-multiple',
      listenMultiple ? '1' : '0',
      '--lifetime',
      '30',
    ]);
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const event = JSON.parse(line) as PeerEvent;
      this.events.push(event);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(event)) return true;
        w.resolve(event);
        return false;
      });
    });
    this.child.stderr.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
  }

  /** The first event (past or future) that matches; fails after WAIT_MS with what the peer said. */
  waitFor(match: (e: PeerEvent) => boolean, what: string): Promise<PeerEvent> {
    const past = this.events.find(match);
    if (past !== undefined) return Promise.resolve(past);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error(
            `Python peer: no ${what} within ${WAIT_MS} ms; events ${JSON.stringify(this.events)}; stderr ${this.stderr.join('')}`,
          ),
        );
      }, WAIT_MS);
      this.waiters.push({
        match,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }

  received(data: string): Promise<PeerEvent> {
    return this.waitFor((e) => e.event === 'received' && e.data === data, `datagram ${JSON.stringify(data)}`);
  }

  command(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  /** Asks it to quit; kills it (by its own pid) if it does not within a second. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.stdin.end('quit\n');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 1000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** The twisted-ts side: records what it receives and answers as the Python peer does. */
class TsPeer extends DatagramProtocol<MulticastPort> {
  readonly received: { data: string; addr: AddressTuple }[] = [];
  private waiters: { data: string; resolve: (addr: AddressTuple) => void }[] = [];

  override datagramReceived(datagram: Buffer, addr: AddressTuple): void {
    const data = datagram.toString();
    this.received.push({ data, addr });
    this.waiters = this.waiters.filter((w) => {
      if (w.data !== data) return true;
      w.resolve(addr);
      return false;
    });
    const port = this.transport.getHost().port;
    if (data.startsWith('ping:')) this.transport.write(Buffer.from(`pong:ts:${data.slice(5)}`), addr);
    else if (data.startsWith('hello:py:'))
      this.transport.write(Buffer.from(`reply:ts:${data.slice(9)}`), [GROUP, port]);
  }

  /** Resolves with the sender once `data` has arrived. */
  got(data: string): Promise<AddressTuple> {
    const past = this.received.find((r) => r.data === data);
    if (past !== undefined) return Promise.resolve(past.addr);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`twisted-ts peer: no ${JSON.stringify(data)}`)),
        WAIT_MS,
      );
      this.waiters.push({
        data,
        resolve: (addr) => {
          clearTimeout(timer);
          resolve(addr);
        },
      });
    });
  }
}

let reactor: Reactor;
const peers: PythonPeer[] = [];

beforeEach(() => {
  reactor = new Reactor();
});

afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.stop()));
  await Promise.all(reactor.getListeningPorts().map((p) => p.stopListening().asPromise()));
});

function startPython(port: number, listenMultiple = true): PythonPeer {
  const peer = new PythonPeer(port, listenMultiple);
  peers.push(peer);
  return peer;
}

async function startTs(port: number): Promise<{ ts: TsPeer; port: MulticastPort }> {
  const ts = new TsPeer();
  const mc = reactor.listenMulticast(port, ts, { listenMultiple: true });
  mc.setTTL(1);
  await mc.setOutgoingInterface(LOOPBACK);
  await mc.joinGroup(GROUP, LOOPBACK);
  return { ts, port: mc };
}

/** A third party on its own port: sends to the group and collects the answers. */
async function probe(): Promise<{
  port: MulticastPort;
  answers: Map<string, AddressTuple>;
  next: (n: number) => Promise<void>;
}> {
  const answers = new Map<string, AddressTuple>();
  let wanted: { n: number; resolve: () => void } | undefined;
  class Probe extends DatagramProtocol<MulticastPort> {
    override datagramReceived(datagram: Buffer, addr: AddressTuple): void {
      answers.set(datagram.toString(), addr);
      if (wanted !== undefined && answers.size >= wanted.n) wanted.resolve();
    }
  }
  const port = reactor.listenMulticast(0, new Probe());
  port.setTTL(1);
  await port.setOutgoingInterface(LOOPBACK);
  const next = (n: number): Promise<void> =>
    answers.size >= n
      ? Promise.resolve()
      : new Promise((resolve, reject) => {
          const timer = setTimeout(
            () =>
              reject(new Error(`probe: ${answers.size} of ${n} answers: ${[...answers.keys()].join(', ')}`)),
            WAIT_MS,
          );
          wanted = {
            n,
            resolve: () => {
              clearTimeout(timer);
              resolve();
            },
          };
        });
  return { port, answers, next };
}

async function exercise(python: PythonPeer, ts: TsPeer, shared: number): Promise<void> {
  // 1. Both receive every datagram a third party sends to the group, and each answers it
  //    through its own transport: the answers come from the shared port.
  const p = await probe();
  for (const n of [1, 2, 3]) p.port.write(Buffer.from(`ping:${n}`), [GROUP, shared]);
  await Promise.all([1, 2, 3].flatMap((n) => [python.received(`ping:${n}`), ts.got(`ping:${n}`)]));
  await p.next(6);
  for (const n of [1, 2, 3]) {
    expect(p.answers.get(`pong:py:${n}`)).toEqual([LOOPBACK, shared]);
    expect(p.answers.get(`pong:ts:${n}`)).toEqual([LOOPBACK, shared]);
  }
  const fromProbe = (await python.received('ping:1')) as PeerEvent;
  expect([fromProbe.host, fromProbe.port]).toEqual([LOOPBACK, p.port.getHost().port]);

  // 2. Python → twisted-ts through Python's transport; twisted-ts answers through its own.
  python.command('send hello:py:1');
  expect(await ts.got('hello:py:1')).toEqual([LOOPBACK, shared]);
  await python.received('reply:ts:1');

  // 3. twisted-ts → Python; Python answers through its transport.
  const tsPort = ts.transport;
  tsPort.write(Buffer.from('hello:ts:1'), [GROUP, shared]);
  await python.received('hello:ts:1');
  expect(await ts.got('reply:py:1')).toEqual([LOOPBACK, shared]);
}

describe.skipIf(twistedVersion === undefined)(
  `interop with Python Twisted ${twistedVersion ?? ''} (skipped when: ${SKIP_REASON})`,
  () => {
    it('twisted-ts first, then Python Twisted with listenMultiple=True, share the port and talk', async () => {
      const { ts, port } = await startTs(0);
      const shared = port.getHost().port;
      const python = startPython(shared);
      const ready = await python.waitFor((e) => e.event === 'ready' || e.event === 'cannot-listen', 'ready');
      expect(ready).toEqual({ event: 'ready', port: shared });
      await exercise(python, ts, shared);
    });

    it('Python Twisted first, then twisted-ts with listenMultiple, share the port and talk', async () => {
      const python = startPython(0);
      const ready = await python.waitFor((e) => e.event === 'ready' || e.event === 'cannot-listen', 'ready');
      expect(ready.event).toBe('ready');
      const shared = ready.port as number;
      const { ts, port } = await startTs(shared);
      expect(port.getHost().port).toBe(shared);
      await exercise(python, ts, shared);
    });

    it('security: Python Twisted without listenMultiple cannot bind onto a twisted-ts listenMultiple port', async () => {
      const { port } = await startTs(0);
      const python = startPython(port.getHost().port, false);
      const result = await python.waitFor(
        (e) => e.event === 'cannot-listen' || e.event === 'ready',
        'bind result',
      );
      expect(result.event).toBe('cannot-listen');
      expect(result.errno).toBe(98); // EADDRINUSE on Linux
      expect(await python.exited).toBe(0);
    });

    it('security: twisted-ts without listenMultiple cannot bind onto a Python listenMultiple port', async () => {
      const python = startPython(0);
      const ready = await python.waitFor((e) => e.event === 'ready', 'ready');
      const shared = ready.port as number;
      let thrown: unknown;
      try {
        reactor.listenMulticast(shared, new TsPeer());
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(CannotListenError);
      expect((thrown as CannotListenError).socketError.code).toBe('EADDRINUSE');
      expect(() => reactor.listenUDP(shared, new TsPeer(), '')).toThrow(CannotListenError);
      // With listenMultiple it may join.
      const { port } = await startTs(shared);
      expect(port.getHost().port).toBe(shared);
    });
  },
);
