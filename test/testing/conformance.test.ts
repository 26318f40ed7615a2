/**
 * One set of protocol-level tests run against every implementation of the reactor's UDP
 * interfaces — the real `Reactor` on loopback, `MemoryReactor`, and `VirtualNetwork` hosts —
 * as Twisted's ReactorBuilder runs one suite against every reactor. If a fake drifts from the
 * real thing, a test here fails for the fake.
 *
 * The real reactor opens sockets on 127.0.0.1: run this file inside `.ci/netns.sh`. Its
 * multicast test needs the namespace's 224.0.0.0/4 route on lo and is skipped outside it.
 *
 * This is the datagram half; the stream half (a `StreamEnv` per implementation of
 * `IReactorTCP`) is conformance-streams.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AlreadyListeningError, InvalidAddressError, MessageLengthError } from '../../src/errors.ts';
import type {
  AddressTuple,
  IDatagramProtocol,
  IMulticastTransport,
  IUDPTransport,
} from '../../src/interfaces.ts';
import { Reactor } from '../../src/reactor/index.ts';
import { IPv4Address } from '../../src/transports/index.ts';
import { MemoryReactor, VirtualNetwork } from '../../src/testing/index.ts';
import type { VirtualHost } from '../../src/testing/index.ts';
import { Echo, Recorder, captureLog } from './fixtures/recorder.ts';

const inNetns = process.env.TWISTED_TS_IN_NETNS === '1';

/** What a test needs from an implementation: places to listen, and a way to let time pass. */
interface Env {
  /** Whether datagrams travel between ports (MemoryReactor only records them). */
  readonly carries: boolean;
  /** Whether real multicast can run here. */
  readonly multicast: boolean;
  /** Listens on node 0 or 1 (the same machine for the real reactor, two hosts on the network). */
  listenUDP(node: number, protocol: IDatagramProtocol, options?: { maxPacketSize?: number }): IUDPTransport;
  listenMulticast(node: number, protocol: IDatagramProtocol, port: number): IMulticastTransport;
  /** The interface the ports of `node` were bound to. */
  interfaceOf(node: number): string;
  /** Where other nodes reach `port`. */
  addressOf(port: IUDPTransport): AddressTuple;
  /** A port number on `node` that nobody listens on. */
  unusedPort(node: number): number;
  /** Lets time pass (running `poke` each step) until `check()` holds; fails after a while. */
  settle(check: () => boolean, poke?: () => void): Promise<void>;
  /** Exercises the listen call of this implementation directly, for argument checks. */
  listenRaw(...args: unknown[]): IUDPTransport;
  teardown(): Promise<void>;
}

interface Builder {
  name: string;
  build(): Env;
}

const realReactor: Builder = {
  name: 'Reactor (real sockets on 127.0.0.1)',
  build(): Env {
    const reactor = new Reactor();
    return {
      carries: true,
      multicast: inNetns,
      listenUDP: (_node, protocol, options = {}) =>
        reactor.listenUDP(0, protocol, { interface: '127.0.0.1', ...options }),
      listenMulticast: (_node, protocol, port) =>
        reactor.listenMulticast(port, protocol, { listenMultiple: true }),
      interfaceOf: () => '127.0.0.1',
      addressOf: (port) => ['127.0.0.1', port.getHost().port],
      unusedPort: () => {
        const probe = reactor.listenUDP(0, new Recorder(), '127.0.0.1');
        const number = probe.getHost().port;
        probe.stopListening(); // the socket closes now; the number is free again
        return number;
      },
      async settle(check, poke) {
        const deadline = Date.now() + 5000;
        while (!check()) {
          if (Date.now() > deadline) throw new Error('timed out waiting on real sockets');
          poke?.();
          await new Promise((r) => setTimeout(r, 10));
        }
      },
      listenRaw: (...args) => (reactor.listenUDP as (...a: unknown[]) => IUDPTransport)(...args),
      async teardown() {
        await Promise.all(reactor.getListeningPorts().map((p) => p.stopListening().asPromise()));
      },
    };
  },
};

const memoryReactor: Builder = {
  name: 'MemoryReactor',
  build(): Env {
    const reactor = new MemoryReactor();
    return {
      carries: false,
      multicast: false,
      listenUDP: (_node, protocol, options = {}) =>
        reactor.listenUDP(0, protocol, { interface: '127.0.0.1', ...options }),
      listenMulticast: (_node, protocol, port) =>
        reactor.listenMulticast(port, protocol, { listenMultiple: true }),
      interfaceOf: () => '127.0.0.1',
      addressOf: (port) => ['127.0.0.1', port.getHost().port],
      unusedPort: () => 9,
      settle: () => Promise.reject(new Error('MemoryReactor carries no datagrams')),
      listenRaw: (...args) => (reactor.listenUDP as (...a: unknown[]) => IUDPTransport)(...args),
      async teardown() {
        await Promise.all(reactor.getListeningPorts().map((p) => p.stopListening().asPromise()));
      },
    };
  },
};

