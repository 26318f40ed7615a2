/**
 * TCP on the virtual network: connections with latency, loss (as retransmission delay),
 * partitions that stall data and stall or fail connects, resets, half-close, flow control —
 * deterministic for a seed, on simulated time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  CannotListenError,
  ConnectBindError,
  ConnectionAborted,
  ConnectionDone,
  ConnectionLost,
  ConnectionRefusedError,
  ConnectorStateError,
  DNSLookupError,
  InvalidAddressError,
  NoRouteError,
  NotConnectingError,
  TCPTimedOutError,
  TimeoutError,
  UserError,
} from '../../src/errors.ts';
import type { IPullProducer, IPushProducer } from '../../src/interfaces.ts';
import { Factory, Protocol, ReconnectingClientFactory } from '../../src/protocols/index.ts';
import { IPv4Address, IPv6Address } from '../../src/transports/index.ts';
import { VirtualConnection, VirtualNetwork } from '../../src/testing/index.ts';
import type { VirtualNetworkOptions } from '../../src/testing/index.ts';
import { Recorder, captureLog } from './fixtures/recorder.ts';
import {
  ChatClient,
  ChatServerFactory,
  Echo,
  HalfCloseRecording,
  Keeper,
  Recording,
} from './fixtures/streams.ts';

let log: ReturnType<typeof captureLog> | undefined;
afterEach(() => {
  log?.stop();
  log = undefined;
});

/** Hosts a (10.0.0.1) and b (10.0.0.2), a server factory of `P` listening on b:8000, a client factory of `C` on a. */
function net<P extends Recording, C extends Recording>(
  server: new () => P,
  client: new () => C,
  options: VirtualNetworkOptions = {},
) {
  log = captureLog();
  const network = new VirtualNetwork({ seed: 1, ...options });
  const a = network.addHost('10.0.0.1');
  const b = network.addHost('10.0.0.2', { names: ['server'] });
  const servers = new Keeper(server, network.clock);
  const clients = new Keeper(client, network.clock);
  const port = b.listenTCP(8000, servers);
  return { network, a, b, servers, clients, port };
}

const closeTo = (x: number) => expect.closeTo(x, 9);

