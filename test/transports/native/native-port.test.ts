/**
 * UDP ports on the native I/O path, beyond what the shared UDP suite checks on both paths (it
 * runs again with TWISTED_TS_IO=native, see vitest.config.ts): choosing the path (`io`,
 * TWISTED_TS_IO, `ioPath`, the fakes' `'memory'`), the fallback when the addon cannot load, and
 * the faults of issue 18 — every byte and address intact for every size, a burst larger than a
 * batch, a receive error in the middle of a batch, a stop from inside a batch, EMFILE, and no
 * leak after 10,000 listen/stop cycles.
 */
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { CannotListenError } from '../../../src/errors.ts';
import type { AddressTuple } from '../../../src/interfaces.ts';
import { DatagramProtocol } from '../../../src/protocols/datagram-protocol.ts';
import { MemoryReactor, VirtualNetwork } from '../../../src/testing/index.ts';
import { loadNativeAddon } from '../../../src/transports/native/addon.ts';
import { literalLookup } from '../../../src/transports/udp/literal-lookup.ts';
import { listenMulticast } from '../../../src/transports/udp/listen-multicast.ts';
import { listenUDP } from '../../../src/transports/udp/listen.ts';
import { Recorder, TestOwner, captureLog, hasIPv6, turns, until } from '../helpers.ts';

const native = loadNativeAddon().addon !== undefined;
const owner = new TestOwner();
const sockets: dgram.Socket[] = [];
const child = fileURLToPath(new URL('./fixtures/io-child.ts', import.meta.url));
const noAddon = fileURLToPath(new URL('./fixtures/no-addon.mjs', import.meta.url));

afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await owner.stopAll();
});

/** Runs `fn` with TWISTED_TS_IO set to `value` (undefined: unset), restoring it afterwards. */
function withEnv<T>(value: string | undefined, fn: () => T): T {
  const saved = process.env.TWISTED_TS_IO;
  if (value === undefined) delete process.env.TWISTED_TS_IO;
  else process.env.TWISTED_TS_IO = value;
  try {
    return fn();
  } finally {
    if (saved === undefined) delete process.env.TWISTED_TS_IO;
    else process.env.TWISTED_TS_IO = saved;
  }
}

async function dgramPeer(type: 'udp4' | 'udp6' = 'udp4'): Promise<dgram.Socket> {
  const s = dgram.createSocket(type);
  await new Promise<void>((resolve) => s.bind(0, type === 'udp6' ? '::1' : '127.0.0.1', resolve));
  s.setRecvBufferSize(1 << 22);
  sockets.push(s);
  return s;
}

async function dgramPeerOn(port: number): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  sockets.push(s);
  await new Promise<void>((resolve) => s.bind(port, '127.0.0.1', resolve));
  return s;
}

async function runChild(args: string[], shell?: string): Promise<Record<string, unknown>> {
  const env = { ...process.env };
  delete env.TWISTED_TS_IO;
  const command =
    shell === undefined
      ? [process.execPath, ...args]
      : ['sh', '-c', `${shell} && exec "$@"`, 'sh', process.execPath, ...args];
  const { stdout } = await promisify(execFile)(command[0], command.slice(1), { env, timeout: 120_000 });
  return JSON.parse(stdout.trim().split('\n').pop() as string) as Record<string, unknown>;
}