const virtualNetwork: Builder = {
  name: 'VirtualNetwork (two hosts, 10 ms latency)',
  build(): Env {
    const network = new VirtualNetwork({ seed: 1, latency: 0.01 });
    const hosts: VirtualHost[] = [network.addHost('10.0.0.1'), network.addHost('10.0.0.2')];
    return {
      carries: true,
      multicast: true,
      listenUDP: (node, protocol, options = {}) =>
        hosts[node].listenUDP(0, protocol, { interface: hosts[node].ip, ...options }),
      listenMulticast: (node, protocol, port) =>
        hosts[node].listenMulticast(port, protocol, { listenMultiple: true }),
      interfaceOf: (node) => hosts[node].ip,
      addressOf: (port) => [port.getHost().host, port.getHost().port],
      unusedPort: () => 9,
      async settle(check, poke) {
        for (let i = 0; i < 500 && !check(); i++) {
          poke?.();
          network.run(0.01);
        }
        if (!check()) throw new Error('the virtual network did not get there in 5 simulated seconds');
      },
      listenRaw: (...args) => (hosts[0].listenUDP as (...a: unknown[]) => IUDPTransport)(...args),
      async teardown() {
        for (const host of hosts) host.stopAllPorts();
      },
    };
  },
};

describe.each([realReactor, memoryReactor, virtualNetwork])('$name', (builder) => {
  let env: Env;
  afterEach(async () => {
    await env.teardown();
  });
  const setup = (): Env => (env = builder.build());

  it('starts the protocol inside listen, and stops it once the port stopped', async () => {
    const e = setup();
    const proto = new Recorder();
    const port = e.listenUDP(0, proto);
    expect(proto.started).toBe(1);
    expect(proto.transport).toBe(port);
    expect(proto.numPorts).toBe(1);
    await port.stopListening();
    expect(proto.stopped).toBe(1);
    expect(proto.transport).toBeUndefined();
    expect(proto.numPorts).toBe(0);
    await port.stopListening(); // harmless
    expect(proto.stopped).toBe(1);
    expect(() => port.write(Buffer.from('x'), ['127.0.0.1', 9])).toThrow(
      expect.objectContaining({ code: 'ERR_SOCKET_DGRAM_NOT_RUNNING' }),
    );
    // The same protocol may listen again, as in Twisted.
    e.listenUDP(0, proto);
    expect(proto.started).toBe(2);
  });

  it('a port stopped from inside startProtocol stops the protocol once it has started', async () => {
    const e = setup();
    const log = captureLog();
    try {
      const proto = new (class extends Recorder {
        stopping: Promise<void> | undefined;
        override startProtocol(): void {
          super.startProtocol();
          this.stopping = this.transport.stopListening().asPromise();
        }
      })();
      e.listenUDP(0, proto);
      await proto.stopping;
      expect(proto.started).toBe(1);
      expect(proto.stopped).toBe(1);
      expect(proto.numPorts).toBe(0);
      expect(proto.transport).toBeUndefined();
      expect(log.errors()).toEqual([]);
    } finally {
      log.stop();
    }
  });

  it('getHost() reports a UDP IPv4Address on the interface asked for', () => {
    const e = setup();
    const host = e.listenUDP(0, new Recorder()).getHost();
    expect(host).toBeInstanceOf(IPv4Address);
    expect(host.type).toBe('UDP');
    expect(host.host).toBe(e.interfaceOf(0));
    expect(Number.isInteger(host.port)).toBe(true);
    if (e.carries) expect(host.port).toBeGreaterThan(0); // a real (or simulated) port was chosen
  });

  it('checks listen arguments the same way', () => {
    const e = setup();
    expect(() => e.listenRaw(-1, new Recorder())).toThrow(RangeError);
    expect(() => e.listenRaw(65536, new Recorder())).toThrow(RangeError);
    expect(() => e.listenRaw('80', new Recorder())).toThrow(TypeError);
    expect(() => e.listenRaw(0, {})).toThrow(TypeError);
    expect(() => e.listenRaw(0, new Recorder(), 'localhost')).toThrow(InvalidAddressError);
    expect(() => e.listenRaw(0, new Recorder(), { iface: '127.0.0.1' })).toThrow(TypeError);
    expect(() => e.listenRaw(0, new Recorder(), { maxPacketSize: 0 })).toThrow(RangeError);
    expect(() => e.listenRaw(0, new Recorder(), { maxSendQueue: 0 })).toThrow(RangeError);
    expect(() => e.listenRaw(0, new Recorder(), { maxSendQueue: '1' })).toThrow(TypeError);
    const capped = e.listenRaw(0, new Recorder(), { interface: '127.0.0.1', maxSendQueue: 65536 });
    expect(capped.getHost().host).toBe('127.0.0.1');
    void capped.stopListening();
    const busy = new Recorder();
    e.listenUDP(0, busy);
    expect(() => e.listenUDP(0, busy)).toThrow(AlreadyListeningError);
  });

  it('refuses bad writes with the real port’s errors', () => {
    const e = setup();
    const port = e.listenUDP(0, new Recorder());
    const code = (c: string) => expect.objectContaining({ code: c });
    expect(() => port.write(Buffer.from('x'), ['localhost', 9])).toThrow(InvalidAddressError);
    expect(() => port.write(Buffer.from('x'), ['::1', 9])).toThrow(
      /IPv4 port write\(\) called with IPv6 address/,
    );
    expect(() => port.write(Buffer.alloc(65508), ['127.0.0.1', 9])).toThrow(MessageLengthError);
    expect(() => port.write(Buffer.from('x'), ['127.0.0.1', 0])).toThrow(code('ERR_OUT_OF_RANGE'));
    expect(() => port.write(Buffer.from('x'))).toThrow(code('ERR_INVALID_ARG_TYPE'));
    expect(() => port.write('x' as unknown as Buffer, ['127.0.0.1', 9])).toThrow(
      code('ERR_INVALID_ARG_TYPE'),
    );
    expect(() => port.writeSequence([Buffer.alloc(40000), Buffer.alloc(40000)], ['127.0.0.1', 9])).toThrow(
      MessageLengthError,
    );
    expect(() => port.connect('localhost', 9)).toThrow(InvalidAddressError);
    port.connect('127.0.0.1', 9);
    expect(() => port.connect('127.0.0.1', 10)).toThrow(code('ERR_SOCKET_DGRAM_IS_CONNECTED'));
    expect(() => port.write(Buffer.from('x'), ['127.0.0.1', 10])).toThrow(code('ERR_INVALID_ARG_VALUE'));
  });

  it('carries an echo round trip, from and to the right addresses', async (ctx) => {
    const e = setup();
    if (!e.carries) ctx.skip();
    const server = e.listenUDP(1, new Echo());
    const client = new Recorder();
    const port = e.listenUDP(0, client);
    port.write(Buffer.from('ping'), e.addressOf(server));
    await e.settle(() => client.received.length > 0);
    expect(client.received.map(([, payload, from]) => [payload, from])).toEqual([
      ['ping', e.addressOf(server)],
    ]);
  });

  it('cuts datagrams longer than maxPacketSize', async (ctx) => {
    const e = setup();
    if (!e.carries) ctx.skip();
    const server = new Recorder();
    const serverPort = e.listenUDP(1, server, { maxPacketSize: 10 });
    e.listenUDP(0, new Recorder()).write(Buffer.alloc(100, 0x61), e.addressOf(serverPort));
    await e.settle(() => server.received.length > 0);
    expect(server.payloads()).toEqual(['a'.repeat(10)]);
  });

  it('a connected port whose peer listens nowhere hears connectionRefused', async (ctx) => {
    const e = setup();
    if (!e.carries) ctx.skip();
    const client = new Recorder();
    const port = e.listenUDP(0, client);
    port.connect(e.interfaceOf(1), e.unusedPort(1));
    // Linux reports the ICMP error on a later send or read: keep poking until it comes.
    await e.settle(
      () => client.refused > 0,
      () => port.write(Buffer.from('anyone?')),
    );
    expect(client.refused).toBeGreaterThan(0);
    expect(port.getHost().port).toBeGreaterThan(0); // the port stays open
  });

  it('delivers a multicast datagram to every port that joined the group', async (ctx) => {
    const e = setup();
    if (!e.multicast) ctx.skip();
    const group = '228.0.0.77';
    const first = new Recorder();
    const a = e.listenMulticast(0, first, 0);
    const number = a.getHost().port;
    const second = new Recorder();
    const b = e.listenMulticast(1, second, number);
    await a.joinGroup(group, '127.0.0.1');
    await b.joinGroup(group, '127.0.0.1');
    const sender = e.listenMulticast(0, new Recorder(), 0);
    await sender.setOutgoingInterface('127.0.0.1');
    sender.setTTL(1);
    sender.write(Buffer.from('hello group'), [group, number]);
    await e.settle(() => first.received.length > 0 && second.received.length > 0);
    expect(first.payloads()).toEqual(['hello group']);
    expect(second.payloads()).toEqual(['hello group']);
  });
});
