/** The examples of docs/testing.md, run as written (with imports from the source tree). */
import { describe, expect, it } from 'vitest';
import { Deferred } from '../../src/defer/index.ts';
import { TimeoutError } from '../../src/errors.ts';
import type { AddressTuple, IReactorTime } from '../../src/interfaces.ts';
import { DatagramProtocol } from '../../src/protocols/index.ts';
import {
  assertNoResult,
  Clock,
  failureResultOf,
  FakeDatagramTransport,
  VirtualNetwork,
} from '../../src/testing/index.ts';
import { Echo } from './fixtures/recorder.ts';

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