describe('choosing the I/O path', () => {
  it.skipIf(!native)("uses the addon by default where it loads ('auto'); io and TWISTED_TS_IO choose", () => {
    withEnv(undefined, () => {
      expect(listenUDP(owner, 0, new DatagramProtocol(), '127.0.0.1').ioPath).toBe('native');
      expect(
        listenUDP(owner, 0, new DatagramProtocol(), { interface: '127.0.0.1', io: 'dgram' }).ioPath,
      ).toBe('dgram');
      expect(listenMulticast(owner, 0, new DatagramProtocol(), { io: 'auto' }).ioPath).toBe('native');
    });
    withEnv('dgram', () => {
      expect(listenUDP(owner, 0, new DatagramProtocol(), '127.0.0.1').ioPath).toBe('dgram');
      // An explicit option wins over the environment.
      expect(
        listenUDP(owner, 0, new DatagramProtocol(), { interface: '127.0.0.1', io: 'native' }).ioPath,
      ).toBe('native');
    });
    withEnv('native', () => {
      expect(listenMulticast(owner, 0, new DatagramProtocol(), '127.0.0.1').ioPath).toBe('native');
    });
  });

  it('refuses a bad TWISTED_TS_IO at the listen that reads it, naming the variable, binding nothing', () => {
    withEnv('fast', () => {
      expect(() => listenUDP(owner, 0, new DatagramProtocol(), '127.0.0.1')).toThrow(
        expect.objectContaining({
          name: 'TypeError',
          code: 'ERR_INVALID_ARG_VALUE',
          message:
            "The environment variable TWISTED_TS_IO is invalid. It must be 'auto', 'native' or 'dgram' (or unset). Received 'fast'",
        }),
      );
      // An explicit option does not read the variable.
      expect(
        listenUDP(owner, 0, new DatagramProtocol(), { interface: '127.0.0.1', io: 'dgram' }).ioPath,
      ).toBe('dgram');
    });
    expect(owner.ports.size).toBe(1);
  });

  it('refuses a bad io option with the other argument errors, on the real reactor and the fakes', () => {
    const bad = [
      ['fast', "'fast'"],
      [1, '1'],
      [null, 'null'],
    ] as const;
    for (const [value, shown] of bad) {
      const expected = expect.objectContaining({
        name: 'TypeError',
        code: 'ERR_INVALID_ARG_VALUE',
        message: `The argument "options.io" is invalid. It must be 'auto', 'native' or 'dgram'. Received ${shown}`,
      });
      const options = { interface: '127.0.0.1', io: value as 'auto' };
      expect(() => listenUDP(owner, 0, new DatagramProtocol(), options)).toThrow(expected);
      expect(() => new MemoryReactor().listenMulticast(0, new DatagramProtocol(), options)).toThrow(expected);
    }
  });

  it("says 'memory' on the fakes, which take the io option too", () => {
    const reactor = new MemoryReactor();
    expect(reactor.listenUDP(0, new DatagramProtocol(), { io: 'native' }).ioPath).toBe('memory');
    const host = new VirtualNetwork().addHost('10.0.0.1');
    expect(host.listenUDP(0, new DatagramProtocol(), { io: 'dgram' }).ioPath).toBe('memory');
    expect(host.listenMulticast(0, new DatagramProtocol()).ioPath).toBe('memory');
  });

  it("falls back to dgram without a word where the addon cannot load; 'native' says why", async () => {
    const r = await runChild(['--import', noAddon, child, 'choose']);
    expect(r.auto).toBe('dgram');
    expect(r.dgram).toBe('dgram');
    expect(r.loggedByAuto).toBe(r.loggedByDgram); // the same lines as dgram: nothing about the fallback
    expect(r.native).toMatchObject({
      error: 'CannotListenError',
      code: 'ERR_CANNOT_LISTEN',
      cause: 'ERR_NATIVE_IO_UNAVAILABLE',
    });
    expect((r.native as { message: string }).message).toMatch(
      /io: 'native' was asked for, but native UDP I\/O is not available here \(no native build for .*No native build was found.*\); use io: 'auto' or 'dgram'/,
    );
  });
});

