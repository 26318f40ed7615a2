/**
 * connectTCP and the Connector (src/transports/tcp/connector.ts, connect.ts), after Twisted's
 * test_tcp.py (ConnectorTests, test_connectionRefused…) and internet/test/test_tcp.py: every
 * failure reaches clientConnectionFailed with the right reason class, the factory's
 * start/stop and the connector's state follow Twisted's BaseConnector.
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { Deferred } from '../../../src/defer/deferred.ts';
import { fail } from '../../../src/defer/shortcuts.ts';
import {
  ConnectBindError,
  ConnectError,
  ConnectionDone,
  ConnectionRefusedError,
  ConnectorStateError,
  DNSLookupError,
  NoRouteError,
  NotConnectingError,
  TimeoutError,
  UserError,
} from '../../../src/errors.ts';
import type { IConnector } from '../../../src/interfaces.ts';
import { ReconnectingClientFactory } from '../../../src/protocols/reconnecting-client-factory.ts';
import { Factory } from '../../../src/protocols/factory.ts';
import { Protocol } from '../../../src/protocols/protocol.ts';
import {
  captureLogPerTest,
  ClientRecorder,
  connectedPair,
  newReactor,
  Recording,
  ServerRecorder,
  until,
} from './helpers.ts';

const inNetns = process.env.TWISTED_TS_IN_NETNS === '1';

const log = captureLogPerTest();

/** A port number nothing listens on: bound and released. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

describe('success', () => {
  it("the factory's calls, in Twisted's order; the connector's state and destination", async () => {
    const reactor = newReactor();
    const server = new ServerRecorder(() => new Recording());
    const port = reactor.listenTCP(0, server, { interface: '127.0.0.1' });
    const factory = new ClientRecorder(() => new Recording());
    const connector = reactor.connectTCP('127.0.0.1', port.getHost().port, factory);
    expect(factory.calls).toEqual(['startFactory', 'startedConnecting']); // synchronously
    expect(connector.state).toBe('connecting');
    expect(String(connector.getDestination())).toBe(
      `IPv4Address(type='TCP', host='127.0.0.1', port=${port.getHost().port})`,
    );
    await until(() => factory.built.length === 1, 'the connection');
    const client = factory.built[0];
    await client.made.asPromise();
    expect(connector.state).toBe('connected');
    expect(connector.transport).toBe(client.transport);
    connector.disconnect();
    const reason = await factory.lostConnection.asPromise();
    expect(reason.value).toBeInstanceOf(ConnectionDone);
    expect(client.events).toEqual(['made', 'lost']); // the protocol is told before the factory
    expect(factory.calls).toEqual([
      'startFactory',
      'startedConnecting',
      'buildProtocol',
      'clientConnectionLost:ConnectionDone',
      'stopFactory',
    ]);
    expect(connector.state).toBe('disconnected');
  });

  it('a host name is resolved through the installed resolver', async () => {
    const reactor = newReactor();
    const port = reactor.listenTCP(0, new ServerRecorder(() => new Recording()), { interface: '127.0.0.1' });
    const asked: string[] = [];
    reactor.installResolver({
      getHostByName: (name) => {
        asked.push(name);
        const d = new Deferred<string>();
        d.callback('127.0.0.1');
        return d;
      },
    });
    const factory = new ClientRecorder(() => new Recording());
    const connector = reactor.connectTCP('db.example.test', port.getHost().port, factory);
    await until(() => factory.built.length === 1, 'the connection');
    expect(asked).toEqual(['db.example.test']);
    expect(String(connector.getDestination())).toContain("host='db.example.test'");
    expect(factory.built[0].transport.getPeer().host).toBe('127.0.0.1');
  });

  it('bindAddress: the connection comes from the given local port', async () => {
    const reactor = newReactor();
    const localPort = await closedPort();
    const { port } = {
      port: reactor.listenTCP(0, new ServerRecorder(() => new Recording()), { interface: '127.0.0.1' }),
    };
    const factory = new ClientRecorder(() => new Recording());
    reactor.connectTCP('127.0.0.1', port.getHost().port, factory, 30, ['127.0.0.1', localPort]);
    await until(() => factory.built.length === 1, 'the connection');
    expect(factory.built[0].transport.getHost().port).toBe(localPort);
  });

  it('a factory that calls connector.connect() from clientConnectionLost reconnects and is not stopped', async () => {
    const reactor = newReactor();
    const server = new ServerRecorder(() => new Recording());
    const port = reactor.listenTCP(0, server, { interface: '127.0.0.1' });
    let rounds = 0;
    class Again extends ClientRecorder<Recording> {
      override clientConnectionLost(
        c: IConnector,
        r: Parameters<ClientRecorder<Recording>['clientConnectionLost']>[1],
      ): void {
        super.clientConnectionLost(c, r);
        if (++rounds < 3) c.connect();
      }
    }
    const factory = new Again(() => new Recording());
    reactor.connectTCP('127.0.0.1', port.getHost().port, factory);
    for (let i = 0; i < 3; i++) {
      const client = await until(() => factory.built.length > i, `connection ${i}`).then(
        () => factory.built[i],
      );
      await client.made.asPromise();
      client.transport.loseConnection();
    }
    await until(() => factory.calls.includes('stopFactory'), 'the factory to stop');
    expect(factory.calls.filter((c) => c === 'startFactory')).toHaveLength(1);
    expect(factory.calls.filter((c) => c === 'stopFactory')).toHaveLength(1);
    expect(factory.numPorts).toBe(0);
  });
});

describe('failures reach clientConnectionFailed with the right reason', () => {
  it('refused: ConnectionRefusedError with the OS error', async () => {
    const factory = new ClientRecorder(() => new Recording());
    const connector = newReactor().connectTCP('127.0.0.1', await closedPort(), factory);
    const reason = await factory.failed.asPromise();
    expect(reason.value).toBeInstanceOf(ConnectionRefusedError);
    expect((reason.value as ConnectionRefusedError).osError?.code).toBe('ECONNREFUSED');
    expect(factory.calls).toEqual([
      'startFactory',
      'startedConnecting',
      'clientConnectionFailed:ConnectionRefusedError',
      'stopFactory',
    ]);
    expect(connector.state).toBe('disconnected');
  });

  it('an unknown name: DNSLookupError from the resolver, without touching the network', async () => {
    const reactor = newReactor();
    reactor.installResolver({ getHostByName: (name) => fail(new DNSLookupError(`no such host ${name}`)) });
    const factory = new ClientRecorder(() => new Recording());
    reactor.connectTCP('nowhere.test', 80, factory);
    const reason = await factory.failed.asPromise();
    expect(reason.value).toBeInstanceOf(DNSLookupError);
    expect(reason.value.message).toBe('no such host nowhere.test');
  });

  it('the timeout: TimeoutError (a resolver that never answers), and the lookup is cancelled', async () => {
    const reactor = newReactor();
    let cancelled = false;
    reactor.installResolver({ getHostByName: () => new Deferred<string>(() => (cancelled = true)) });
    const factory = new ClientRecorder(() => new Recording());
    reactor.connectTCP('slow.test', 80, factory, 0.05);
    const reason = await factory.failed.asPromise();
    expect(reason.value).toBeInstanceOf(TimeoutError);
    expect(reason.value).toBeInstanceOf(UserError);
    expect(cancelled).toBe(true);
  });

  it('stopConnecting: UserError, synchronously; then NotConnectingError', async () => {
    const factory = new ClientRecorder(() => new Recording());
    const connector = newReactor().connectTCP('127.0.0.1', await closedPort(), factory);
    connector.stopConnecting();
    expect(factory.calls).toContain('clientConnectionFailed:UserError');
    expect(() => connector.stopConnecting()).toThrow(NotConnectingError);
    expect(connector.state).toBe('disconnected');
  });

  it('connect() while connecting: ConnectorStateError', async () => {
    const connector = newReactor().connectTCP(
      '127.0.0.1',
      await closedPort(),
      new ClientRecorder(() => new Recording()),
    );
    expect(() => connector.connect()).toThrow(ConnectorStateError);
    connector.stopConnecting();
  });

  it('bindAddress already in use: ConnectBindError', async () => {
    const reactor = newReactor();
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const { port } = taken.address() as net.AddressInfo;
    try {
      const factory = new ClientRecorder(() => new Recording());
      reactor.connectTCP('127.0.0.1', port, factory, { bindAddress: ['127.0.0.1', port] });
      const reason = await factory.failed.asPromise();
      expect(reason.value).toBeInstanceOf(ConnectBindError);
    } finally {
      taken.close();
    }
  });

  it.skipIf(!inNetns)(
    'no route to the host: NoRouteError (inside the test namespace: nothing can leave)',
    async () => {
      const factory = new ClientRecorder(() => new Recording());
      newReactor().connectTCP('192.0.2.1', 9, factory);
      const reason = await factory.failed.asPromise();
      expect(reason.value).toBeInstanceOf(NoRouteError);
    },
  );

  it('a client buildProtocol that throws: ConnectError, logged, the socket closed', async () => {
    const reactor = newReactor();
    const server = new ServerRecorder(() => new Recording());
    const port = reactor.listenTCP(0, server, { interface: '127.0.0.1' });
    class Throwing extends ClientRecorder<Recording> {
      override buildProtocol(): Recording {
        throw new Error('cannot build');
      }
    }
    const factory = new Throwing(() => new Recording());
    reactor.connectTCP('127.0.0.1', port.getHost().port, factory);
    const reason = await factory.failed.asPromise();
    expect(reason.value).toBeInstanceOf(ConnectError);
    expect((reason.value.cause as Error).message).toBe('cannot build');
    expect(log().errors()).toHaveLength(1);
    await (await server.nth(0)).lost.asPromise();
  });
});

describe('the signal and reactor shutdown', () => {
  it('aborting the signal disconnects the connection', async () => {
    const reactor = newReactor();
    const port = reactor.listenTCP(0, new ServerRecorder(() => new Recording()), { interface: '127.0.0.1' });
    const controller = new AbortController();
    const factory = new ClientRecorder(() => new Recording());
    reactor.connectTCP('127.0.0.1', port.getHost().port, factory, { signal: controller.signal });
    await until(() => factory.built.length === 1, 'the connection');
    controller.abort();
    expect((await factory.lostConnection.asPromise()).value).toBeInstanceOf(ConnectionDone);
  });

  it('a ReconnectingClientFactory reconnects to a server that comes back (real sockets)', async () => {
    const reactor = newReactor();
    const portNumber = await closedPort();
    class Client extends Protocol {
      declare factory: ReconnectingClientFactory;
      override connectionMade(): void {
        this.factory.resetDelay();
      }
    }
    const factory = ReconnectingClientFactory.forProtocol(Client);
    factory.noisy = false;
    factory.initialDelay = 0.01;
    factory.delay = 0.01;
    factory.maxDelay = 0.05;
    factory.clock = reactor;
    let connected = 0;
    const made = new Deferred<void>();
    factory.buildProtocol = function (addr) {
      connected++;
      made.callback(undefined);
      return ReconnectingClientFactory.prototype.buildProtocol.call(this, addr);
    };
    const connector = reactor.connectTCP('127.0.0.1', portNumber, factory);
    await until(() => factory.retries >= 2, 'two failed attempts');
    const serverFactory = Factory.forProtocol(Protocol);
    serverFactory.noisy = false;
    reactor.listenTCP(portNumber, serverFactory, { interface: '127.0.0.1' });
    await made;
    expect(connected).toBe(1);
    await until(() => factory.retries === 0, 'resetDelay');
    factory.stopTrying();
    connector.disconnect();
  });
});

describe('the pieces together', () => {
  it('connectedPair works (sanity for the helpers used elsewhere)', async () => {
    const { server, client } = await connectedPair(
      newReactor(),
      () => new Recording(),
      () => new Recording(),
    );
    expect(server.transport.connected && client.transport.connected).toBe(true);
  });
});
