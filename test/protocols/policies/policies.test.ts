/**
 * The policies, ported from Twisted's twisted/test/test_policies.py (WrapperTests,
 * TimeoutProtocolTests, TimeoutFactoryTests, TimeoutMixinTests,
 * LimitTotalConnectionsFactoryTests), with a Clock and StringTransport.
 */
import { describe, expect, it } from 'vitest';
import { ConnectionDone } from '../../../src/errors.ts';
import { Failure } from '../../../src/failure.ts';
import type { IConnector, IProtocolFactory } from '../../../src/interfaces.ts';
import { ClientFactory } from '../../../src/protocols/client-factory.ts';
import { Factory } from '../../../src/protocols/factory.ts';
import { LineReceiver } from '../../../src/protocols/basic/line-receiver.ts';
import { LimitTotalConnectionsFactory } from '../../../src/protocols/policies/limit-total-connections-factory.ts';
import { ProtocolWrapper } from '../../../src/protocols/policies/protocol-wrapper.ts';
import { TimeoutFactory } from '../../../src/protocols/policies/timeout-factory.ts';
import { TimeoutMixin } from '../../../src/protocols/policies/timeout-mixin.ts';
import { TimeoutProtocol } from '../../../src/protocols/policies/timeout-protocol.ts';
import { WrappingFactory } from '../../../src/protocols/policies/wrapping-factory.ts';
import { Protocol } from '../../../src/protocols/protocol.ts';
import { ServerFactory } from '../../../src/protocols/server-factory.ts';
import { Clock } from '../../../src/task/clock.ts';
import { StringTransport } from '../../../src/testing/string-transport.ts';
import { StringTransportWithDisconnection } from '../../../src/testing/string-transport-with-disconnection.ts';
import { IPv4Address } from '../../../src/transports/address.ts';

const addr = new IPv4Address('TCP', '127.0.0.1', 35);

/** Twisted's SimpleProtocol: notes its connection's start and end. */
class SimpleProtocol extends Protocol {
  made = false;
  disconnected = false;
  buffer = '';
  override connectionMade(): void {
    this.made = true;
  }
  override connectionLost(): void {
    this.disconnected = true;
  }
  override dataReceived(data: Buffer): void {
    this.buffer += data.toString();
  }
}

class EchoProtocol extends Protocol {
  override dataReceived(data: Buffer): void {
    this.transport.write(data);
  }
}

class Server extends ServerFactory {
  override protocol = EchoProtocol;
}

