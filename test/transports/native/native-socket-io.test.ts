/**
 * The native backend of the UDP I/O seam on its own (src/transports/native/native-socket-io.ts):
 * real loopback sockets, its handlers and send callbacks recorded, node:dgram at the other end.
 * What the seam promises (src/transports/udp/socket-io.ts) is checked here as it is for dgram:
 * bind inside the call, Node-style errors, handlers never inside a call, outcomes once.
 */
import dgram from 'node:dgram';
import { readdirSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadNativeAddon } from '../../../src/transports/native/addon.ts';
import type { NativeAddon } from '../../../src/transports/native/addon.ts';
import { NativeSocketIO } from '../../../src/transports/native/native-socket-io.ts';
import type {
  DatagramSource,
  UdpSocketHandlers,
  UdpSocketSpec,
} from '../../../src/transports/udp/socket-io.ts';
import { hasIPv6, turns, until } from '../helpers.ts';

const loaded = loadNativeAddon();
const addon = loaded.addon as NativeAddon;
const opened: { close(): void }[] = [];

afterEach(async () => {
  for (const s of opened.splice(0)) {
    try {
      s.close();
    } catch {
      // already closed
    }
  }
  await turns(2);
});

/** Handlers that record everything the socket reports, each with the turn it came in. */
class Recording implements UdpSocketHandlers {
  readonly messages: { data: Buffer; address: string; port: number; size: number }[] = [];
  readonly errors: NodeJS.ErrnoException[] = [];
  closed = 0;
  /** True while a test is inside a call to the socket: no handler may run then. */
  inCall = false;
  violations = 0;

  readonly message = (data: Buffer, from: DatagramSource): void => {
    if (this.inCall) this.violations += 1;
    this.messages.push({ data: Buffer.from(data), address: from.address, port: from.port, size: from.size });
  };
  readonly error = (error: NodeJS.ErrnoException): void => {
    if (this.inCall) this.violations += 1;
    this.errors.push(error);
  };
  readonly close = (): void => {
    if (this.inCall) this.violations += 1;
    this.closed += 1;
  };
}

function socket(
  spec: Partial<UdpSocketSpec> = {},
  handlers = new Recording(),
): { io: NativeSocketIO; handlers: Recording } {
  const io = new NativeSocketIO(
    addon,
    { type: 'udp4', maxPacketSize: 8192, reusePort: false, reuseAddr: false, ...spec },
    handlers,
  );
  opened.push(io);
  return { io, handlers };
}

async function dgramSocket(type: 'udp4' | 'udp6' = 'udp4'): Promise<dgram.Socket> {
  const s = dgram.createSocket(type);
  await new Promise<void>((resolve) => s.bind(0, type === 'udp6' ? '::1' : '127.0.0.1', resolve));
  s.setRecvBufferSize(1 << 21); // bursts of hundreds must not overflow it
  opened.push(s);
  return s;
}

const fds = (): number => readdirSync('/proc/self/fd').length;

/** An addon whose socket does nothing: the test calls its batch callback as udp.c would. */
function fakeAddon(): {
  addon: NativeAddon;
  batch(datagrams: [string, string, number][], error: number): void;
} {
  let onBatch: ((count: number, buffer: Buffer, hosts: string[], error: number) => void) | undefined;
  let meta: Int32Array = new Int32Array(0);
  class UdpSocket {
    constructor(batch: typeof onBatch, _progress: unknown, recvMeta: Int32Array) {
      onBatch = batch;
      meta = recvMeta;
    }
    close(): void {}
  }
  return {
    addon: { ...addon, UdpSocket } as unknown as NativeAddon,
    batch(datagrams, error) {
      const hosts: string[] = [];
      datagrams.forEach(([data, host, port], i) => {
        if (!hosts.includes(host)) hosts.push(host);
        meta.set([data.length, data.length, port, hosts.indexOf(host)], i * addon.constants.RECV_STRIDE);
      });
      onBatch?.(datagrams.length, Buffer.from(datagrams.map(([d]) => d).join('')), hosts, error);
    },
  };
}

