/**
 * The stream half of the conformance suite (conformance.test.ts is the datagram half): one set
 * of protocol-level TCP tests run against every implementation of `IReactorTCP` — the real
 * `Reactor` on loopback, `MemoryReactor` (where it applies: it records, it carries nothing) and
 * `VirtualNetwork` hosts — as Twisted's ReactorBuilder runs one suite against every reactor
 * (twisted/internet/test/test_tcp.py, connectionmixins.py). If a fake drifts from the real
 * connection, its row fails here.
 *
 * The real reactor opens sockets on 127.0.0.1: run this file inside `.ci/netns.sh`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConnectionAborted,
  ConnectionDone,
  ConnectionLost,
  ConnectionRefusedError,
  ConnectorStateError,
  NotConnectingError,
  UserError,
} from '../../src/errors.ts';
import type {
  AddressTuple,
  ConnectTCPOptions,
  IClientFactory,
  IConnector,
  IListeningPort,
  IProtocolFactory,
  IPullProducer,
  IPushProducer,
  ListenTCPOptions,
} from '../../src/interfaces.ts';
import { Factory, ReconnectingClientFactory } from '../../src/protocols/index.ts';
import { Reactor } from '../../src/reactor/index.ts';
import { IPv4Address } from '../../src/transports/index.ts';
import { MemoryReactor, VirtualNetwork } from '../../src/testing/index.ts';
import type { VirtualHost } from '../../src/testing/index.ts';
import { captureLog } from './fixtures/recorder.ts';
import { Echo, HalfCloseRecording, Keeper, Recording } from './fixtures/streams.ts';

/** What a test needs from an implementation: where to listen and connect, and a way to let time pass. */
interface StreamEnv {
  /** Whether connections are made (MemoryReactor only records). */
  readonly carries: boolean;
  /** Listens on node 0 or 1 (the same machine for the real reactor, two hosts on the network), port 0. */
  listen(node: number, factory: IProtocolFactory, options?: ListenTCPOptions): IListeningPort;
  /** Connects from node `node` to `port`. */
  connect(
    node: number,
    port: IListeningPort,
    factory: IClientFactory,
    options?: ConnectTCPOptions,
  ): IConnector;
  /** The interface the ports of `node` are bound to. */
  interfaceOf(node: number): string;
  /** A port number on `node` that nobody listens on. */
  unusedPort(node: number): number;
  /** Connects from `node` to `host:port` directly (for refused connections). */
  connectTo(node: number, host: string, port: number, factory: IClientFactory): IConnector;
  /** Lets time pass until `check()` holds; fails after a while. */
  settle(check: () => boolean): Promise<void>;
  /** The listen and connect calls of this implementation, for argument checks. */
  listenRaw(...args: unknown[]): IListeningPort;
  connectRaw(...args: unknown[]): IConnector;
  /** The clock of node `node` (for a ReconnectingClientFactory). */
  clockOf(node: number): Reactor | VirtualHost | MemoryReactor;
  teardown(): Promise<void>;
}

interface Builder {
  name: string;
  build(): StreamEnv;
}

const realReactor: Builder = {
  name: 'Reactor (real TCP on 127.0.0.1)',
  build(): StreamEnv {
    const reactor = new Reactor();
    return {
      carries: true,
      listen: (_node, factory, options = {}) =>
        reactor.listenTCP(0, factory, { interface: '127.0.0.1', ...options }),
      connect: (_node, port, factory, options) =>
        reactor.connectTCP('127.0.0.1', port.getHost().port, factory, options),
      interfaceOf: () => '127.0.0.1',
      unusedPort: () => {
        const probe = reactor.listenTCP(0, Factory.forProtocol(Recording), 50, '127.0.0.1');
        const number = probe.getHost().port;
        void probe.stopListening();
        return number;
      },
      connectTo: (_node, host, port, factory) => reactor.connectTCP(host, port, factory),
      async settle(check) {
        const deadline = Date.now() + 10_000;
        while (!check()) {
          if (Date.now() > deadline) throw new Error('timed out waiting on real sockets');
          await new Promise((r) => setTimeout(r, 5));
        }
      },
      listenRaw: (...args) => (reactor.listenTCP as (...a: unknown[]) => IListeningPort)(...args),
      connectRaw: (...args) => (reactor.connectTCP as (...a: unknown[]) => IConnector)(...args),
      clockOf: () => reactor,
      async teardown() {
        const waits: Promise<unknown>[] = reactor
          .getListeningPorts()
          .map((p) => p.stopListening().asPromise());
        for (const c of reactor.getConnections()) waits.push(Promise.resolve(c.disconnectForShutdown()));
        await Promise.all(waits);
      },
    };
  },
};