describe('WrappingFactory and ProtocolWrapper (Twisted WrapperTests)', () => {
  it("test_protocolFactoryAttribute: the wrapped protocol's factory is the wrapped factory", () => {
    const f = new Server();
    const p = new WrappingFactory(f).buildProtocol(addr)!;
    expect((p.wrappedProtocol as Protocol).factory).toBe(f);
  });

  it('test_factoryLogPrefix / test_factoryLogPrefixFallback', () => {
    expect(new WrappingFactory(new Server()).logPrefix()).toBe('Server (WrappingFactory)');
    class NoFactory {}
    expect(new WrappingFactory(new NoFactory() as IProtocolFactory).logPrefix()).toBe(
      'NoFactory (WrappingFactory)',
    );
  });

  it('test_protocolLogPrefix / test_protocolLogPrefixFallback', () => {
    expect(new WrappingFactory(new Server()).buildProtocol(addr)!.logPrefix()).toBe(
      'EchoProtocol (ProtocolWrapper)',
    );
    class NoProtocol {
      makeConnection(): void {}
    }
    const server = new Server();
    server.protocol = NoProtocol as never;
    expect(new WrappingFactory(server).buildProtocol(addr)!.logPrefix()).toBe('NoProtocol (ProtocolWrapper)');
  });

  function getWrapper(): [ProtocolWrapper, StringTransport, Protocol] {
    const inner = new Protocol();
    const wrapper = new ProtocolWrapper(new WrappingFactory(new Server()), inner);
    const transport = new StringTransport();
    wrapper.makeConnection(transport);
    return [wrapper, transport, inner];
  }

  it('the wrapped protocol is connected to the wrapper, which relays to the transport', () => {
    const [wrapper, transport, inner] = getWrapper();
    expect(inner.transport).toBe(wrapper);
    inner.transport.write(Buffer.from('a'));
    inner.transport.writeSequence([Buffer.from('b'), Buffer.from('c')]);
    expect(transport.value().toString()).toBe('abc');
    expect(wrapper.getHost()).toEqual(transport.getHost());
    expect(wrapper.getPeer()).toEqual(transport.getPeer());
    wrapper.setTcpNoDelay(true);
    expect([transport.getTcpNoDelay(), wrapper.getTcpNoDelay()]).toEqual([true, true]);
    wrapper.setTcpKeepAlive(true);
    expect(wrapper.getTcpKeepAlive()).toBe(true);
    wrapper.pauseProducing();
    expect(transport.producerState).toBe('paused');
    wrapper.resumeProducing();
    expect(transport.producerState).toBe('producing');
  });

  it('test_registerProducer / test_unregisterProducer', () => {
    const [wrapper, transport] = getWrapper();
    const producer = { pauseProducing() {}, resumeProducing() {}, stopProducing() {} };
    wrapper.registerProducer(producer, true);
    expect([transport.producer, transport.streaming]).toEqual([producer, true]);
    wrapper.unregisterProducer();
    expect([transport.producer, transport.streaming]).toEqual([undefined, undefined]);
  });

  it('loseConnection through the wrapper: disconnecting, and the transport told', () => {
    const [wrapper, transport] = getWrapper();
    expect(wrapper.disconnecting).toBe(false);
    wrapper.loseConnection();
    expect([wrapper.disconnecting, transport.disconnecting]).toEqual([true, true]);
  });

  it('test_startedConnecting / test_clientConnectionLost / test_clientConnectionFailed', () => {
    const calls: unknown[][] = [];
    class Recording extends ClientFactory {
      override startedConnecting(c: IConnector): void {
        calls.push(['started', c]);
      }
      override clientConnectionLost(c: IConnector, r: Failure): void {
        calls.push(['lost', c, r]);
      }
      override clientConnectionFailed(c: IConnector, r: Failure): void {
        calls.push(['failed', c, r]);
      }
    }
    const wrapper = new WrappingFactory(new Recording());
    const connector = {} as IConnector;
    const reason = new Failure(new Error('x'));
    wrapper.startedConnecting(connector);
    wrapper.clientConnectionLost(connector, reason);
    wrapper.clientConnectionFailed(connector, reason);
    expect(calls).toEqual([
      ['started', connector],
      ['lost', connector, reason],
      ['failed', connector, reason],
    ]);
  });

  it('doStart and doStop start and stop the wrapped factory too', () => {
    const inner = new Server();
    inner.noisy = false;
    const wrapper = new WrappingFactory(inner);
    wrapper.noisy = false;
    wrapper.doStart();
    expect([inner.numPorts, wrapper.numPorts]).toEqual([1, 1]);
    wrapper.doStop();
    expect([inner.numPorts, wrapper.numPorts]).toEqual([0, 0]);
  });

  it('protocols holds the wrappers whose connection is up', () => {
    const factory = new WrappingFactory(Factory.forProtocol(SimpleProtocol));
    const p = factory.buildProtocol(addr)!;
    const transport = new StringTransportWithDisconnection();
    transport.protocol = p;
    p.makeConnection(transport);
    expect([...factory.protocols]).toEqual([p]);
    transport.loseConnection();
    expect(factory.protocols.size).toBe(0);
    expect((p.wrappedProtocol as SimpleProtocol).disconnected).toBe(true);
  });

  it('a wrapped factory that refuses a connection makes the wrapping factory refuse it', () => {
    class Refusing extends ServerFactory {
      override buildProtocol(): undefined {
        return undefined;
      }
    }
    expect(new WrappingFactory(new Refusing()).buildProtocol(addr)).toBeUndefined();
  });

  it('a subclass sets protocol to its own wrapper class', () => {
    const seen: string[] = [];
    class Spy extends ProtocolWrapper {
      override dataReceived(data: Buffer): void | Promise<void> {
        seen.push(data.toString());
        return super.dataReceived(data);
      }
    }
    class SpyingFactory extends WrappingFactory<Spy> {
      override protocol = Spy;
    }
    const p = new SpyingFactory(Factory.forProtocol(EchoProtocol)).buildProtocol(addr)!;
    expect(p).toBeInstanceOf(Spy);
    const transport = new StringTransport();
    p.makeConnection(transport);
    void p.dataReceived(Buffer.from('hi'));
    expect([seen, transport.value().toString()]).toEqual([['hi'], 'hi']);
  });

  it('half-close reaches a wrapped protocol that handles it, and only then', () => {
    class HalfClose extends Protocol {
      events: string[] = [];
      readConnectionLost(): void {
        this.events.push('read');
      }
      writeConnectionLost(): void {
        this.events.push('write');
      }
    }
    const inner = new HalfClose();
    const wrapper = new ProtocolWrapper(new WrappingFactory(new Server()), inner);
    void wrapper.readConnectionLost!();
    void wrapper.writeConnectionLost!();
    expect(inner.events).toEqual(['read', 'write']);
    expect(
      new ProtocolWrapper(new WrappingFactory(new Server()), new Protocol()).readConnectionLost,
    ).toBeUndefined();
  });

  it('startTLS through a wrapper needs a transport that has it', () => {
    const [wrapper] = getWrapper();
    expect(() => wrapper.startTLS({ getTLSOptions: () => ({}) })).toThrow(/transport that can start TLS/);
    expect(wrapper.getPeerCertificate()).toBeUndefined();
  });

  it('bad arguments name themselves', () => {
    expect(() => new ProtocolWrapper(undefined, new Protocol())).toThrow(/"factory" argument/);
    expect(() => new ProtocolWrapper(new WrappingFactory(new Server()), {} as never)).toThrow(
      /"wrappedProtocol"/,
    );
    expect(() => new WrappingFactory(null as never)).toThrow(/"wrappedFactory"/);
  });
});

