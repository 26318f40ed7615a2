/**
 * The I/O seam of UDP ports (src/transports/udp/socket-io.ts): a port does every socket
 * operation through its `UdpSocketIO`, so a second backend (the native addon) can stand in for
 * node:dgram. These tests plug in an in-memory backend and check that the port asks it for
 * exactly what it asked node:dgram for, and reacts to what it reports as it reacts to dgram.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CannotListenError, MulticastJoinError } from '../../../src/errors.ts';
import { MulticastPort } from '../../../src/transports/udp/multicast-port.ts';
import type {
  BoundAddress,
  SendCallback,
  UdpSocketHandlers,
  UdpSocketIO,
  UdpSocketSpec,
} from '../../../src/transports/udp/socket-io.ts';
import { UdpPort } from '../../../src/transports/udp/udp-port.ts';
import type { UdpPortConfig } from '../../../src/transports/udp/udp-port.ts';
import { Recorder, TestOwner, captureLog, turns } from '../helpers.ts';

type Call = [name: string, ...args: unknown[]];

/** A backend that binds nothing: it records the calls and lets the test play the OS. */
class MemorySocket implements UdpSocketIO {
  readonly calls: Call[] = [];
  readonly sends: SendCallback[] = [];
  bindError: Error | undefined;
  queued = 0;

  readonly spec: UdpSocketSpec;
  readonly handlers: UdpSocketHandlers;

  constructor(spec: UdpSocketSpec, handlers: UdpSocketHandlers) {
    this.spec = spec;
    this.handlers = handlers;
  }

  bind(port: number, address: string): BoundAddress {
    this.calls.push(['bind', port, address]);
    if (this.bindError !== undefined) throw this.bindError;
    return { address, port: port === 0 ? 40000 : port };
  }
  send(data: Uint8Array | readonly Uint8Array[], port: number, host: string, done: SendCallback): void {
    this.calls.push(['send', data, port, host]);
    this.sends.push(done);
  }
  sendConnected(data: Uint8Array | readonly Uint8Array[], done: SendCallback): void {
    this.calls.push(['sendConnected', data]);
    this.sends.push(done);
  }
  connect(port: number, host: string): string | undefined {
    this.calls.push(['connect', port, host]);
    return host;
  }
  sendQueueSize(): number {
    return this.queued;
  }
  setBroadcast(enabled: boolean): void {
    this.calls.push(['setBroadcast', enabled]);
  }
  setMulticastTTL(ttl: number): void {
    this.calls.push(['setMulticastTTL', ttl]);
  }
  setMulticastLoopback(enabled: boolean): void {
    this.calls.push(['setMulticastLoopback', enabled]);
  }
  setMulticastInterface(iface: string): void {
    this.calls.push(['setMulticastInterface', iface]);
  }
  changeMembership(join: boolean, group: string, iface: string | undefined): void {
    if (group === '239.9.9.9') throw Object.assign(new Error('no such device'), { code: 'ENODEV' });
    this.calls.push(['changeMembership', join, group, iface]);
  }
  changeSourceMembership(join: boolean, source: string, group: string, iface: string | undefined): void {
    this.calls.push(['changeSourceMembership', join, source, group, iface]);
  }
  close(): void {
    this.calls.push(['close']);
    setImmediate(this.handlers.close);
  }
  destroy(): void {
    this.calls.push(['destroy']);
  }
}

const owner = new TestOwner();
let sockets: MemorySocket[] = [];
let log: ReturnType<typeof captureLog> | undefined;

afterEach(async () => {
  await owner.stopAll();
  log?.stop();
  log = undefined;
  sockets = [];
});

function config(overrides: Partial<UdpPortConfig> = {}): UdpPortConfig {
  return {
    interface: '127.0.0.1',
    maxPacketSize: 8192,
    reusePort: false,
    createSocket: (spec, handlers) => {
      const socket = new MemorySocket(spec, handlers);
      sockets.push(socket);
      return socket;
    },
    ...overrides,
  };
}