describe.skipIf(!native)('the native path under faults', () => {
  it('delivers every byte and the address intact, for every size from 0 to 65507, both ways', async () => {
    const recorder = new Recorder();
    const port = listenUDP(owner, 0, recorder, {
      interface: '127.0.0.1',
      maxPacketSize: 65535,
      io: 'native',
    });
    const peer = await dgramPeer();
    const back: Buffer[] = [];
    peer.on('message', (m, r) => {
      if (r.port === port.getHost().port) back.push(m);
    });
    const sizes = fc.sample(fc.integer({ min: 0, max: 65507 }), { numRuns: 40, seed: 18 });
    const cases = [0, 1, 2, 8192, 65507, ...sizes].map(
      (n, i) => fc.sample(fc.uint8Array({ minLength: n, maxLength: n }), { numRuns: 1, seed: i })[0],
    );
    for (const data of cases) {
      const expectedIn = recorder.raw.length + 1;
      peer.send(data, port.getHost().port, '127.0.0.1');
      await recorder.received(expectedIn);
      const got = recorder.raw[expectedIn - 1];
      expect(Buffer.compare(got, Buffer.from(data))).toBe(0);
      expect(recorder.packets[expectedIn - 1][1]).toEqual(['127.0.0.1', peer.address().port]);
      port.write(data, recorder.packets[expectedIn - 1][1]);
      await until(() => back.length === expectedIn, 'the echo');
      expect(Buffer.compare(back[expectedIn - 1], Buffer.from(data))).toBe(0);
    }
    expect(port.stats()).toMatchObject({ datagramsIn: cases.length, datagramsOut: cases.length, errors: 0 });
  });

  it.skipIf(!hasIPv6)('carries the largest IPv6 datagram (65527 bytes) intact', async () => {
    const recorder = new Recorder();
    const port = listenUDP(owner, 0, recorder, { interface: '::1', maxPacketSize: 65535, io: 'native' });
    const peer = await dgramPeer('udp6');
    const data = Buffer.alloc(65527, 0x5a);
    data.writeUInt32BE(0xdeadbeef, 65523);
    peer.send(data, port.getHost().port, '::1');
    await recorder.received(1);
    expect(recorder.raw[0].equals(data)).toBe(true);
    expect(recorder.packets[0][1]).toEqual(['::1', peer.address().port]);
  });

  it('delivers a burst larger than a batch in order (1,500 × 1,200 bytes, 1.8 MB)', async () => {
    const recorder = new Recorder();
    const port = listenUDP(owner, 0, recorder, { interface: '127.0.0.1', io: 'native' });
    (
      port as unknown as { io: { socket: { setRecvBufferSize(n: number): void } } }
    ).io.socket.setRecvBufferSize(4 << 20);
    const peer = await dgramPeer();
    for (let i = 0; i < 1500; i++) {
      const d = Buffer.alloc(1200, i & 0xff);
      d.writeUInt32BE(i, 0);
      peer.send(d, port.getHost().port, '127.0.0.1');
    }
    await recorder.received(1500, 15_000);
    recorder.raw.forEach((d, i) => {
      expect(d.readUInt32BE(0)).toBe(i);
      expect(d.length).toBe(1200);
      expect(d[1199]).toBe(i & 0xff);
    });
  });

  it('a receive error among queued datagrams: each delivered once, connectionRefused once, then more', async () => {
    // A peer whose sends happen inside send() (the literal lookup makes dgram synchronous), so
    // that everything below is queued in the kernel before the port reads again.
    const peer = dgram.createSocket({ type: 'udp4', lookup: literalLookup });
    peer.bind(0, '127.0.0.1');
    const peerPort = peer.address().port;
    class Connected extends Recorder {
      override connectionRefused(): void {
        super.connectionRefused();
        this.packets.push(['<refused>', ['', 0]]);
      }
    }
    const recorder = new Connected();
    const port = listenUDP(owner, 0, recorder, { interface: '127.0.0.1', io: 'native' });
    port.connect('127.0.0.1', peerPort);
    // 64 datagrams (one full recvmmsg call) wait in the queue; the peer goes away; the port's
    // write then draws ICMP port-unreachable. Linux reports a pending error before the queue,
    // so the refusal comes first (as on the dgram path), then the 64 datagrams.
    for (let i = 0; i < 64; i++) peer.send(`m${i}`, port.getHost().port, '127.0.0.1');
    peer.close();
    port.write(Buffer.from('is anyone there?'));
    await until(
      () => recorder.refused > 0 && recorder.packets.length === 65,
      'the datagrams and the refusal',
    );
    expect(recorder.packets.map(([d]) => d)).toEqual([
      '<refused>',
      ...Array.from({ length: 64 }, (_, i) => `m${i}`),
    ]);
    expect(recorder.refused).toBe(1);
    // The port reads on: a new socket on the peer's number is heard.
    const again = await dgramPeerOn(peerPort);
    again.send('back', port.getHost().port, '127.0.0.1');
    await recorder.received(66);
    expect(recorder.packets[65][0]).toBe('back');
    expect(port.stats()).toMatchObject({ datagramsIn: 65, errors: 0 });
  });

  it('stopListening inside datagramReceived: not one datagram of the batch after it', async () => {
    const delivered: string[] = [];
    class StopsAtThird extends DatagramProtocol {
      override datagramReceived(data: Buffer, _addr: AddressTuple): void {
        delivered.push(data.toString());
        if (delivered.length === 3) void this.transport!.stopListening();
      }
    }
    const port = listenUDP(owner, 0, new StopsAtThird(), { interface: '127.0.0.1', io: 'native' });
    const peer = await dgramPeer();
    for (let i = 0; i < 100; i++) peer.send(`s${i}`, port.getHost().port, '127.0.0.1');
    await until(() => port.state === 'closed', 'the stop');
    await turns(3);
    expect(delivered).toEqual(['s0', 's1', 's2']);
  });

  it('counts exactly as the dgram path: cuts, drops, send errors, the send queue', async () => {
    async function scenario(io: 'native' | 'dgram'): Promise<unknown> {
      const recorder = new Recorder();
      const port = listenUDP(owner, 0, recorder, { interface: '127.0.0.1', maxPacketSize: 100, io });
      const slow = port.datagrams({ highWaterMark: 1 }); // never read: it drops all but one
      const peer = await dgramPeer();
      for (const size of [10, 300, 100]) peer.send(Buffer.alloc(size, 1), port.getHost().port, '127.0.0.1');
      await recorder.received(3);
      const log = captureLog();
      const errors: Error[] = [];
      port.on('error', (e) => errors.push(e));
      port.write(Buffer.from('to the peer'), ['127.0.0.1', peer.address().port]);
      port.writeSequence([Buffer.from('in '), Buffer.from('pieces')], ['127.0.0.1', peer.address().port]);
      port.write(Buffer.from('no broadcast without SO_BROADCAST'), ['255.255.255.255', 9]);
      await until(() => errors.length === 1 && port.stats().datagramsOut === 2, 'the sends');
      log.stop();
      void slow.return?.();
      return {
        stats: port.stats(),
        sizes: recorder.raw.map((d) => d.length),
        error: [errors[0].message, (errors[0] as NodeJS.ErrnoException).code],
        logged: log.errors().map((e) => String(e.why).replace(/127\.0\.0\.1:\d+/, '127.0.0.1:<port>')),
      };
    }
    const dgramResult = await scenario('dgram');
    const nativeResult = await scenario('native');
    expect(nativeResult).toEqual(dgramResult);
    expect(dgramResult).toMatchObject({
      stats: {
        datagramsIn: 3,
        bytesIn: 410,
        datagramsOut: 2,
        bytesOut: 20,
        errors: 1,
        drops: 2,
        sendQueueSize: 0,
      },
      sizes: [10, 100, 100],
    });
  });

  it('EMFILE: a clear CannotListenError, no crash, and listening works again once a port closes', async () => {
    const r = await runChild([child, 'emfile'], 'ulimit -n 48');
    expect(r.refused).toMatchObject({
      error: 'CannotListenError',
      code: 'ERR_CANNOT_LISTEN',
      cause: 'EMFILE',
    });
    expect(r.again).toBe(true);
  }, 60_000);

  it('10,000 listen/write/stop cycles leave no descriptor or handle behind', async () => {
    const r = await runChild(['--expose-gc', child, 'cycles', '10000']);
    expect(r.after).toBe(r.before);
    // Every port (with its socket, stage and addon handle) was collected, and what JavaScript
    // still holds did not grow with the cycles.
    expect(r.collected).toBeGreaterThanOrEqual(0.99 * 10_000);
    expect(r.retainedGrowth as number).toBeLessThan(2 * 1024 * 1024);
    // runChild returned: the child ended by itself, so no handle was left holding its loop.
  }, 120_000);

  it('logs nothing for the fallback and the same lines as dgram for a port', () => {
    const log = captureLog();
    try {
      const port = listenUDP(owner, 0, new DatagramProtocol(), { interface: '127.0.0.1', io: 'native' });
      expect(log.messages().some((m) => m.includes(`starting on ${port.getHost().port}`))).toBe(true);
    } finally {
      log.stop();
    }
  });

  it('is a CannotListenError for a bind the OS refuses, as on dgram', () => {
    const held = listenUDP(owner, 0, new DatagramProtocol(), { interface: '127.0.0.1', io: 'native' });
    const e = (() => {
      try {
        listenUDP(owner, held.getHost().port, new DatagramProtocol(), {
          interface: '127.0.0.1',
          io: 'native',
        });
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(CannotListenError);
    expect(e).toMatchObject({ socketError: { code: 'EADDRINUSE', syscall: 'bind' } });
  });
});