/** Twisted's TestableTimeoutFactory: a TimeoutFactory on a Clock. */
function timeoutFactory(clock: Clock, period: number | undefined): TimeoutFactory {
  const factory = new TimeoutFactory(Factory.forProtocol(SimpleProtocol), period === undefined ? 1 : period);
  factory.callLater = (d, f) => clock.callLater(d, f);
  if (period === undefined) {
    // Twisted's tests pass None: a wrapper with no timeout.
    const build = factory.buildProtocol.bind(factory);
    factory.buildProtocol = (a) => {
      const p = build(a)!;
      p.cancelTimeout();
      return p;
    };
  }
  return factory;
}

function connectedTimeoutProtocol(clock: Clock, period: number | undefined): TimeoutProtocol {
  const proto = timeoutFactory(clock, period).buildProtocol(addr)!;
  const transport = new StringTransportWithDisconnection();
  transport.protocol = proto;
  proto.makeConnection(transport);
  return proto;
}

const inner = (p: TimeoutProtocol) => p.wrappedProtocol as SimpleProtocol;

describe('TimeoutProtocol (Twisted TimeoutProtocolTests)', () => {
  it('test_cancelTimeout', () => {
    const clock = new Clock();
    const sut = connectedTimeoutProtocol(clock, undefined);
    sut.setTimeout(3);
    expect(sut.timeoutCall).toBeDefined();
    clock.advance(1);
    sut.cancelTimeout();
    expect(sut.timeoutCall).toBeUndefined();
    clock.advance(3);
    expect(inner(sut).disconnected).toBe(false);
  });

  it('test_cancelTimeoutNoTimeout', () => {
    const sut = connectedTimeoutProtocol(new Clock(), undefined);
    expect(sut.timeoutCall).toBeUndefined();
    sut.cancelTimeout();
    expect(inner(sut).disconnected).toBe(false);
  });

  it('test_cancelTimeoutAlreadyCalled', () => {
    const clock = new Clock();
    const sut = connectedTimeoutProtocol(clock, undefined);
    sut.setTimeout(3);
    clock.advance(3);
    expect(inner(sut).disconnected).toBe(true);
    sut.cancelTimeout();
  });

  it('test_cancelTimeoutAlreadyCancelled', () => {
    const clock = new Clock();
    const sut = connectedTimeoutProtocol(clock, undefined);
    sut.setTimeout(3);
    sut.timeoutCall!.cancel();
    sut.cancelTimeout();
    expect(inner(sut).disconnected).toBe(false);
  });
});