function start(protocol: Recorder, overrides: Partial<UdpPortConfig> = {}): [UdpPort, MemorySocket] {
  const port = new UdpPort(owner, 0, protocol, config(overrides));
  port.startListening();
  return [port, sockets.at(-1)!];
}

describe('UdpPort over a UdpSocketIO backend', () => {
  it('makes the socket from the port options and binds it inside startListening', () => {
    const [port, socket] = start(new Recorder(), { interface: '', reusePort: true });
    expect(socket.spec).toEqual({ type: 'udp4', maxPacketSize: 8192, reusePort: true, reuseAddr: false });
    expect(socket.calls).toEqual([['bind', 0, '0.0.0.0']]);
    expect(port.getHost().port).toBe(40000);
    expect(owner.ports.has(port)).toBe(true);

    const v6 = new UdpPort(owner, 7000, new Recorder(), config({ interface: '::1' }));
    v6.startListening();
    expect(sockets.at(-1)!.spec.type).toBe('udp6');
    expect(v6.getHost()).toMatchObject({ type: 'UDP', host: '::1', port: 7000 });
  });

  it("turns the backend's bind error into CannotListenError and registers nothing", () => {
    const protocol = new Recorder();
    const port = new UdpPort(
      owner,
      53,
      protocol,
      config({
        createSocket: (spec, handlers) => {
          const socket = new MemorySocket(spec, handlers);
          socket.bindError = Object.assign(new Error('bind EACCES 127.0.0.1:53'), { code: 'EACCES' });
          return socket;
        },
      }),
    );
    let error: unknown;
    try {
      port.startListening();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CannotListenError);
    expect(error).toMatchObject({ interface: '127.0.0.1', port: 53, socketError: { code: 'EACCES' } });
    expect(owner.ports.size).toBe(0);
    expect(protocol.started).toBe(0);
  });

  it('delivers what the message handler reports, cut to maxPacketSize, with the sender as a tuple', () => {
    const protocol = new Recorder();
    const [port, socket] = start(protocol, { maxPacketSize: 4 });
    socket.handlers.message(Buffer.from('hello'), { address: '127.0.0.1', port: 5000, size: 5 });
    expect(protocol.packets).toEqual([['hell', ['127.0.0.1', 5000]]]);
    expect(port.stats()).toMatchObject({ datagramsIn: 1, bytesIn: 5 });
  });

  it('a datagram that is a view into a larger buffer is copied before datagrams() holds it (issue 12)', async () => {
    const [port, socket] = start(new Recorder(), { maxPacketSize: 100 });
    const iterator = port.datagrams();
    const batch = Buffer.alloc(4096, 1);
    socket.handlers.message(batch.subarray(0, 50), { address: '127.0.0.1', port: 5000, size: 50 });
    socket.handlers.message(batch.subarray(50, 250), { address: '127.0.0.1', port: 5000, size: 200 });
    const first = (await iterator.next()).value![0];
    const cut = (await iterator.next()).value![0];
    expect([first.length, first.buffer.byteLength]).toEqual([50, 50]);
    expect([cut.length, cut.buffer.byteLength]).toEqual([100, 100]);
    await iterator.return!();
  });

  it('sends through the backend with the checked destination, and counts what the callback reports', () => {
    const [port, socket] = start(new Recorder());
    const data = Buffer.from('hi');
    port.write(data, ['127.0.0.1', 9999]);
    port.writeSequence([data, data], ['127.0.0.1', 9999]);
    expect(socket.calls.slice(1)).toEqual([
      ['send', data, 9999, '127.0.0.1'],
      ['send', [data, data], 9999, '127.0.0.1'],
    ]);
    // One callback for every send: no closure per datagram.
    expect(socket.sends[0]).toBe(socket.sends[1]);
    socket.sends[0](null, 2);
    expect(port.stats()).toMatchObject({ datagramsOut: 1, bytesOut: 2, errors: 0 });

    log = captureLog();
    const errors: Error[] = [];
    port.on('error', (e) => errors.push(e));
    const failure = Object.assign(new Error('send EMSGSIZE'), {
      code: 'EMSGSIZE',
      address: '127.0.0.1',
      port: 9999,
    });
    socket.sends[1](failure, 0);
    expect(errors).toEqual([failure]);
    expect(log.errors().map((e) => e.why)).toEqual([
      `Sending a datagram from ${port.toString()} to 127.0.0.1:9999 failed: EMSGSIZE ` +
        '(the datagram is larger than the path MTU allows)',
    ]);
    expect(port.stats().errors).toBe(1);
  });

  it('drops and counts a write when the backend reports a full send queue (maxSendQueue)', () => {
    const [port, socket] = start(new Recorder(), { maxSendQueue: 10 });
    socket.queued = 10;
    port.write(Buffer.from('x'), ['127.0.0.1', 9999]);
    expect(socket.calls).toHaveLength(1);
    expect(port.stats()).toMatchObject({ drops: 1, sendQueueSize: 10 });
  });

  it('connects through the backend; then writes go to the connected peer and others are filtered out', () => {
    const protocol = new Recorder();
    const [port, socket] = start(protocol);
    port.connect('127.0.0.1', 6000);
    port.write(Buffer.from('a'));
    expect(socket.calls.slice(1)).toEqual([
      ['connect', 6000, '127.0.0.1'],
      ['sendConnected', Buffer.from('a')],
    ]);
    socket.handlers.message(Buffer.from('other'), { address: '127.0.0.1', port: 6001, size: 5 });
    socket.handlers.message(Buffer.from('peer'), { address: '127.0.0.1', port: 6000, size: 4 });
    expect(protocol.packets).toEqual([['peer', ['127.0.0.1', 6000]]]);
    socket.handlers.error(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }));
    expect(protocol.refused).toBe(1);
  });

  it('stops by closing the backend; the close handler completes the stop', async () => {
    const protocol = new Recorder();
    const [port, socket] = start(protocol);
    const stopped = port.stopListening();
    expect(socket.calls.at(-1)).toEqual(['close']);
    expect(port.state).toBe('closing');
    socket.handlers.message(Buffer.from('late'), { address: '127.0.0.1', port: 5000, size: 4 });
    await stopped;
    expect(port.state).toBe('closed');
    expect(protocol.packets).toEqual([]);
    expect(protocol.stopped).toBe(1);
    expect(owner.ports.has(port)).toBe(false);
  });

  it('destroys the socket when startProtocol throws', () => {
    class Failing extends Recorder {
      override startProtocol(): void {
        throw new Error('cannot start');
      }
    }
    const port = new UdpPort(owner, 0, new Failing(), config());
    expect(() => port.startListening()).toThrow('cannot start');
    expect(sockets[0].calls.map((c) => c[0])).toEqual(['bind', 'destroy']);
    expect(port.state).toBe('closed');
  });

  it('sets socket options through the backend (broadcast; multicast TTL, loopback, interface, groups)', async () => {
    const port = new MulticastPort(owner, 0, new Recorder(), { ...config(), listenMultiple: true });
    port.startListening();
    const socket = sockets[0];
    expect(socket.spec.reuseAddr).toBe(true);
    port.setBroadcastAllowed(true);
    port.setTTL(0);
    port.setLoopbackMode(false);
    await port.setOutgoingInterface('127.0.0.1');
    await port.joinGroup('239.1.2.3', '127.0.0.1');
    await port.leaveGroup('239.1.2.3', '127.0.0.1');
    await port.joinSourceGroup('127.0.0.1', '232.1.2.3', '127.0.0.1');
    expect(socket.calls.slice(1)).toEqual([
      ['setBroadcast', true],
      ['setMulticastTTL', 0],
      ['setMulticastLoopback', false],
      ['setMulticastInterface', '127.0.0.1'],
      ['changeMembership', true, '239.1.2.3', '127.0.0.1'],
      ['changeMembership', false, '239.1.2.3', '127.0.0.1'],
      ['changeSourceMembership', true, '127.0.0.1', '232.1.2.3', '127.0.0.1'],
    ]);
    const failed = port.joinGroup('239.9.9.9', '127.0.0.1');
    await expect(failed.asPromise()).rejects.toThrow(MulticastJoinError);
    await turns(1);
  });
});
