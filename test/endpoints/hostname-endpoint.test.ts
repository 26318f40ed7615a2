/**
 * HostnameEndpoint: the staggered race over every address of a name, driven step by step on a
 * fake reactor and a Clock (which attempt starts when, who wins, what is abandoned), then on real
 * loopback sockets with a name resolver installed — never real DNS.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionRefusedError, DNSLookupError } from '../../src/errors.ts';
import { ConnectingCancelledError } from '../../src/errors/endpoints.ts';
import { HostnameAddress } from '../../src/endpoints/hostname-address.ts';
import { HostnameEndpoint } from '../../src/endpoints/hostname-endpoint.ts';
import { TCP4ServerEndpoint } from '../../src/endpoints/tcp-server-endpoint.ts';
import { TCP6ServerEndpoint } from '../../src/endpoints/tcp-server-endpoint.ts';
import { succeed, fail } from '../../src/defer/shortcuts.ts';
import { Failure } from '../../src/failure.ts';
import type {
  IClientFactory,
  IConnector,
  IHostnameResolver,
  IProtocol,
  StreamAddress,
} from '../../src/interfaces.ts';
import { Factory } from '../../src/protocols/factory.ts';
import { Protocol } from '../../src/protocols/protocol.ts';
import { Clock } from '../../src/task/clock.ts';
import { StringTransport } from '../../src/testing/string-transport.ts';
import { IPv4Address, IPv6Address } from '../../src/transports/address.ts';
import { isIP } from 'node:net';
import { Recording, ServerRecorder, cleanup, newReactor } from '../transports/tcp/helpers.ts';

afterEach(cleanup);

/** A name resolver answering from a table (Twisted's deterministicResolvingReactor). */
function tableResolver(table: Record<string, string[]>): IHostnameResolver {
  return {
    resolveHostName(receiver, name, portNumber = 0) {
      receiver.resolutionBegan({ name, cancel() {} });
      queueMicrotask(() => {
        for (const host of table[name] ?? []) {
          receiver.addressResolved(
            isIP(host) === 6
              ? new IPv6Address('TCP', host, portNumber)
              : new IPv4Address('TCP', host, portNumber),
          );
        }
        receiver.resolutionComplete();
      });
      return receiver;
    },
  };
}

/** One recorded connectTCP call of the fake reactor. */
interface Attempt {
  host: string;
  factory: IClientFactory;
  stopped: boolean;
  succeed(): Protocol;
  refuse(): void;
}

/** A reactor that records connectTCP calls and keeps time with a Clock. */
function fakeReactor(table: Record<string, string[]>) {
  const clock = new Clock();
  const attempts: Attempt[] = [];
  const reactor = {
    nameResolver: tableResolver(table),
    callLater: clock.callLater.bind(clock),
    connectTCP(host: string, port: number, factory: IClientFactory): IConnector {
      let state: IConnector['state'] = 'connecting';
      const connector: IConnector = {
        connect() {},
        disconnect() {},
        stopConnecting() {
          attempt.stopped = true;
          state = 'disconnected';
          factory.clientConnectionFailed(connector, new Failure(new Error('stopped')));
        },
        getDestination: () => new IPv4Address('TCP', host, port),
        get state() {
          return state;
        },
      };
      const attempt: Attempt = {
        host,
        factory,
        stopped: false,
        succeed() {
          state = 'connected';
          // What the endpoint built: a notifier in front of the user's protocol.
          const p = factory.buildProtocol(new IPv4Address('TCP', host, port) as StreamAddress)!;
          p.makeConnection(new StringTransport());
          return (p as unknown as { wrappedProtocol: Protocol }).wrappedProtocol;
        },
        refuse() {
          state = 'disconnected';
          factory.clientConnectionFailed(connector, new Failure(new ConnectionRefusedError()));
        },
      };
      attempts.push(attempt);
      void factory.startedConnecting(connector);
      return connector;
    },
    listenTCP: () => {
      throw new Error('not here');
    },
  };
  return { reactor, clock, attempts };
}

const flush = () => new Promise<void>((r) => setImmediate(r));