const memoryReactor: Builder = {
  name: 'MemoryReactor',
  build(): StreamEnv {
    const reactor = new MemoryReactor();
    let next = 8000; // a memory port reports the number asked for: 0 would stay 0
    return {
      carries: false,
      listen: (_node, factory, options = {}) =>
        reactor.listenTCP(next++, factory, { interface: '127.0.0.1', ...options }),
      connect: (_node, port, factory, options) =>
        reactor.connectTCP('127.0.0.1', port.getHost().port, factory, options),
      interfaceOf: () => '127.0.0.1',
      unusedPort: () => 9,
      connectTo: (_node, host, port, factory) => reactor.connectTCP(host, port, factory),
      settle: () => Promise.reject(new Error('MemoryReactor carries nothing')),
      listenRaw: (...args) => (reactor.listenTCP as (...a: unknown[]) => IListeningPort)(...args),
      connectRaw: (...args) => (reactor.connectTCP as (...a: unknown[]) => IConnector)(...args),
      clockOf: () => reactor,
      async teardown() {
        await Promise.all(reactor.getListeningPorts().map((p) => p.stopListening().asPromise()));
      },
    };
  },
};

const virtualNetwork: Builder = {
  name: 'VirtualNetwork (two hosts, 10 ms latency)',
  build(): StreamEnv {
    const network = new VirtualNetwork({ seed: 1, latency: 0.01 });
    const hosts: VirtualHost[] = [network.addHost('10.0.0.1'), network.addHost('10.0.0.2')];
    const portHost = new Map<IListeningPort, VirtualHost>();
    return {
      carries: true,
      listen: (node, factory, options = {}) => {
        const port = hosts[node].listenTCP(0, factory, { interface: hosts[node].ip, ...options });
        portHost.set(port, hosts[node]);
        return port;
      },
      connect: (node, port, factory, options) =>
        hosts[node].connectTCP(port.getHost().host, port.getHost().port, factory, options),
      interfaceOf: (node) => hosts[node].ip,
      unusedPort: () => 9,
      connectTo: (node, host, port, factory) => hosts[node].connectTCP(host, port, factory),
      async settle(check) {
        for (let i = 0; i < 1000 && !check(); i++) {
          network.run(0.01);
          await Promise.resolve(); // let async protocol code resume between steps
        }
        if (!check()) throw new Error('the virtual network did not get there in 10 simulated seconds');
      },
      listenRaw: (...args) => (hosts[0].listenTCP as (...a: unknown[]) => IListeningPort)(...args),
      connectRaw: (...args) => (hosts[0].connectTCP as (...a: unknown[]) => IConnector)(...args),
      clockOf: (node) => hosts[node],
      async teardown() {
        for (const host of hosts) host.shutdown();
        network.run(1);
      },
    };
  },
};

/** The `code` of what `fn` throws (or 'none'). */
function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code ?? (e as Error).name;
  }
  return 'none';
}