describe('VirtualNetwork TCP: connecting', () => {
  it('connects after one round trip, accepts after one and a half, and echoes', () => {
    const { network, a, servers, clients } = net(Echo, Recording, { latency: 0.05 });
    const connector = a.connectTCP('10.0.0.2', 8000, clients);
    expect(connector.state).toBe('connecting');
    network.run(0.099);
    expect(clients.built).toHaveLength(0);
    network.run(0.002);
    expect(connector.state).toBe('connected');
    const client = clients.last;
    expect(client.events).toEqual([[closeTo(0.1), 'made', '']]);
    client.transport.write(Buffer.from('hello')); // at 0.101
    network.run(1);
    expect(servers.last.events).toEqual([
      [closeTo(0.15), 'made', ''],
      [closeTo(0.151), 'data', 'hello'],
    ]);
    expect(client.events.at(-1)).toEqual([closeTo(0.201), 'data', 'hello']);
    expect(client.transport.getHost()).toEqual(new IPv4Address('TCP', '10.0.0.1', 32768));
    expect(client.transport.getPeer()).toEqual(new IPv4Address('TCP', '10.0.0.2', 8000));
    expect(servers.last.transport.getPeer()).toEqual(new IPv4Address('TCP', '10.0.0.1', 32768));
    expect(servers.last.transport.getHost()).toEqual(new IPv4Address('TCP', '10.0.0.2', 8000));
    expect(client.transport.logPrefix()).toBe('Recording,client');
    expect(servers.last.transport.logPrefix()).toBe('Echo,0,10.0.0.1');
    expect(network.streamStats()).toMatchObject({
      connects: 1,
      established: 1,
      bytesSent: 10,
      bytesDelivered: 10,
    });
  });

  it('reports nothing inside connectTCP: startedConnecting at once, the outcome on a later step', () => {
    const { network, a, clients } = net(Echo, Recording);
    let started = 0;
    clients.startedConnecting = () => {
      started += 1;
    };
    a.connectTCP('10.0.0.9', 1, clients, { timeout: 1 });
    expect(started).toBe(1);
    expect(clients.failures).toEqual([]);
    network.run(0);
    expect(clients.failures).toEqual([]);
  });

  it('refuses a connection to a port nobody listens on, after a round trip', () => {
    const { network, a, clients } = net(Echo, Recording, { latency: 0.05 });
    const connector = a.connectTCP('10.0.0.2', 8001, clients);
    network.run(0.099);
    expect(clients.failures).toEqual([]);
    network.run(0.002);
    expect(clients.failures).toHaveLength(1);
    const reason = clients.failures[0].value as ConnectionRefusedError;
    expect(reason).toBeInstanceOf(ConnectionRefusedError);
    expect(reason.osError?.code).toBe('ECONNREFUSED');
    expect(connector.state).toBe('disconnected');
    expect(network.streamStats().refused).toBe(1);
  });

  it('times out (TimeoutError) when nobody has the address: the SYNs vanish', () => {
    const { network, a, clients } = net(Echo, Recording);
    a.connectTCP('10.0.0.9', 8000, clients, 5);
    network.run(4.99);
    expect(clients.failures).toEqual([]);
    network.run(0.02);
    expect(clients.failures.map((f) => f.value)).toEqual([expect.any(TimeoutError)]);
    expect((clients.failures[0].value as Error).message).toBe('Connecting took longer than 5 seconds.');
  });

  it('gives up after the SYN retries (TCPTimedOutError, 127 s) when there is no timeout', () => {
    const { network, a, clients } = net(Echo, Recording);
    a.connectTCP('10.0.0.9', 8000, clients, { timeout: Infinity });
    network.run(126.9);
    expect(clients.failures).toEqual([]);
    network.run(0.2);
    expect(clients.failures[0].value).toBeInstanceOf(TCPTimedOutError);
    expect(network.streamStats().synTimeouts).toBe(1);
  });

  it('a dropping partition stalls a connect; the next SYN after the heal gets through (1, 3, 7 s…)', () => {
    const { network, a, b, clients } = net(Echo, Recording, { latency: 0.01 });
    network.partition([a], [b]);
    a.connectTCP('10.0.0.2', 8000, clients);
    network.run(2);
    network.heal();
    network.run(0.99);
    expect(clients.built).toEqual([]);
    network.run(1); // the SYN sent at 3 s
    expect(clients.last.events[0]).toEqual([closeTo(3.02), 'made', '']);
  });

  it('a rejecting partition fails a connect at once with NoRouteError', () => {
    const { network, a, b, clients } = net(Echo, Recording, { latency: 0.02 });
    network.partition([a], [b], { reject: true });
    a.connectTCP('10.0.0.2', 8000, clients);
    network.run(1);
    const reason = clients.failures[0].value as NoRouteError;
    expect(reason).toBeInstanceOf(NoRouteError);
    expect(reason.osError?.code).toBe('EHOSTUNREACH');
    expect(() => network.partition([a], [b], { reject: 'yes' } as never)).toThrow(TypeError);
  });

  it('resolves names through the network, and fails unknown ones with DNSLookupError', () => {
    const { network, a, clients } = net(Echo, Recording);
    a.connectTCP('server', 8000, clients);
    a.connectTCP('nowhere.example', 8000, clients);
    network.run(1);
    expect(clients.built).toHaveLength(1);
    expect(clients.last.transport.getPeer().host).toBe('10.0.0.2');
    expect(clients.failures.map((f) => f.value)).toEqual([expect.any(DNSLookupError)]);
  });

  it('stopConnecting fails the attempt with UserError; the connector can connect again', () => {
    const { network, a, clients } = net(Echo, Recording, { latency: 0.05 });
    const connector = a.connectTCP('10.0.0.2', 8000, clients);
    expect(() => connector.connect()).toThrow(ConnectorStateError);
    connector.stopConnecting();
    expect(clients.failures.map((f) => f.value)).toEqual([expect.any(UserError)]);
    expect(() => connector.stopConnecting()).toThrow(NotConnectingError);
    network.run(1);
    expect(clients.built).toEqual([]); // the abandoned handshake made nothing
    connector.connect();
    network.run(1);
    expect(connector.state).toBe('connected');
    expect(connector.getDestination()).toEqual(new IPv4Address('TCP', '10.0.0.2', 8000));
  });

  it('connects from a bindAddress, and fails with ConnectBindError for one the host lacks', () => {
    const { network, a, servers, clients } = net(Echo, Recording);
    a.connectTCP('10.0.0.2', 8000, clients, 30, ['10.0.0.1', 4000]);
    a.connectTCP('10.0.0.2', 8000, clients, { bindAddress: ['10.9.9.9', 0] });
    network.run(1);
    expect(servers.last.transport.getPeer()).toEqual(new IPv4Address('TCP', '10.0.0.1', 4000));
    const reason = clients.failures[0].value as ConnectBindError;
    expect(reason).toBeInstanceOf(ConnectBindError);
    expect(reason.osError?.code).toBe('EADDRNOTAVAIL');
    a.connectTCP('10.0.0.2', 8000, clients, { bindAddress: ['', 4000] });
    network.run(1);
    expect((clients.failures[1].value as ConnectBindError).osError?.code).toBe('EADDRINUSE');
  });

  it('connects within a host over loopback and to its own address, in no time but not inside the call', () => {
    const { network, b, servers } = net(Echo, Recording, { latency: 1 });
    const local = new Keeper(Recording, network.clock);
    b.connectTCP('127.0.0.1', 8000, local);
    b.connectTCP('10.0.0.2', 8000, local);
    expect(local.built).toEqual([]);
    network.run(0);
    expect(local.built.map((p) => p.transport.getHost().host)).toEqual(['127.0.0.1', '10.0.0.2']);
    expect(servers.built.map((p) => p.transport.getPeer().host)).toEqual(['127.0.0.1', '10.0.0.2']);
  });
});