describe('TimeoutFactory (Twisted TimeoutFactoryTests)', () => {
  it('test_timeout', () => {
    const clock = new Clock();
    const proto = connectedTimeoutProtocol(clock, 3);
    clock.pump([0.0, 0.5, 1.0, 1.0, 0.4]);
    expect(inner(proto).disconnected).toBe(false);
    clock.pump([0.0, 0.2]);
    expect(inner(proto).disconnected).toBe(true);
  });

  it('test_sendAvoidsTimeout', () => {
    const clock = new Clock();
    const proto = connectedTimeoutProtocol(clock, 3);
    clock.pump([0.0, 0.5, 1.0]);
    proto.write(Buffer.from('bytes bytes bytes'));
    clock.pump([0.0, 1.0, 1.0]);
    expect(inner(proto).disconnected).toBe(false);
    proto.writeSequence([Buffer.from('bytes'), Buffer.from('bytes')]);
    clock.pump([0.0, 1.0, 1.0]);
    expect(inner(proto).disconnected).toBe(false);
    clock.pump([0.0, 2.0]);
    expect(inner(proto).disconnected).toBe(true);
  });

  it('test_receiveAvoidsTimeout', () => {
    const clock = new Clock();
    const proto = connectedTimeoutProtocol(clock, 3);
    clock.pump([0.0, 1.0, 0.5]);
    void proto.dataReceived(Buffer.from('bytes bytes bytes'));
    clock.pump([0.0, 1.0, 1.0]);
    expect(inner(proto).disconnected).toBe(false);
    clock.pump([0.0, 1.0, 1.0]);
    expect(inner(proto).disconnected).toBe(true);
    expect(inner(proto).buffer).toBe('bytes bytes bytes');
  });

  it('the keyword form, and a bad period', () => {
    expect(new TimeoutFactory(new Server(), { timeoutPeriod: 7 }).timeoutPeriod).toBe(7);
    expect(new TimeoutFactory(new Server()).timeoutPeriod).toBe(1800);
    expect(() => new TimeoutFactory(new Server(), -1)).toThrow(/"timeoutPeriod" is out of range/);
  });

  it('the default callLater is the reactor', async () => {
    const { reactor } = await import('../../../src/reactor/index.ts');
    const call = new TimeoutFactory(new Server()).callLater(100, () => {});
    expect(reactor.getDelayedCalls()).toContain(call);
    call.cancel();
  });
});

/** Twisted's TimeoutTester, through the mixin. */
class TimeoutTester extends TimeoutMixin(Protocol) {
  override timeOut: number | undefined = 3;
  timedOut = false;
  readonly clock: Clock;
  constructor(clock: Clock) {
    super();
    this.clock = clock;
  }
  override connectionMade(): void {
    this.setTimeout(this.timeOut);
  }
  override dataReceived(): void {
    this.resetTimeout();
  }
  override connectionLost(): void {
    this.setTimeout(undefined);
  }
  override timeoutConnection(): void {
    this.timedOut = true;
  }
  override callLater(delay: number, fn: () => void) {
    return this.clock.callLater(delay, fn);
  }
}