describe.skipIf(loaded.addon === undefined)('NativeSocketIO (the native addon behind the I/O seam)', () => {
  beforeAll(() => {
    expect(loaded.reason).toBeUndefined();
  });

  it('binds inside the call and reports the address, as dgram does', () => {
    const { io } = socket();
    const bound = io.bind(0, '127.0.0.1');
    expect(bound.address).toBe('127.0.0.1');
    expect(bound.port).toBeGreaterThan(0);
  });

  it('throws dgram-shaped errors for a failed bind, with nothing left open', () => {
    const { io } = socket();
    const { port } = io.bind(0, '127.0.0.1');
    const before = fds();
    const other = socket().io;
    let error: NodeJS.ErrnoException & { address?: string; port?: number } = new Error('none');
    try {
      other.bind(port, '127.0.0.1');
    } catch (e) {
      error = e as typeof error;
    }
    expect(error.message).toBe(`bind EADDRINUSE 127.0.0.1:${port}`);
    expect(error).toMatchObject({ code: 'EADDRINUSE', syscall: 'bind', address: '127.0.0.1', port });
    expect(error.errno).toBeLessThan(0);
    expect(fds()).toBe(before);
    // A wrong family is libuv's EINVAL, as on the dgram path.
    expect(() => socket().io.bind(0, '::1')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  it('delivers a burst in order, with the sender, its port and size, in one call into JavaScript', async () => {
    const { io, handlers } = socket();
    const { port } = io.bind(0, '127.0.0.1');
    const sender = await dgramSocket();
    // dgram sends inside send(): all 100 are queued in the kernel before the receiver reads.
    let atFirstMicrotask = -1;
    const first = handlers.message;
    Object.assign(handlers, {
      message: (data: Buffer, from: DatagramSource) => {
        // A microtask queued by the first datagram's handler runs when the call into JavaScript
        // returns: after the whole batch if it came in one call, after one datagram otherwise.
        if (handlers.messages.length === 0)
          queueMicrotask(() => (atFirstMicrotask = handlers.messages.length));
        first(data, from);
      },
    });
    // dgram sends inside send(): all 100 are queued in the kernel before the receiver reads.
    for (let i = 0; i < 100; i++) sender.send(Buffer.from(`d${i}`), port, '127.0.0.1');
    await until(() => handlers.messages.length === 100, 'handlers.messages.length === 100');
    expect(atFirstMicrotask).toBe(100);
    expect(handlers.messages.map((m) => m.data.toString())).toEqual(
      Array.from({ length: 100 }, (_, i) => `d${i}`),
    );
    const from = sender.address();
    for (const m of handlers.messages) expect([m.address, m.port]).toEqual(['127.0.0.1', from.port]);
    expect(handlers.messages[42].size).toBe(3);
    expect(handlers.violations).toBe(0);
  });

  it.skipIf(!hasIPv6)('works on IPv6, the sender spelled as dgram spells it', async () => {
    const { io, handlers } = socket({ type: 'udp6' });
    const { address, port } = io.bind(0, '::1');
    expect(address).toBe('::1');
    const sender = await dgramSocket('udp6');
    sender.send('six', port, '::1');
    await until(() => handlers.messages.length === 1, 'handlers.messages.length === 1');
    expect(handlers.messages[0]).toMatchObject({ address: '::1', port: sender.address().port, size: 3 });
    const back: Buffer[] = [];
    sender.on('message', (m) => back.push(m));
    io.send(Buffer.from('back'), sender.address().port, '::1', () => {});
    await until(() => back.length === 1, 'back.length === 1');
    expect(back[0].toString()).toBe('back');
  });

  it('cuts datagrams longer than maxPacketSize in the kernel and reports their real size', async () => {
    const { io, handlers } = socket({ maxPacketSize: 10 });
    const { port } = io.bind(0, '127.0.0.1');
    const sender = await dgramSocket();
    sender.send(Buffer.alloc(3000, 0x61), port, '127.0.0.1');
    await until(() => handlers.messages.length === 1, 'handlers.messages.length === 1');
    expect(handlers.messages[0].data).toEqual(Buffer.alloc(10, 0x61));
    expect(handlers.messages[0].size).toBe(3000);
  });

  it('sends the writes of one turn together, in order, and reports each outcome once, later', async () => {
    const { io, handlers } = socket();
    io.bind(0, '127.0.0.1');
    const receiver = await dgramSocket();
    const got: string[] = [];
    receiver.on('message', (m) => got.push(m.toString()));
    const outcomes: [Error | null, number][] = [];
    const done = (e: Error | null, bytes: number): void => {
      outcomes.push([e, bytes]);
    };
    handlers.inCall = true;
    for (let i = 0; i < 300; i++) io.send(Buffer.from(`w${i}`), receiver.address().port, '127.0.0.1', done);
    // writeSequence's pieces are joined into one datagram.
    io.send([Buffer.from('join'), Buffer.from('ed')], receiver.address().port, '127.0.0.1', done);
    handlers.inCall = false;
    expect(outcomes).toEqual([]); // never from inside send
    // What is written this turn counts until it is handed to the OS (a full stage of 256 already was).
    const staged = Array.from({ length: 44 }, (_, i) => `w${256 + i}`.length).reduce((a, b) => a + b, 0) + 6;
    expect(io.sendQueueSize()).toBe(staged);
    await until(() => got.length === 301, 'got.length === 301');
    expect(got).toEqual([...Array.from({ length: 300 }, (_, i) => `w${i}`), 'joined']);
    expect(outcomes.length).toBe(301);
    expect(outcomes.every(([e]) => e === null)).toBe(true);
    expect(outcomes[300][1]).toBe(6);
    expect(io.sendQueueSize()).toBe(0);
  });

  it('reports a send the OS refuses to its callback, with the destination, as dgram does', async () => {
    const { io } = socket();
    io.bind(0, '127.0.0.1');
    const outcomes: (Error | null)[] = [];
    io.send(Buffer.from('x'), 9, '255.255.255.255', (e) => outcomes.push(e));
    await until(() => outcomes.length === 1, 'outcomes.length === 1');
    expect(outcomes[0]).toMatchObject({
      code: 'EACCES',
      syscall: 'send',
      address: '255.255.255.255',
      port: 9,
      message: 'send EACCES 255.255.255.255:9',
    });
    io.setBroadcast(true); // then the kernel accepts it (it never leaves: the netns has no route out)
  });

  it('connects inside the call; ICMP port-unreachable from the peer comes to the error handler', async () => {
    const { io, handlers } = socket();
    io.bind(0, '127.0.0.1');
    const peer = await dgramSocket();
    const peerPort = peer.address().port;
    expect(io.connect(peerPort, '127.0.0.1', () => {})).toBe('127.0.0.1');
    peer.close();
    opened.splice(opened.indexOf(peer), 1);
    io.sendConnected(Buffer.from('anyone?'), () => {});
    await until(() => handlers.errors.length > 0, 'handlers.errors.length > 0');
    expect(handlers.errors[0]).toMatchObject({ code: 'ECONNREFUSED', syscall: 'recvmsg' });
  });

  it('throws a connect the OS refuses at once, with the OS error, and stays unconnected', () => {
    const { io } = socket();
    io.bind(0, '127.0.0.1');
    const failures: Error[] = [];
    // The other family: libuv's EINVAL, as on the dgram path.
    expect(() => io.connect(5000, '::1', (e) => failures.push(e))).toThrow(
      expect.objectContaining({ syscall: 'connect', code: 'EINVAL', address: '::1', port: 5000 }),
    );
    expect(failures).toEqual([]);
    expect(io.connect(5000, '127.0.0.1', (e) => failures.push(e))).toBe('127.0.0.1');
  });

  it('sets socket options through libuv and names the call in its errors', () => {
    const { io } = socket();
    io.bind(0, '127.0.0.1');
    io.setMulticastTTL(0);
    io.setMulticastLoopback(false);
    io.setMulticastInterface('127.0.0.1');
    io.changeMembership(true, '239.255.7.7', '127.0.0.1');
    io.changeMembership(false, '239.255.7.7', '127.0.0.1');
    io.changeSourceMembership(true, '127.0.0.1', '232.1.2.3', '127.0.0.1');
    io.changeSourceMembership(false, '127.0.0.1', '232.1.2.3', '127.0.0.1');
    expect(() => io.changeMembership(true, '127.0.0.1', '127.0.0.1')).toThrow(
      expect.objectContaining({ code: 'EINVAL', syscall: 'addMembership' }),
    );
    expect(() => io.changeMembership(false, '239.255.7.8', '127.0.0.1')).toThrow(
      expect.objectContaining({ syscall: 'dropMembership' }),
    );
    expect(() => io.setMulticastInterface('192.0.2.1')).toThrow(
      expect.objectContaining({ code: 'EADDRNOTAVAIL', syscall: 'setMulticastInterface' }),
    );
    io.socket.setRecvBufferSize(1 << 20);
    expect(io.socket.getRecvBufferSize()).toBeGreaterThanOrEqual(1 << 20);
    io.socket.setSendBufferSize(1 << 16);
    expect(io.socket.getSendBufferSize()).toBeGreaterThanOrEqual(1 << 16);
  });

  it('closes the descriptor inside close(): the port number is free at once; the handler follows', async () => {
    const { io, handlers } = socket();
    const { port } = io.bind(0, '127.0.0.1');
    const receiver = await dgramSocket();
    const got: string[] = [];
    receiver.on('message', (m) => got.push(m.toString()));
    const outcomes: (Error | null)[] = [];
    io.send(Buffer.from('last words'), receiver.address().port, '127.0.0.1', (e) => outcomes.push(e));
    const sender = await dgramSocket();
    sender.send('too late', port, '127.0.0.1'); // queued in the kernel, never delivered
    handlers.inCall = true;
    io.close();
    handlers.inCall = false;
    const again = socket().io;
    expect(again.bind(port, '127.0.0.1').port).toBe(port);
    expect(handlers.closed).toBe(0);
    await turns(2);
    expect(handlers.closed).toBe(1);
    expect(outcomes).toEqual([null]); // what was written before close() still went out
    await until(() => got.length === 1, 'got.length === 1');
    expect(got).toEqual(['last words']);
    expect(handlers.messages).toEqual([]);
    expect(handlers.violations).toBe(0);
    expect(() => io.setBroadcast(true)).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });

  it('hands over a batch whose last read failed: its datagrams in order, then the error', () => {
    // The addon's side is played here: recvmmsg returned datagrams, and the next call in the same
    // wake-up an error (recvmmsg keeps an error that follows received datagrams for the next call).
    const fake = fakeAddon();
    const handlers = new Recording();
    const io = new NativeSocketIO(
      fake.addon,
      { type: 'udp4', maxPacketSize: 8192, reusePort: false, reuseAddr: false },
      handlers,
    );
    fake.batch(
      [
        ['one', '127.0.0.1', 1000],
        ['two', '127.0.0.2', 2000],
        ['three', '127.0.0.1', 1000],
      ],
      -111,
    );
    expect(handlers.messages.map((m) => [m.data.toString(), m.address, m.port, m.size])).toEqual([
      ['one', '127.0.0.1', 1000, 3],
      ['two', '127.0.0.2', 2000, 3],
      ['three', '127.0.0.1', 1000, 5],
    ]);
    expect(handlers.errors).toEqual([expect.objectContaining({ code: 'ECONNREFUSED', syscall: 'recvmsg' })]);
    // A handler that closes the socket ends the batch there: nothing after, not even the error.
    handlers.messages.length = 0;
    handlers.errors.length = 0;
    const close = handlers.message;
    Object.assign(handlers, {
      message: (data: Buffer, from: DatagramSource) => {
        close(data, from);
        io.close();
      },
    });
    fake.batch(
      [
        ['a', '127.0.0.1', 1],
        ['b', '127.0.0.1', 1],
      ],
      -111,
    );
    expect(handlers.messages.map((m) => m.data.toString())).toEqual(['a']);
    expect(handlers.errors).toEqual([]);
  });

  it('destroy() closes at once and calls no handler again', async () => {
    const { io, handlers } = socket();
    const { port } = io.bind(0, '127.0.0.1');
    const outcomes: (Error | null)[] = [];
    io.send(Buffer.from('dropped'), port, '127.0.0.1', (e) => outcomes.push(e));
    io.destroy();
    await turns(3);
    expect(handlers.closed).toBe(0);
    expect(handlers.messages).toEqual([]);
    expect(outcomes).toEqual([]);
  });
});