describe('VirtualNetwork TCP: IPv6', () => {
  it('connects IPv6 hosts, with IPv6 addresses on both ends; an IPv4 host has no route to them', () => {
    log = captureLog();
    const network = new VirtualNetwork({ latency: 0.01 });
    const a = network.addHost('2001:db8::1');
    const b = network.addHost('2001:db8::2');
    const c = network.addHost('10.0.0.3');
    const servers = new Keeper(Echo, network.clock);
    const port = b.listenTCP(8000, servers, 50, '::');
    expect(port.getHost()).toEqual(new IPv6Address('TCP', '::', 8000));
    const clients = new Keeper(Recording, network.clock);
    a.connectTCP('2001:db8::2', 8000, clients);
    c.connectTCP('2001:db8::2', 8000, clients);
    network.run(1);
    expect(clients.last.transport.getPeer()).toEqual(new IPv6Address('TCP', '2001:db8::2', 8000));
    expect(servers.last.transport.getPeer()).toEqual(new IPv6Address('TCP', '2001:db8::1', 32768));
    expect((clients.failures[0].value as NoRouteError).osError?.code).toBe('ENETUNREACH');
  });
});

describe('VirtualNetwork TCP: listening', () => {
  it('binds at once, refuses a taken port (EADDRINUSE) and an address the host lacks (EADDRNOTAVAIL)', () => {
    const { a, b, servers } = net(Echo, Recording);
    expect(() => b.listenTCP(8000, servers)).toThrow(
      expect.objectContaining({ socketError: expect.objectContaining({ code: 'EADDRINUSE' }) }),
    );
    expect(() => a.listenTCP(80, servers, 50, '10.0.0.9')).toThrow(CannotListenError);
    expect(() => a.listenTCP(80, servers, 50, 'localhost')).toThrow(InvalidAddressError);
    expect(() => a.listenTCP(-1, servers)).toThrow(RangeError);
    expect(() => a.listenTCP(80, {} as never)).toThrow(TypeError);
    const p = a.listenTCP(0, servers, { interface: '10.0.0.1' });
    expect(p.getHost()).toEqual(new IPv4Address('TCP', '10.0.0.1', 32768));
    // UDP and TCP have separate port numbers.
    a.listenTCP(9999, servers);
    expect(a.listenUDP(9999, new Recorder()).getHost().port).toBe(9999);
  });

  it('starts the factory when listening and stops it with the port; connections stay open', async () => {
    const { network, a, port, servers, clients } = net(Echo, Recording);
    expect(servers.numPorts).toBe(1);
    a.connectTCP('10.0.0.2', 8000, clients);
    network.run(1);
    await port.stopListening();
    expect(servers.numPorts).toBe(0);
    expect(port.listening).toBe(false);
    clients.last.transport.write(Buffer.from('still here'));
    network.run(1);
    expect(clients.last.received).toBe('still here');
    a.connectTCP('10.0.0.2', 8000, clients);
    network.run(1);
    expect(clients.failures[0].value).toBeInstanceOf(ConnectionRefusedError);
  });

  it('a port bound to loopback is reachable only from its own host', () => {
    const { network, a, b, clients } = net(Echo, Recording);
    const local = new Keeper(Echo, network.clock);
    b.listenTCP(9000, local, 50, '127.0.0.1');
    a.connectTCP('10.0.0.2', 9000, clients);
    b.connectTCP('127.0.0.1', 9000, clients);
    network.run(1);
    expect(clients.failures.map((f) => f.value)).toEqual([expect.any(ConnectionRefusedError)]);
    expect(clients.built).toHaveLength(1);
  });

  it('spreads connections over ports sharing a number with reusePort, by source', () => {
    const { network, a, b, clients } = net(Echo, Recording);
    const one = new Keeper(Echo);
    const two = new Keeper(Echo);
    b.listenTCP(7000, one, { reusePort: true });
    b.listenTCP(7000, two, { reusePort: true });
    for (let i = 0; i < 20; i++) a.connectTCP('10.0.0.2', 7000, clients);
    network.run(1);
    expect(one.built.length + two.built.length).toBe(20);
    expect(one.built.length).toBeGreaterThan(0);
    expect(two.built.length).toBeGreaterThan(0);
  });

  it('a factory that returns undefined closes the connection at once', () => {
    const { network, a, b, clients } = net(Echo, Recording);
    const refusing = new (class extends Factory {
      override buildProtocol() {
        return undefined;
      }
    })();
    refusing.noisy = false;
    b.listenTCP(7001, refusing);
    a.connectTCP('10.0.0.2', 7001, clients);
    network.run(1);
    expect(clients.last.events.map(([, e, d]) => [e, d])).toEqual([
      ['made', ''],
      ['lost', 'ConnectionDone'],
    ]);
    expect(clients.losses[0].value).toBeInstanceOf(ConnectionDone);
  });
});