describe('TimeoutMixin (Twisted TimeoutMixinTests)', () => {
  it("test_overriddenCallLater: the clock's callLater is used", () => {
    const clock = new Clock();
    new TimeoutTester(clock).setTimeout(10);
    expect(clock.getDelayedCalls().length).toBe(1);
  });

  it('test_timeout', () => {
    const clock = new Clock();
    const proto = new TimeoutTester(clock);
    proto.makeConnection(new StringTransport());
    clock.pump([0, 0.5, 1.0, 1.0]);
    expect(proto.timedOut).toBe(false);
    clock.pump([0, 1.0]);
    expect(proto.timedOut).toBe(true);
  });

  it('test_noTimeout: data pushes the timeout back', () => {
    const clock = new Clock();
    const proto = new TimeoutTester(clock);
    proto.makeConnection(new StringTransport());
    clock.pump([0, 0.5, 1.0, 1.0]);
    proto.dataReceived();
    clock.pump([0, 1.0, 1.0, 0.5]);
    expect(proto.timedOut).toBe(false);
    clock.pump([0, 1.0]);
    expect(proto.timedOut).toBe(true);
  });

  it('test_resetTimeout: a new period replaces the old', () => {
    const clock = new Clock();
    const proto = new TimeoutTester(clock);
    proto.timeOut = undefined;
    proto.makeConnection(new StringTransport());
    proto.setTimeout(1);
    expect(proto.timeOut).toBe(1);
    clock.pump([0, 0.9]);
    expect(proto.timedOut).toBe(false);
    clock.pump([0, 0.2]);
    expect(proto.timedOut).toBe(true);
  });

  it('test_cancelTimeout', () => {
    const clock = new Clock();
    const proto = new TimeoutTester(clock);
    proto.timeOut = 5;
    proto.makeConnection(new StringTransport());
    proto.setTimeout(undefined);
    expect(proto.timeOut).toBeUndefined();
    clock.pump([0, 5, 5, 5]);
    expect(proto.timedOut).toBe(false);
  });

  it('test_setTimeoutReturn', () => {
    const proto = new TimeoutTester(new Clock());
    proto.timeOut = 5;
    expect(proto.setTimeout(10)).toBe(5);
    expect(proto.setTimeout(undefined)).toBe(10);
    expect(proto.setTimeout(1)).toBeUndefined();
    expect(proto.timeOut).toBe(1);
    proto.setTimeout(undefined);
  });

  it('test_setTimeoutCancleAlreadyCancelled', () => {
    const clock = new Clock();
    const proto = new TimeoutTester(clock);
    proto.setTimeout(3);
    clock.getDelayedCalls()[0].cancel();
    proto.setTimeout(undefined);
    expect(proto.timeOut).toBeUndefined();
  });

  it('the default timeoutConnection drops the connection; it mixes into LineReceiver too', () => {
    const clock = new Clock();
    class IdleLines extends TimeoutMixin(LineReceiver) {
      lines: string[] = [];
      override lineReceived(line: Buffer): void {
        this.lines.push(line.toString());
        this.resetTimeout();
      }
    }
    const proto = new IdleLines();
    proto.callLater = (d, f) => clock.callLater(d, f);
    const transport = new StringTransport();
    proto.makeConnection(transport);
    proto.setTimeout(2);
    clock.advance(1.5);
    void proto.dataReceived(Buffer.from('hi\r\n'));
    clock.advance(1.5);
    expect(transport.disconnecting).toBe(false);
    clock.advance(0.6);
    expect(transport.disconnecting).toBe(true);
    expect(proto.lines).toEqual(['hi']);
  });

  it('a bad period is refused', () => {
    expect(() => new TimeoutTester(new Clock()).setTimeout(-1)).toThrow(/"period" is out of range/);
  });
});

describe('LimitTotalConnectionsFactory (Twisted LimitTotalConnectionsFactoryTests)', () => {
  it('testConnectionCounting', () => {
    const factory = new LimitTotalConnectionsFactory();
    factory.protocol = Protocol as never;
    expect(factory.connectionCount).toBe(0);
    const p1 = factory.buildProtocol(addr)!;
    expect(factory.connectionCount).toBe(1);
    const p2 = factory.buildProtocol(addr)!;
    expect(factory.connectionCount).toBe(2);
    const done = new Failure(new ConnectionDone());
    void p1.connectionLost(done);
    expect(factory.connectionCount).toBe(1);
    void p2.connectionLost(done);
    expect(factory.connectionCount).toBe(0);
  });

  it('testConnectionLimiting', () => {
    const factory = new LimitTotalConnectionsFactory();
    factory.protocol = Protocol as never;
    factory.connectionLimit = 1;
    const p = factory.buildProtocol(addr)!;
    expect(p).toBeDefined();
    expect(factory.connectionCount).toBe(1);
    expect(factory.buildProtocol(addr)).toBeUndefined();
    expect(factory.connectionCount).toBe(1);
    let overflowed = false;
    class OverflowProtocol extends Protocol {
      override connectionMade(): void {
        overflowed = true;
      }
    }
    factory.overflowProtocol = OverflowProtocol;
    const op = factory.buildProtocol(addr)!;
    op.makeConnection(new StringTransport());
    expect(overflowed).toBe(true);
    expect(factory.connectionCount).toBe(2);
    const done = new Failure(new ConnectionDone());
    void p.connectionLost(done);
    expect(factory.connectionCount).toBe(1);
    void op.connectionLost(done);
    expect(factory.connectionCount).toBe(0);
  });

  it("the wrapped protocol's factory is the limiting factory", () => {
    const factory = new LimitTotalConnectionsFactory();
    factory.protocol = SimpleProtocol as never;
    expect((factory.buildProtocol(addr)!.wrappedProtocol as Protocol).factory).toBe(factory);
  });
});
