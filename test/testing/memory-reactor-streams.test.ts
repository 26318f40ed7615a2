/**
 * MemoryReactor's stream side: listenTCP/connectTCP/listenUNIX/connectUNIX/listenSSL/connectSSL
 * recorded as Twisted's MemoryReactor records them (twisted/internet/test/test_testing.py
 * ReactorTests), with the defaults filled in whichever argument form was used, and the
 * connectors a test drives.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConnectionRefusedError,
  ConnectorStateError,
  InvalidAddressError,
  NotConnectingError,
  UserError,
} from '../../src/errors.ts';
import { Failure } from '../../src/failure.ts';
import type { ITLSContextFactory } from '../../src/interfaces.ts';
import { ClientFactory, Factory, Protocol, ReconnectingClientFactory } from '../../src/protocols/index.ts';
import { IPv4Address, IPv6Address, UNIXAddress } from '../../src/transports/index.ts';
import {
  MemoryConnector,
  MemoryReactor,
  MemoryReactorClock,
  MemoryStreamPort,
  StringTransport,
} from '../../src/testing/index.ts';
import { captureLog } from './fixtures/recorder.ts';

let log: ReturnType<typeof captureLog> | undefined;
afterEach(() => {
  log?.stop();
  log = undefined;
});

class Greeter extends Protocol {
  override connectionMade(): void {
    this.transport.write(Buffer.from('hello'));
  }
}

function factories() {
  const server = Factory.forProtocol(Greeter);
  server.noisy = false;
  const client = ClientFactory.forProtocol(Greeter);
  client.noisy = false;
  return { server, client };
}

const tls: ITLSContextFactory = { getTLSOptions: () => ({}) };

describe('MemoryReactor: TCP', () => {
  it('records listenTCP as [port, factory, backlog, interface], defaults filled in, in every form', () => {
    const r = new MemoryReactor();
    const { server } = factories();
    r.listenTCP(8000, server);
    r.listenTCP(8001, server, 10, '127.0.0.1');
    r.listenTCP(8002, server, { backlog: 5, interface: '::1', reusePort: true });
    r.listenTCP(8003, server, { interface: '10.0.0.1' }, '127.0.0.2'); // the positional interface wins
    expect(r.tcpServers).toEqual([
      [8000, server, 50, ''],
      [8001, server, 10, '127.0.0.1'],
      [8002, server, 5, '::1'],
      [8003, server, 50, '127.0.0.2'],
    ]);
  });

  it('records connectTCP as [host, port, factory, timeout, bindAddress]; bindAddress undefined when not given', () => {
    const r = new MemoryReactor();
    const { client } = factories();
    r.connectTCP('test.example.com', 8321, client);
    r.connectTCP('10.0.0.2', 80, client, 5, ['10.0.0.1', 4000]);
    r.connectTCP('::1', 80, client, { timeout: 7, bindAddress: ['::1', 0] });
    r.connectTCP('10.0.0.2', 80, client, { timeout: Infinity });
    expect(r.tcpClients).toEqual([
      ['test.example.com', 8321, client, 30, undefined],
      ['10.0.0.2', 80, client, 5, ['10.0.0.1', 4000]],
      ['::1', 80, client, 7, ['::1', 0]],
      ['10.0.0.2', 80, client, Infinity, undefined],
    ]);
    expect(r.connectors).toHaveLength(4);
  });

  it('checks its arguments with the real parsers', () => {
    const r = new MemoryReactor();
    const { server, client } = factories();
    expect(() => r.listenTCP(-1, server)).toThrow(RangeError);
    expect(() => r.listenTCP('80' as never, server)).toThrow(TypeError);
    expect(() => r.listenTCP(80, {} as never)).toThrow(/buildProtocol/);
    expect(() => r.listenTCP(80, server, -1)).toThrow(RangeError);
    expect(() => r.listenTCP(80, server, 50, 'localhost')).toThrow(InvalidAddressError);
    expect(() => r.listenTCP(80, server, { iface: '' } as never)).toThrow(TypeError);
    expect(() => r.connectTCP('', 80, client)).toThrow(TypeError);
    expect(() => r.connectTCP('h', 0, client)).toThrow(RangeError);
    expect(() => r.connectTCP('h', 80, server as never)).toThrow(/startedConnecting/);
    expect(() => r.connectTCP('h', 80, client, 0)).toThrow(RangeError);
    expect(() => r.connectTCP('h', 80, client, 30, ['localhost', 0])).toThrow(InvalidAddressError);
    expect(() => r.connectTCP('h', 80, client, { bindAddress: ['10.0.0.1'] as never })).toThrow(TypeError);
    expect(r.tcpServers).toEqual([]);
    expect(r.tcpClients).toEqual([]);
  });

  it('listenTCP returns a port on the address asked for, its factory started until stopListening', async () => {
    const r = new MemoryReactor();
    const { server } = factories();
    const port = r.listenTCP(8242, server);
    expect(port).toBeInstanceOf(MemoryStreamPort);
    expect(port.getHost()).toEqual(new IPv4Address('TCP', '0.0.0.0', 8242));
    expect(r.listenTCP(0, server, 50, '::').getHost()).toEqual(new IPv6Address('TCP', '::', 0));
    expect(server.numPorts).toBe(2);
    expect(r.getListeningPorts()).toHaveLength(2);
    await port.stopListening();
    await port.stopListening(); // harmless
    expect(server.numPorts).toBe(1);
    expect(r.getListeningPorts()).toHaveLength(1);
    // As Twisted tests do: build a protocol from the recorded factory and connect it by hand.
    const [, factory] = r.tcpServers[0];
    const proto = factory.buildProtocol(new IPv4Address('TCP', '10.0.0.2', 5000));
    const transport = new StringTransport();
    proto?.makeConnection(transport);
    expect(transport.value().toString()).toBe('hello');
  });

  it('a port stops when its signal aborts', () => {
    const r = new MemoryReactor();
    const { server } = factories();
    const controller = new AbortController();
    const port = r.listenTCP(1, server, { signal: controller.signal });
    controller.abort();
    expect(port.state).toBe('stopped');
    expect(server.numPorts).toBe(0);
  });

  it('connectTCP returns a connector to the host as given, started: startedConnecting was called', () => {
    const r = new MemoryReactor();
    const { client } = factories();
    const seen: unknown[] = [];
    client.startedConnecting = (c) => {
      seen.push(c);
    };
    const connector = r.connectTCP('test.example.com', 8321, client);
    expect(connector).toBeInstanceOf(MemoryConnector);
    expect(seen).toEqual([connector]);
    expect(r.connectors).toEqual([connector]);
    expect(connector.getDestination()).toEqual(new IPv4Address('TCP', 'test.example.com', 8321));
    expect(r.connectTCP('::1', 1, client).getDestination()).toEqual(new IPv6Address('TCP', '::1', 1));
    expect(connector.state).toBe('connecting');
    expect(client.numPorts).toBe(2);
  });
});

describe('MemoryReactor: the connectors', () => {
  it('stopConnecting sets stoppedConnecting and fails the attempt with UserError, as the real connector', () => {
    const r = new MemoryReactor();
    const failures: Failure[] = [];
    const client = new (class extends ClientFactory {
      override clientConnectionFailed(_c: unknown, reason: Failure): void {
        failures.push(reason);
      }
    })();
    client.noisy = false;
    const connector = r.connectTCP('10.0.0.2', 80, client);
    expect(connector.stoppedConnecting).toBe(false);
    connector.stopConnecting();
    expect(connector.stoppedConnecting).toBe(true);
    expect(connector.state).toBe('disconnected');
    expect(failures.map((f) => f.value)).toEqual([expect.any(UserError)]);
    expect(client.numPorts).toBe(0); // stopped: it did not reconnect
    expect(() => connector.stopConnecting()).toThrow(NotConnectingError);
    connector.connect();
    expect(() => connector.connect()).toThrow(ConnectorStateError);
    connector.disconnect();
    expect(connector.disconnected).toBe(true);
    expect(failures).toHaveLength(2);
  });

  it('a test plays the connection through it: buildProtocol, connectionLost', () => {
    const r = new MemoryReactor();
    const lost: Failure[] = [];
    const client = new (class extends ClientFactory {
      override protocol = Greeter;
      override clientConnectionLost(_c: unknown, reason: Failure): void {
        lost.push(reason);
      }
    })();
    client.noisy = false;
    const connector = r.connectTCP('10.0.0.2', 80, client);
    const proto = connector.buildProtocol(new IPv4Address('TCP', '10.0.0.2', 80));
    expect(connector.state).toBe('connected');
    const transport = new StringTransport();
    proto?.makeConnection(transport);
    expect(transport.value().toString()).toBe('hello');
    connector.connectionLost(new Failure(new ConnectionRefusedError()));
    expect(lost).toHaveLength(1);
    expect(connector.state).toBe('disconnected');
    expect(client.numPorts).toBe(0);
  });

  it('a ReconnectingClientFactory retries through the connector on a MemoryReactorClock', () => {
    log = captureLog();
    const r = new MemoryReactorClock();
    const factory = ReconnectingClientFactory.forProtocol(Greeter);
    factory.noisy = false;
    factory.clock = r;
    factory.random = () => 0.5;
    r.connectTCP('10.0.0.2', 8000, factory);
    const connector = r.connectors[0];
    connector.connectionFailed(new Failure(new ConnectionRefusedError()));
    expect(connector.state).toBe('disconnected');
    expect(r.getDelayedCalls()).toHaveLength(1);
    expect(factory.numPorts).toBe(0); // stopped until the retry, as in Twisted
    r.advance(factory.delay);
    expect(connector.connects).toBe(2);
    expect(factory.numPorts).toBe(1);
    expect(connector.state).toBe('connecting');
    factory.stopTrying();
    expect(connector.stoppedConnecting).toBe(true);
    expect(factory.numPorts).toBe(0);
  });

  it('a connector disconnects when its signal aborts', () => {
    const r = new MemoryReactor();
    const { client } = factories();
    const controller = new AbortController();
    const connector = r.connectTCP('10.0.0.2', 80, client, { signal: controller.signal });
    controller.abort();
    expect(connector.stoppedConnecting).toBe(true);
    expect(connector.disconnected).toBe(true);
  });
});

describe('MemoryReactor: UNIX and SSL', () => {
  it('records listenUNIX and connectUNIX, and returns UNIX addresses', () => {
    const r = new MemoryReactor();
    const { server, client } = factories();
    const port = r.listenUNIX('/path/to/socket', server);
    r.listenUNIX('/tmp/b.sock', server, { backlog: 3, mode: 0o600, wantPID: true });
    r.listenUNIX('/tmp/c.sock', server, 7, 0o660, false);
    const connector = r.connectUNIX('/fake/path', client);
    r.connectUNIX('/tmp/b.sock', client, { timeout: 2, checkPID: true });
    expect(r.unixServers).toEqual([
      ['/path/to/socket', server, 50, 0o666, false],
      ['/tmp/b.sock', server, 3, 0o600, true],
      ['/tmp/c.sock', server, 7, 0o660, false],
    ]);
    expect(r.unixClients).toEqual([
      ['/fake/path', client, 30, false],
      ['/tmp/b.sock', client, 2, true],
    ]);
    expect(port.getHost()).toEqual(new UNIXAddress('/path/to/socket'));
    expect(connector.getDestination()).toEqual(new UNIXAddress('/fake/path'));
    expect(r.connectors).toHaveLength(2);
    expect(() => r.listenUNIX('', server)).toThrow(TypeError);
  });

  it('records listenSSL and connectSSL with their context factory', () => {
    const r = new MemoryReactor();
    const { server, client } = factories();
    const port = r.listenSSL(8242, server, tls);
    r.listenSSL(8243, server, tls, 10, '127.0.0.1');
    const connector = r.connectSSL('test.example.com', 8321, client, tls);
    r.connectSSL('10.0.0.2', 443, client, tls, { timeout: 3, bindAddress: ['10.0.0.1', 0] });
    expect(r.sslServers).toEqual([
      [8242, server, tls, 50, ''],
      [8243, server, tls, 10, '127.0.0.1'],
    ]);
    expect(r.sslClients).toEqual([
      ['test.example.com', 8321, client, tls, 30, undefined],
      ['10.0.0.2', 443, client, tls, 3, ['10.0.0.1', 0]],
    ]);
    expect(port.getHost()).toEqual(new IPv4Address('TCP', '0.0.0.0', 8242));
    expect(connector.getDestination()).toEqual(new IPv4Address('TCP', 'test.example.com', 8321));
    expect(() => r.listenSSL(1, server, {} as never)).toThrow(/contextFactory/);
    expect(() => r.connectSSL('h', 1, client, undefined as never)).toThrow(/contextFactory/);
    expect(r.connectors).toHaveLength(2);
  });

  it('checks the context factory as the real listenSSL/connectSSL do: its options and its key', () => {
    const r = new MemoryReactor();
    const { server, client } = factories();
    const nullOptions = { getTLSOptions: () => null } as unknown as ITLSContextFactory;
    expect(() => r.listenSSL(1, server, nullOptions)).toThrow(/contextFactory\.getTLSOptions\('server'\)/);
    expect(() => r.connectSSL('h', 1, client, nullOptions)).toThrow(
      /contextFactory\.getTLSOptions\('client'\)/,
    );
    // A key that is not one fails where the secure context is made, before anything is recorded.
    const badKey: ITLSContextFactory = {
      getTLSOptions: () => ({ key: 'not a key', cert: 'not a certificate' }),
    };
    expect(() => r.listenSSL(1, server, badKey)).toThrow();
    expect(r.sslServers).toEqual([]);
    expect(r.sslClients).toEqual([]);
  });
});