describe('VirtualNetwork TCP: data and closing', () => {
  it('loss becomes delay: every byte arrives, in order, later, and the same seed gives the same times', () => {
    const run = (seed: number) => {
      const { network, a, servers, clients } = net(Recording, Recording, { seed, latency: 0.01, loss: 0.3 });
      a.connectTCP('10.0.0.2', 8000, clients, { timeout: Infinity });
      network.run(30);
      for (let i = 0; i < 50; i++) clients.last.transport.write(Buffer.from(`${i},`));
      network.runUntilIdle();
      return { events: servers.last.events, stats: network.streamStats() };
    };
    const first = run(7);
    expect(
      first.events
        .filter(([, e]) => e === 'data')
        .map(([, , d]) => d)
        .join(''),
    ).toBe(Array.from({ length: 50 }, (_, i) => `${i},`).join(''));
    expect(first.stats.retransmissions).toBeGreaterThan(0);
    expect(run(7)).toEqual(first);
    expect(run(8).events).not.toEqual(first.events);
  });

  it('a partition stalls data, which arrives after the heal (retransmitted at 0.2, 0.6, 1.4 s)', () => {
    const { network, a, b, servers, clients } = net(Recording, Recording, { latency: 0.01 });
    a.connectTCP('10.0.0.2', 8000, clients);
    network.run(1);
    network.partition([a], [b]);
    clients.last.transport.write(Buffer.from('across'));
    network.run(1);
    expect(servers.last.received).toBe('');
    network.heal();
    network.run(1);
    expect(servers.last.events.at(-1)).toEqual([closeTo(1 + 1.4 + 0.01), 'data', 'across']);
    expect(network.streamStats().retransmissions).toBe(3);
  });

  it('a partition that never heals ends the writing side: ConnectionLost (ETIMEDOUT) after 15 retransmissions', () => {
    const { network, a, b, servers, clients } = net(Recording, Recording, { latency: 0.01 });
    a.connectTCP('10.0.0.2', 8000, clients);
    network.run(1);
    network.partition([a], [b]);
    clients.last.transport.write(Buffer.from('lost'));
    network.run(800);
    expect(clients.last.lost).toBe(false);
    network.run(10);
    const reason = clients.last.reason?.value as ConnectionLost;
    expect(reason).toBeInstanceOf(ConnectionLost);
    expect(reason.osError?.code).toBe('ETIMEDOUT');
    expect(servers.last.lost).toBe(false); // the other side never heard
    expect(clients.losses).toHaveLength(1);
  });

  it('loseConnection sends what was written first; both sides see ConnectionDone; writes after it are ignored', () => {
    const { network, a, servers, clients } = net(Recording, Recording, { latency: 0.05 });
    a.connectTCP('10.0.0.2', 8000, clients);
    network.run(1);
    const t = clients.last.transport;
    t.write(Buffer.from('last words'));
    t.loseConnection();
    t.write(Buffer.from('ignored'));
    expect(t.disconnecting).toBe(true);
    expect(clients.last.lost).toBe(false); // never inside the call
    network.run(1);
    expect(servers.last.received).toBe('last words');
    expect(servers.last.reason?.value).toBeInstanceOf(ConnectionDone);
    expect(clients.last.reason?.value).toBeInstanceOf(ConnectionDone);
    expect(clients.losses[0].value).toBeInstanceOf(ConnectionDone);
    expect(t.disconnected).toBe(true);
  });

  it('abortConnection: ConnectionAborted here, a reset (ConnectionLost, ECONNRESET) there', () => {
    const { network, a, servers, clients } = net(Recording, Recording, { latency: 0.05 });
    a.connectTCP('10.0.0.2', 8000, clients);
    network.run(1);
    clients.last.transport.abortConnection();
    network.run(0);
    expect(clients.last.reason?.value).toBeInstanceOf(ConnectionAborted);
    expect(servers.last.lost).toBe(false);
    network.run(0.05);
    const reason = servers.last.reason?.value as ConnectionLost;
    expect(reason).toBeInstanceOf(ConnectionLost);
    expect(reason).not.toBeInstanceOf(ConnectionAborted);
    expect(reason.osError?.code).toBe('ECONNRESET');
  });

  it('network.reset ends every connection between two hosts with ECONNRESET on both sides', () => {
    const { network, a, b, servers, clients } = net(Recording, Recording);
    a.connectTCP('10.0.0.2', 8000, clients);
    a.connectTCP('10.0.0.2', 8000, clients);
    network.run(1);
    expect(network.reset(a, b)).toBe(2);
    network.run(0);
    for (const p of [...clients.built, ...servers.built]) {
      expect((p.reason?.value as ConnectionLost).osError?.code).toBe('ECONNRESET');
    }
    expect(network.reset()).toBe(0);
  });

  it('half-close: readConnectionLost and writeConnectionLost, then ConnectionDone once both halves are done', () => {
    const { network, a, servers, clients } = net(HalfCloseRecording, HalfCloseRecording, { latency: 0.01 });
    a.connectTCP('10.0.0.2', 8000, clients);
    network.run(1);
    const client = clients.last;
    client.transport.write(Buffer.from('request'));
    client.transport.loseWriteConnection();
    client.transport.write(Buffer.from('ignored'));
    network.run(1);
    const server = servers.last;
    expect(server.events.map(([, e, d]) => [e, d])).toEqual([
      ['made', ''],
      ['data', 'request'],
      ['readLost', ''],
    ]);
    expect(client.events.map(([, e]) => e)).toEqual(['made', 'writeLost']);
    server.transport.write(Buffer.from('response'));
    server.transport.loseWriteConnection();
    network.run(1);
    expect(client.events.map(([, e, d]) => [e, d])).toEqual([
      ['made', ''],
      ['writeLost', ''],
      ['data', 'response'],
      ['readLost', ''],
      ['lost', 'ConnectionDone'],
    ]);
    expect(server.events.at(-1)).toEqual([expect.any(Number), 'lost', 'ConnectionDone']);
  });

  it('a FIN to a protocol that does not half-close closes its connection cleanly', () => {
    const { network, a, servers, clients } = net(Recording, HalfCloseRecording);
    a.connectTCP('10.0.0.2', 8000, clients);
    network.run(1);
    clients.last.transport.loseWriteConnection();
    network.run(1);
    expect(servers.last.reason?.value).toBeInstanceOf(ConnectionDone);
    expect(clients.last.events.map(([, e]) => e)).toEqual(['made', 'writeLost', 'readLost', 'lost']);
  });

  it('an exception in dataReceived is logged and drops the connection with it as the reason', () => {
    class Failing extends Recording {
      override dataReceived(): void {
        throw new Error('bad input');
      }
    }
    const { network, a, servers, clients } = net(Failing, Recording);
    a.connectTCP('10.0.0.2', 8000, clients);
    network.run(1);
    clients.last.transport.write(Buffer.from('x'));
    network.run(1);
    expect(servers.last.reason?.value.message).toBe('bad input');
    expect(log?.errors().map((e) => e.why)).toEqual(['Unhandled error in Failing,0,10.0.0.1 dataReceived']);
    expect(clients.last.reason?.value).toBeInstanceOf(ConnectionDone);
  });

  it('an async connectionMade that rejects drops the connection too', async () => {
    class Rejecting extends Recording {
      override async connectionMade(): Promise<void> {
        throw new Error('no');
      }
    }
    const { network, a, servers, clients } = net(Rejecting, Recording);
    a.connectTCP('10.0.0.2', 8000, clients);
    network.run(1);
    await new Promise((r) => setImmediate(r));
    network.run(1);
    expect(servers.last.reason?.value.message).toBe('no');
    expect(clients.last.reason?.value).toBeInstanceOf(ConnectionDone);
  });

  it('shutdown of a host stops its ports and ends its connections with ConnectionLost', () => {
    const { network, a, b, servers, clients } = net(Recording, Recording);
    a.connectTCP('10.0.0.2', 8000, clients);
    network.run(1);
    b.shutdown();
    expect(b.getListeningPorts()).toEqual([]);
    expect(servers.numPorts).toBe(0);
    network.run(1);
    expect(servers.last.reason?.value).toBeInstanceOf(ConnectionLost);
    expect(clients.last.reason?.value).toBeInstanceOf(ConnectionDone);
    expect(b.getConnections()).toEqual([]);
  });
});

