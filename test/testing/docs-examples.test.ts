/** The examples of docs/testing.md, run as written (with imports from the source tree). */
import { describe, expect, it } from 'vitest';
import { Deferred } from '../../src/defer/index.ts';
import { ConnectionRefusedError, TimeoutError } from '../../src/errors.ts';
import { Failure } from '../../src/failure.ts';
import type { AddressTuple, IReactorTime } from '../../src/interfaces.ts';
import {
  ClientFactory,
  DatagramProtocol,
  Factory,
  Protocol,
  ReconnectingClientFactory,
} from '../../src/protocols/index.ts';
import {
  AccumulatingProtocol,
  assertNoResult,
  Clock,
  failureResultOf,
  FakeDatagramTransport,
  MemoryReactorClock,
  StringTransport,
  VirtualNetwork,
} from '../../src/testing/index.ts';
import type { AccumulatingFactory } from '../../src/testing/index.ts';
import { Echo } from './fixtures/recorder.ts';

class Greeter extends Protocol {
  override connectionMade(): void {
    this.transport.write(Buffer.from('hello\r\n'));
  }
  override dataReceived(data: Buffer): void {
    if (data.toString() === 'bye\r\n') this.transport.loseConnection();
  }
}

class StreamEcho extends Protocol {
  override dataReceived(data: Buffer): void {
    this.transport.write(data);
  }
}

/** The "your code" of the MemoryReactor example. */
function connectToDatabase(reactor: MemoryReactorClock): ReconnectingClientFactory {
  const factory = ReconnectingClientFactory.forProtocol(Greeter);
  factory.noisy = false;
  factory.clock = reactor;
  reactor.connectTCP('db.internal', 5432, factory, 10);
  return factory;
}

class Pinger extends DatagramProtocol {
  readonly clock: IReactorTime;
  private pending: Deferred<number> | undefined;
  private sentAt = 0;

  constructor(clock: IReactorTime) {
    super();
    this.clock = clock;
    this.noisy = false;
  }

  ping(addr: AddressTuple, timeout = 1): Deferred<number> {
    this.sentAt = this.clock.seconds();
    const d = new Deferred<number>();
    this.pending = d;
    this.transport.write(Buffer.from('ping'), addr);
    return d.addTimeout(timeout, this.clock);
  }

  override datagramReceived(): void {
    const d = this.pending;
    this.pending = undefined;
    d?.callback(this.clock.seconds() - this.sentAt);
  }
}

describe('docs/testing.md', () => {
  it('Clock: times out after one second', () => {
    const clock = new Clock();
    const proto = new Pinger(clock);
    new FakeDatagramTransport({ protocol: proto }).startListening();
    const d = proto.ping(['10.0.0.2', 7]);
    let failure: unknown;
    d.addErrback((f) => (failure = f.value));
    clock.advance(0.999);
    expect(failure).toBeUndefined();
    clock.advance(0.001);
    expect(failure).toBeInstanceOf(TimeoutError);
  });

  it('FakeDatagramTransport: echoes', () => {
    const proto = new Echo();
    const transport = new FakeDatagramTransport({ protocol: proto, port: 9999 });
    transport.startListening();
    transport.deliver(Buffer.from('hi'), ['10.0.0.2', 5000]);
    expect(transport.written).toEqual([[Buffer.from('hi'), ['10.0.0.2', 5000]]]);
  });

  it('VirtualNetwork: a ping over a lossy network, driven by run()', async () => {
    const network = new VirtualNetwork({ seed: 2, latency: 0.02, loss: 0.1 });
    const a = network.addHost('10.0.0.1');
    const b = network.addHost('10.0.0.2', { names: ['server'] });
    b.listenUDP(9999, new Echo());
    const client = new Pinger(a);
    a.listenUDP(0, client);
    const rtt = client.ping(['10.0.0.2', 9999]);
    network.run(2);
    expect(rtt.called).toBe(true);
    expect(await rtt).toBeCloseTo(0.04, 10);
    expect(await a.resolve('server')).toBe('10.0.0.2');
  });

  it('VirtualNetwork: with seed 1 the same ping is lost, on every run', () => {
    const network = new VirtualNetwork({ seed: 1, latency: 0.02, loss: 0.1 });
    const a = network.addHost('10.0.0.1');
    network.addHost('10.0.0.2').listenUDP(9999, new Echo());
    const client = new Pinger(a);
    a.listenUDP(0, client);
    let failure: unknown;
    client.ping(['10.0.0.2', 9999]).addErrback((f) => (failure = f.value));
    network.run(2);
    expect(failure).toBeInstanceOf(TimeoutError);
    expect(network.stats().lost).toBe(1);
  });

  it('StringTransport: greets, and hangs up on bye', () => {
    const proto = new Greeter();
    const transport = new StringTransport();
    proto.makeConnection(transport);
    expect(transport.value().toString()).toBe('hello\r\n');
    proto.dataReceived(Buffer.from('bye\r\n'));
    expect(transport.disconnecting).toBe(true);
  });

  it('MemoryReactor: connects to the database, and retries with back-off', () => {
    const reactor = new MemoryReactorClock();
    const factory = connectToDatabase(reactor);
    expect(reactor.tcpClients).toEqual([['db.internal', 5432, factory, 10, undefined]]);
    const connector = reactor.connectors[0];
    connector.connectionFailed(new Failure(new ConnectionRefusedError()));
    reactor.advance(factory.delay);
    expect(connector.connects).toBe(2);
  });

  it('VirtualNetwork: TCP echo, one round trip to connect', async () => {
    const network = new VirtualNetwork({ seed: 4, latency: 0.05 });
    const a = network.addHost('10.0.0.1');
    const b = network.addHost('10.0.0.2');
    const echoes = Factory.forProtocol(StreamEcho);
    echoes.noisy = false;
    b.listenTCP(8000, echoes);
    const factory: ClientFactory & AccumulatingFactory = ClientFactory.forProtocol(AccumulatingProtocol);
    factory.noisy = false;
    const made = (factory.protocolConnectionMade = new Deferred());
    a.connectTCP('10.0.0.2', 8000, factory);
    network.run(1);
    const client = await made;
    client.transport.write(Buffer.from('ping'));
    network.run(1);
    expect(client.data.toString()).toBe('ping');
  });
});

describe("docs/testing.md: trial's synchronous assertions", () => {
  it('assertNoResult, then failureResultOf with the expected type', () => {
    const clock = new Clock();
    const proto = new Pinger(clock);
    new FakeDatagramTransport({ protocol: proto }).startListening();
    const d = proto.ping(['10.0.0.2', 7]);
    assertNoResult(d);
    clock.advance(1);
    const f = failureResultOf(d, TimeoutError);
    expect(f.value).toBeInstanceOf(TimeoutError);
  });
});