describe('HostnameEndpoint, step by step', () => {
  it('interleaves the families and starts an attempt every attemptDelay seconds', async () => {
    const { reactor, clock, attempts } = fakeReactor({
      'example.test': ['::1', '::2', '10.0.0.1', '10.0.0.2'],
    });
    const d = new HostnameEndpoint(reactor as never, 'example.test', 80).connect(
      Factory.forProtocol(Protocol),
    );
    await flush();
    expect(attempts.map((a) => a.host)).toEqual(['::1']);
    clock.advance(0.29);
    expect(attempts).toHaveLength(1);
    clock.advance(0.01);
    expect(attempts.map((a) => a.host)).toEqual(['::1', '10.0.0.1']);
    clock.advance(0.3);
    expect(attempts.map((a) => a.host)).toEqual(['::1', '10.0.0.1', '::2']);
    // The IPv4 one connects first: it wins, the others are abandoned, no more are started.
    const winner = attempts[1].succeed();
    expect(await d.asPromise()).toBe(winner);
    expect(attempts.map((a) => a.stopped)).toEqual([true, false, true]);
    clock.advance(10);
    expect(attempts).toHaveLength(3);
  });

  it('a failed attempt starts the next at once, without waiting for the delay', async () => {
    const { reactor, attempts } = fakeReactor({ 'example.test': ['::1', '10.0.0.1'] });
    const d = new HostnameEndpoint(reactor as never, 'example.test', 80).connect(
      Factory.forProtocol(Protocol),
    );
    await flush();
    attempts[0].refuse();
    expect(attempts.map((a) => a.host)).toEqual(['::1', '10.0.0.1']);
    const p = attempts[1].succeed();
    expect(await d.asPromise()).toBe(p);
  });

  it('when every attempt fails, the Deferred fails with the last failure', async () => {
    const { reactor, attempts } = fakeReactor({ 'example.test': ['::1', '10.0.0.1'] });
    const d = new HostnameEndpoint(reactor as never, 'example.test', 80).connect(
      Factory.forProtocol(Protocol),
    );
    await flush();
    attempts[0].refuse();
    attempts[1].refuse();
    await expect(d.asPromise()).rejects.toBeInstanceOf(ConnectionRefusedError);
  });

  it('a name without addresses fails with DNSLookupError', async () => {
    const { reactor } = fakeReactor({});
    await expect(
      new HostnameEndpoint(reactor as never, 'nowhere.test', 80)
        .connect(Factory.forProtocol(Protocol))
        .asPromise(),
    ).rejects.toThrow(DNSLookupError);
  });

  it('cancelling abandons every attempt and fails with ConnectingCancelledError(HostnameAddress)', async () => {
    const { reactor, clock, attempts } = fakeReactor({ 'example.test': ['::1', '10.0.0.1', '10.0.0.2'] });
    const d = new HostnameEndpoint(reactor as never, 'example.test', 80).connect(
      Factory.forProtocol(Protocol),
    );
    await flush();
    clock.advance(0.3);
    d.cancel();
    const error = (await d.asPromise().catch((e: unknown) => e)) as ConnectingCancelledError;
    expect(error).toBeInstanceOf(ConnectingCancelledError);
    expect((error.address as HostnameAddress).equals(new HostnameAddress('example.test', 80))).toBe(true);
    expect(attempts.map((a) => a.stopped)).toEqual([true, true]);
    clock.advance(10);
    expect(attempts).toHaveLength(2);
  });

  it('only the addresses of the bindAddress family are tried', async () => {
    const { reactor, attempts } = fakeReactor({ 'example.test': ['::1', '10.0.0.1'] });
    void new HostnameEndpoint(reactor as never, 'example.test', 80, { bindAddress: '127.0.0.1' }).connect(
      Factory.forProtocol(Protocol),
    );
    await flush();
    expect(attempts.map((a) => a.host)).toEqual(['10.0.0.1']);
  });

  it('a Unicode name is resolved in its IDNA form', async () => {
    const { reactor, attempts } = fakeReactor({ 'xn--xample-9ua.test': ['10.0.0.1'] });
    const endpoint = new HostnameEndpoint(reactor as never, '\u00e9xample.test', 80);
    expect(String(endpoint)).toBe('<HostnameEndpoint xn--xample-9ua.test:80>');
    void endpoint.connect(Factory.forProtocol(Protocol));
    await flush();
    expect(attempts.map((a) => a.host)).toEqual(['10.0.0.1']);
  });
});

describe('HostnameEndpoint on loopback', () => {
  it('a dead IPv6 address, then the IPv4 one that listens', async () => {
    const reactor = newReactor();
    const listening = await new TCP4ServerEndpoint(reactor, 0, { interface: '127.0.0.1' }).listen(
      new ServerRecorder(() => new Recording()),
    );
    const port = (listening.getHost() as IPv4Address).port;
    reactor.installNameResolver(tableResolver({ 'dual.test': ['::1', '127.0.0.1'] }));
    const p = (await new HostnameEndpoint(reactor, 'dual.test', port).connect(
      Factory.forProtocol(Recording),
    )) as Recording;
    expect((p.transport.getPeer() as IPv4Address).host).toBe('127.0.0.1');
  });

  it('IPv6 when it is the one that listens', async () => {
    const reactor = newReactor();
    const listening = await new TCP6ServerEndpoint(reactor, 0, { interface: '::1' }).listen(
      new ServerRecorder(() => new Recording()),
    );
    const port = (listening.getHost() as IPv6Address).port;
    reactor.installNameResolver(tableResolver({ 'dual.test': ['127.0.0.1', '::1'] }));
    const p = (await new HostnameEndpoint(reactor, 'dual.test', port).connect(
      Factory.forProtocol(Recording),
    )) as Recording;
    expect((p.transport.getPeer() as IPv6Address).host).toBe('::1');
  });

  it('through installResolver: the one address the simple resolver gives (Twisted)', async () => {
    const reactor = newReactor();
    const listening = await new TCP4ServerEndpoint(reactor, 0, { interface: '127.0.0.1' }).listen(
      new ServerRecorder(() => new Recording()),
    );
    const port = (listening.getHost() as IPv4Address).port;
    reactor.installResolver({
      getHostByName: (name) =>
        name === 'simple.test' ? succeed('127.0.0.1') : fail(new DNSLookupError(name)),
    });
    const p: IProtocol = await new HostnameEndpoint(reactor, 'simple.test', port).connect(
      Factory.forProtocol(Recording),
    );
    expect(p).toBeInstanceOf(Recording);
    await expect(
      new HostnameEndpoint(reactor, 'other.test', port).connect(Factory.forProtocol(Recording)).asPromise(),
    ).rejects.toThrow(DNSLookupError);
  });

  it('an IP literal needs no resolution', async () => {
    const reactor = newReactor();
    const listening = await new TCP4ServerEndpoint(reactor, 0, { interface: '127.0.0.1' }).listen(
      new ServerRecorder(() => new Recording()),
    );
    const port = (listening.getHost() as IPv4Address).port;
    reactor.installResolver({ getHostByName: () => fail(new Error('no lookups here')) });
    expect(
      await new HostnameEndpoint(reactor, '127.0.0.1', port).connect(Factory.forProtocol(Recording)),
    ).toBeInstanceOf(Recording);
  });
});