describe('VirtualNetwork TCP: flow control', () => {
  it('a streaming producer is paused while the peer does not read, and memory stays bounded', () => {
    const { network, a, servers, clients } = net(Recording, Recording, { latency: 0.01 });
    a.connectTCP('10.0.0.2', 8000, clients);
    network.run(1);
    servers.last.transport.pauseProducing(); // the server stops reading
    const transport = clients.last.transport as VirtualConnection;
    const chunk = Buffer.alloc(4096, 0x61);
    let sent = 0;
    let paused = false;
    const producer: IPushProducer = {
      pauseProducing: () => {
        paused = true;
      },
      resumeProducing: () => {
        paused = false;
        pump();
      },
      stopProducing: () => {},
    };
    const pump = (): void => {
      while (!paused && sent < 1_000_000) {
        transport.write(chunk);
        sent += chunk.length;
      }
      if (sent >= 1_000_000) transport.unregisterProducer();
    };
    transport.registerProducer(producer, true);
    pump();
    network.run(5);
    expect(paused).toBe(true);
    expect(transport.bufferSize).toBeLessThanOrEqual(16384 + 4096);
    expect(sent).toBeLessThan(65536 + 16384 + 8192);
    servers.last.transport.resumeProducing();
    network.runUntilIdle();
    expect(sent).toBe(1_003_520);
    expect(servers.last.received.length).toBe(1_003_520);
  });

  it('a pull producer is asked for each chunk once the previous one has gone', () => {
    const { network, a, servers, clients } = net(Recording, Recording, { latency: 0.01 });
    a.connectTCP('10.0.0.2', 8000, clients);
    network.run(1);
    const transport = clients.last.transport;
    let asked = 0;
    const producer: IPullProducer = {
      resumeProducing: () => {
        asked += 1;
        if (asked > 5) {
          transport.unregisterProducer();
          transport.loseConnection();
          return;
        }
        transport.write(Buffer.from(`chunk${asked};`));
      },
      stopProducing: () => {},
    };
    transport.registerProducer(producer, false);
    expect(asked).toBe(1); // asked at once
    network.run(1);
    expect(asked).toBe(6);
    expect(servers.last.received).toBe('chunk1;chunk2;chunk3;chunk4;chunk5;');
    expect(servers.last.reason?.value).toBeInstanceOf(ConnectionDone);
  });
});