describe.each([realReactor, memoryReactor, virtualNetwork])('$name', (builder) => {
  let env: StreamEnv;
  let log: ReturnType<typeof captureLog>;
  afterEach(async () => {
    await env.teardown();
    log.stop();
  });
  const setup = (): StreamEnv => {
    log = captureLog();
    return (env = builder.build());
  };

  /** A server on node 1 and a client factory; connected once `settle` says so. */
  async function connected<S extends Recording, C extends Recording>(
    e: StreamEnv,
    server: new () => S,
    client: new () => C,
  ) {
    const servers = new Keeper(server);
    const clients = new Keeper(client);
    const port = e.listen(1, servers);
    const connector = e.connect(0, port, clients);
    await e.settle(() => clients.built.length > 0 && servers.built.length > 0 && servers.last.made);
    return { servers, clients, port, connector, server: servers.last, client: clients.last };
  }

  it('listenTCP starts the factory and reports a TCP address; stopListening stops it, twice harmlessly', async () => {
    const e = setup();
    const factory = new Keeper(Recording);
    const port = e.listen(1, factory);
    expect(factory.numPorts).toBe(1);
    const host = port.getHost();
    expect(host).toBeInstanceOf(IPv4Address);
    expect(host.type).toBe('TCP');
    expect(host.host).toBe(e.interfaceOf(1));
    if (e.carries) expect(host.port).toBeGreaterThan(0);
    await port.stopListening();
    await port.stopListening();
    expect(factory.numPorts).toBe(0);
  });

  it('checks listen and connect arguments with the same errors', () => {
    const e = setup();
    const f = new Keeper(Recording);
    const listenCodes = [
      codeOf(() => e.listenRaw(-1, f)),
      codeOf(() => e.listenRaw('80', f)),
      codeOf(() => e.listenRaw(0, {})),
      codeOf(() => e.listenRaw(0, f, -1)),
      codeOf(() => e.listenRaw(0, f, 50, 'localhost')),
      codeOf(() => e.listenRaw(0, f, { iface: '' })),
      codeOf(() => e.listenRaw(0, f, { reusePort: 1 })),
    ];
    expect(listenCodes).toEqual([
      'ERR_OUT_OF_RANGE',
      'ERR_INVALID_ARG_TYPE',
      'ERR_INVALID_ARG_TYPE',
      'ERR_OUT_OF_RANGE',
      'ERR_INVALID_ADDRESS',
      'ERR_INVALID_ARG_TYPE',
      'ERR_INVALID_ARG_TYPE',
    ]);
    const connectCodes = [
      codeOf(() => e.connectRaw('', 80, f)),
      codeOf(() => e.connectRaw('127.0.0.1', 0, f)),
      codeOf(() => e.connectRaw('127.0.0.1', 80, new Factory())),
      codeOf(() => e.connectRaw('127.0.0.1', 80, f, 0)),
      codeOf(() => e.connectRaw('127.0.0.1', 80, f, 30, ['localhost', 0])),
      codeOf(() => e.connectRaw('127.0.0.1', 80, f, { bindAddress: ['127.0.0.1'] })),
      codeOf(() => e.connectRaw('127.0.0.1', 80, f, { timeout: '1' })),
    ];
    expect(connectCodes).toEqual([
      'ERR_INVALID_ARG_VALUE',
      'ERR_OUT_OF_RANGE',
      'ERR_INVALID_ARG_TYPE',
      'ERR_OUT_OF_RANGE',
      'ERR_INVALID_ADDRESS',
      'ERR_INVALID_ARG_TYPE',
      'ERR_INVALID_ARG_TYPE',
    ]);
    expect(f.numPorts).toBe(0);
  });

  it('connectTCP calls startedConnecting at once; stopConnecting fails the attempt with UserError', async () => {
    const e = setup();
    const port = e.listen(1, new Keeper(Recording));
    const clients = new Keeper(Recording);
    let started = 0;
    clients.startedConnecting = () => {
      started += 1;
    };
    const connector = e.connect(0, port, clients);
    expect(started).toBe(1);
    expect(connector.state).toBe('connecting');
    expect(() => connector.connect()).toThrow(ConnectorStateError);
    connector.stopConnecting();
    expect(connector.state).toBe('disconnected');
    expect(clients.failures.map((f) => f.value)).toEqual([expect.any(UserError)]);
    expect(() => connector.stopConnecting()).toThrow(NotConnectingError);
    expect(clients.numPorts).toBe(0);
  });

  it('carries an echo round trip between the right addresses', async (ctx) => {
    const e = setup();
    if (!e.carries) ctx.skip();
    const { client, server, connector, port } = await connected(e, Echo, Recording);
    expect(connector.state).toBe('connected');
    client.transport.write(Buffer.from('ping'));
    await e.settle(() => client.received === 'ping');
    expect(server.received).toBe('ping');
    expect(client.transport.getPeer()).toEqual(port.getHost());
    expect(server.transport.getPeer()).toEqual(client.transport.getHost());
    expect(client.transport.getHost().type).toBe('TCP');
    expect(client.transport.logPrefix()).toBe('Recording,client');
    expect(codeOf(() => client.transport.write('text' as never))).toBe('ERR_INVALID_ARG_TYPE');
    expect(codeOf(() => client.transport.writeSequence([Buffer.from('a'), 'b'] as never))).toBe(
      'ERR_INVALID_ARG_TYPE',
    );
    expect(codeOf(() => client.transport.registerProducer({} as never, true))).toBe('ERR_INVALID_ARG_TYPE');
    expect(server.transport.logPrefix()).toBe(`Echo,0,${e.interfaceOf(0)}`);
  });

  it('a connection to a port nobody listens on is refused', async (ctx) => {
    const e = setup();
    if (!e.carries) ctx.skip();
    const clients = new Keeper(Recording);
    e.connectTo(0, e.interfaceOf(1), e.unusedPort(1), clients);
    await e.settle(() => clients.failures.length > 0);
    expect(clients.failures[0].value).toBeInstanceOf(ConnectionRefusedError);
    expect((clients.failures[0].value as ConnectionRefusedError).osError?.code).toBe('ECONNREFUSED');
    expect(clients.numPorts).toBe(0);
  });

  it('loseConnection sends what was written first; both sides see ConnectionDone; later writes are ignored', async (ctx) => {
    const e = setup();
    if (!e.carries) ctx.skip();
    const { client, server, clients } = await connected(e, Recording, Recording);
    client.transport.write(Buffer.from('last words'));
    client.transport.loseConnection();
    client.transport.write(Buffer.from(' and more'));
    expect(client.transport.disconnecting).toBe(true);
    await e.settle(() => client.lost && server.lost);
    expect(server.received).toBe('last words');
    expect(client.reason?.value).toBeInstanceOf(ConnectionDone);
    expect(server.reason?.value).toBeInstanceOf(ConnectionDone);
    expect(clients.losses.map((f) => f.value)).toEqual([expect.any(ConnectionDone)]);
    expect(client.transport.disconnected).toBe(true);
  });

  it('abortConnection: ConnectionAborted here, ConnectionLost there', async (ctx) => {
    const e = setup();
    if (!e.carries) ctx.skip();
    const { client, server } = await connected(e, Recording, Recording);
    client.transport.abortConnection();
    await e.settle(() => client.lost && server.lost);
    expect(client.reason?.value).toBeInstanceOf(ConnectionAborted);
    expect(server.reason?.value).toBeInstanceOf(ConnectionLost);
    expect(server.reason?.value).not.toBeInstanceOf(ConnectionAborted);
  });

  it('half-close: readConnectionLost, writeConnectionLost, then ConnectionDone once both halves are done', async (ctx) => {
    const e = setup();
    if (!e.carries) ctx.skip();
    const { client, server } = await connected(e, HalfCloseRecording, HalfCloseRecording);
    client.transport.write(Buffer.from('request'));
    client.transport.loseWriteConnection();
    await e.settle(() => server.events.some(([, ev]) => ev === 'readLost'));
    expect(server.received).toBe('request');
    server.transport.write(Buffer.from('response'));
    server.transport.loseWriteConnection();
    await e.settle(() => client.lost && server.lost);
    expect(client.events.map(([, ev, d]) => [ev, d])).toEqual([
      ['made', ''],
      ['writeLost', ''],
      ['data', 'response'],
      ['readLost', ''],
      ['lost', 'ConnectionDone'],
    ]);
    expect(server.events.map(([, ev]) => ev)).toEqual(['made', 'data', 'readLost', 'writeLost', 'lost']);
  });

  it('an exception in dataReceived is logged and drops the connection with it as the reason', async (ctx) => {
    const e = setup();
    if (!e.carries) ctx.skip();
    class Failing extends Recording {
      override dataReceived(): void {
        throw new Error('bad input');
      }
    }
    const { client, server } = await connected(e, Failing, Recording);
    client.transport.write(Buffer.from('x'));
    await e.settle(() => client.lost && server.lost);
    expect(server.reason?.value.message).toBe('bad input');
    expect(client.reason?.value).toBeInstanceOf(ConnectionDone);
    expect(log.errors().map((ev) => ev.why)).toEqual([
      `Unhandled error in Failing,0,${e.interfaceOf(0)} dataReceived`,
    ]);
  });

  it('a server factory that returns undefined: the client sees the connection made, then closed', async (ctx) => {
    const e = setup();
    if (!e.carries) ctx.skip();
    const refusing = new (class extends Factory {
      override buildProtocol() {
        return undefined;
      }
    })();
    refusing.noisy = false;
    const port = e.listen(1, refusing);
    const clients = new Keeper(Recording);
    e.connect(0, port, clients);
    await e.settle(() => clients.built.length > 0 && clients.last.lost);
    expect(clients.last.reason?.value).toBeInstanceOf(ConnectionDone);
  });

  it('a streaming producer is paused while the peer does not read, and everything arrives once it does', async (ctx) => {
    const e = setup();
    if (!e.carries) ctx.skip();
    const { client, server } = await connected(e, Recording, Recording);
    server.transport.pauseProducing();
    const chunk = Buffer.alloc(65536, 0x62);
    const limit = 64 * 1024 * 1024;
    let sent = 0;
    let paused = false;
    let pauses = 0;
    const producer: IPushProducer = {
      pauseProducing: () => {
        paused = true;
        pauses += 1;
      },
      resumeProducing: () => {
        paused = false;
      },
      stopProducing: () => {},
    };
    client.transport.registerProducer(producer, true);
    const pump = (): void => {
      while (!paused && sent < limit) {
        client.transport.write(chunk);
        sent += chunk.length;
      }
    };
    pump();
    expect(pauses).toBe(1);
    expect(sent).toBeLessThan(limit); // paused long before the limit: memory stays bounded
    const target = sent;
    server.transport.resumeProducing();
    await e.settle(() => {
      if (!paused && sent === target) client.transport.unregisterProducer();
      return (
        server.events.filter(([, ev]) => ev === 'data').reduce((n, [, , d]) => n + d.length, 0) >= target
      );
    });
    expect(paused).toBe(false);
  });

  it('a pull producer is asked for each chunk once the previous one has gone', async (ctx) => {
    const e = setup();
    if (!e.carries) ctx.skip();
    const { client, server } = await connected(e, Recording, Recording);
    let asked = 0;
    const producer: IPullProducer = {
      resumeProducing: () => {
        asked += 1;
        if (asked > 5) {
          client.transport.unregisterProducer();
          client.transport.loseConnection();
          return;
        }
        client.transport.write(Buffer.from(`chunk${asked};`));
      },
      stopProducing: () => {},
    };
    client.transport.registerProducer(producer, false);
    expect(asked).toBe(1);
    await e.settle(() => server.lost);
    expect(asked).toBe(6);
    expect(server.received).toBe('chunk1;chunk2;chunk3;chunk4;chunk5;');
  });

  it('a ReconnectingClientFactory reconnects after the server drops the connection', async (ctx) => {
    const e = setup();
    if (!e.carries) ctx.skip();
    const servers = new Keeper(Recording);
    const port = e.listen(1, servers);
    const factory = ReconnectingClientFactory.forProtocol(Recording);
    factory.noisy = false;
    factory.clock = e.clockOf(0) as ReconnectingClientFactory['clock'];
    factory.initialDelay = factory.delay = 0.01;
    factory.maxDelay = 0.05;
    factory.random = () => 0.5;
    const [host, number]: AddressTuple = [port.getHost().host, port.getHost().port];
    const connector = e.connectTo(0, host, number, factory);
    await e.settle(() => servers.built.length === 1 && servers.last.made);
    servers.last.transport.loseConnection();
    await e.settle(() => servers.built.length === 2 && servers.last.made);
    expect(connector.state).toBe('connected');
    factory.stopTrying();
    connector.disconnect();
    await e.settle(() => servers.last.lost);
  });
});