describe('VirtualNetwork TCP: scale', () => {
  it('2,000 connections open, echo and close, and leave nothing behind', () => {
    const { network, a, b, servers, clients } = net(Echo, Recording, { latency: 0.005 });
    for (let i = 0; i < 2000; i++) a.connectTCP('10.0.0.2', 8000, clients);
    network.run(1);
    expect(servers.built).toHaveLength(2000);
    for (const c of clients.built) c.transport.write(Buffer.from('x'));
    network.run(1);
    expect(clients.built.every((c) => c.received === 'x')).toBe(true);
    for (const c of clients.built) c.transport.loseConnection();
    network.runUntilIdle();
    expect(servers.built.every((p) => p.reason?.value instanceof ConnectionDone)).toBe(true);
    expect(a.getConnections()).toEqual([]);
    expect(b.getConnections()).toEqual([]);
    expect(network.streams.openConnections()).toEqual([]);
    // The client's local port numbers are free again: the next ones start over from the first.
    a.connectTCP('10.0.0.2', 8000, clients, { bindAddress: ['10.0.0.1', 32768] });
    network.run(1);
    expect(clients.failures).toEqual([]);
  });
});

describe('VirtualNetwork TCP: protocols', () => {
  it('runs a line chat between clients on three hosts', () => {
    log = captureLog();
    const network = new VirtualNetwork({ seed: 3, latency: 0.02, loss: 0.05 });
    const server = network.addHost('10.0.0.10');
    const chat = new ChatServerFactory();
    server.listenTCP(6667, chat);
    const clients = ['alice', 'bob', 'carol'].map((name, i) => {
      const host = network.addHost(`10.0.0.${i + 1}`);
      const factory = new Keeper(ChatClient, network.clock, (p) => {
        p.name = name;
      });
      host.connectTCP('10.0.0.10', 6667, factory);
      return { name, factory };
    });
    network.run(5);
    expect(chat.sessions.size).toBe(3);
    expect([...chat.sessions].map((s) => s.name).sort()).toEqual(['alice', 'bob', 'carol']);
    clients[0].factory.last.say('hi all');
    network.run(5);
    expect(clients[1].factory.last.lines).toContain('alice: hi all');
    expect(clients[2].factory.last.lines).toContain('alice: hi all');
    expect(clients[0].factory.last.lines.filter((l) => l.includes('hi all'))).toEqual([]);
  });

  it('a ReconnectingClientFactory on the network clock reconnects with back-off after the server goes away', () => {
    log = captureLog();
    const network = new VirtualNetwork({ seed: 5, latency: 0.01 });
    const a = network.addHost('10.0.0.1');
    const b = network.addHost('10.0.0.2');
    const made: number[] = [];
    class Client extends Protocol {
      declare factory: ReconnectingClientFactory;
      override connectionMade(): void {
        made.push(network.clock.seconds());
        this.factory.resetDelay();
      }
    }
    const factory = ReconnectingClientFactory.forProtocol(Client);
    factory.noisy = false;
    factory.clock = a;
    factory.random = () => network.random.next();
    const servers = new Keeper(Recording);
    let port = b.listenTCP(8000, servers);
    a.connectTCP('10.0.0.2', 8000, factory);
    network.run(1);
    expect(made).toHaveLength(1);
    void port.stopListening();
    servers.last.transport.loseConnection(); // the server goes away
    network.run(60); // refused again and again, waiting longer each time
    expect(made).toHaveLength(1);
    expect(factory.retries).toBeGreaterThan(2);
    port = b.listenTCP(8000, servers);
    network.run(factory.maxDelay);
    expect(made).toHaveLength(2);
    expect(factory.retries).toBe(0);
    factory.stopTrying();
    servers.last.transport.loseConnection();
    network.runUntilIdle();
    expect(made).toHaveLength(2);
  });
});
