/**
 * Protocol, BaseProtocol, Factory, ServerFactory and ClientFactory (src/protocols/), after
 * Twisted's test_factories.py and internet/test/test_protocol.py.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Failure } from '../../src/failure.ts';
import type { IConnector, IProtocol, StreamAddress } from '../../src/interfaces.ts';
import { BaseProtocol } from '../../src/protocols/base-protocol.ts';
import { ClientFactory } from '../../src/protocols/client-factory.ts';
import { Factory } from '../../src/protocols/factory.ts';
import { Protocol } from '../../src/protocols/protocol.ts';
import { ServerFactory } from '../../src/protocols/server-factory.ts';
import { IPv4Address } from '../../src/transports/address.ts';
import { StringTransport } from '../../src/testing/string-transport.ts';
import { captureLog, type LogCapture } from '../support/log-capture.ts';

const peer = new IPv4Address('TCP', '127.0.0.1', 40000);

let log: LogCapture;
beforeEach(() => {
  log = captureLog();
});
afterEach(() => log.stop());

class Echo extends Protocol {
  override dataReceived(data: Buffer): void {
    this.transport.write(data);
  }
}

describe('BaseProtocol and Protocol', () => {
  it('makeConnection sets transport and connected, then calls connectionMade', () => {
    const seen: unknown[] = [];
    class P extends BaseProtocol {
      override connectionMade(): void {
        seen.push(this.transport, this.connected);
      }
    }
    const p = new P();
    expect(p.connected).toBe(false);
    expect(p.transport).toBeUndefined();
    const t = new StringTransport();
    p.makeConnection(t);
    expect(seen).toEqual([t, true]);
  });

  it("makeConnection returns what connectionMade returned (so an async one's rejection can be logged)", async () => {
    const rejection = new Error('async connectionMade failed');
    class P extends Protocol {
      override async connectionMade(): Promise<void> {
        throw rejection;
      }
    }
    const returned = new P().makeConnection(new StringTransport());
    expect(returned).toBeInstanceOf(Promise);
    await expect(returned).rejects.toBe(rejection);
  });

  it('the defaults do nothing; logPrefix is the class name', () => {
    const p = new Echo();
    p.makeConnection(new StringTransport());
    p.dataReceived(Buffer.from('x'));
    expect(p.logPrefix()).toBe('Echo');
    expect(new Protocol().connectionLost({} as Failure)).toBeUndefined();
    expect(p.factory).toBeUndefined();
  });

  it('a Protocol is not a half-close protocol unless it defines both methods', () => {
    const p = new Protocol() as unknown as Record<string, unknown>;
    expect(p.readConnectionLost).toBeUndefined();
    expect(p.writeConnectionLost).toBeUndefined();
  });
});

describe('Factory', () => {
  it('forProtocol makes a factory of the called class whose buildProtocol makes the protocol', () => {
    const f = Factory.forProtocol(Echo);
    expect(f).toBeInstanceOf(Factory);
    expect(f.protocol).toBe(Echo);
    const p = f.buildProtocol(peer);
    expect(p).toBeInstanceOf(Echo);
    expect((p as Echo).factory).toBe(f);
    const c = ClientFactory.forProtocol(Echo);
    expect(c).toBeInstanceOf(ClientFactory);
  });

  it('forProtocol passes its extra arguments to the factory constructor (test_forProtocol)', () => {
    class ArgFactory extends Factory {
      readonly a: number;
      readonly b: string;
      constructor(a: number, b: string) {
        super();
        this.a = a;
        this.b = b;
      }
    }
    const f = ArgFactory.forProtocol(Echo, 1, 'two');
    expect(f).toBeInstanceOf(ArgFactory);
    expect([f.a, f.b, f.protocol]).toEqual([1, 'two', Echo]);
  });

  it('forProtocol refuses a non-class', () => {
    expect(() => Factory.forProtocol('Echo' as unknown as typeof Echo)).toThrow(
      expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }),
    );
  });

  it('buildProtocol without a protocol class throws a TypeError that says what to do', () => {
    expect(() => new Factory().buildProtocol(peer)).toThrow(/Factory\.protocol.*forProtocol/);
  });

  it('a subclass may set protocol as a field, or override buildProtocol to refuse (undefined)', () => {
    class EchoFactory extends ServerFactory<Echo> {
      override protocol = Echo;
    }
    expect(new EchoFactory().buildProtocol(peer)).toBeInstanceOf(Echo);
    class Refusing extends Factory {
      override buildProtocol(_addr: StreamAddress): IProtocol | undefined {
        return undefined;
      }
    }
    expect(new Refusing().buildProtocol(peer)).toBeUndefined();
  });

  it('doStart/doStop count the ports; startFactory runs for the first, stopFactory for the last', () => {
    const calls: string[] = [];
    class Counting extends Factory {
      override startFactory(): void {
        calls.push('start');
      }
      override stopFactory(): void {
        calls.push('stop');
      }
    }
    const f = new Counting();
    f.doStart();
    f.doStart();
    expect([f.numPorts, calls]).toEqual([2, ['start']]);
    f.doStop();
    expect([f.numPorts, calls]).toEqual([1, ['start']]);
    f.doStop();
    expect([f.numPorts, calls]).toEqual([0, ['start', 'stop']]);
    f.doStart();
    expect(calls).toEqual(['start', 'stop', 'start']);
  });

  it('doStop with nothing counted is ignored, as in Twisted', () => {
    const f = new Factory();
    expect(() => f.doStop()).not.toThrow();
    expect(f.numPorts).toBe(0);
  });

  it('a throwing startFactory leaves numPorts unchanged', () => {
    class Bad extends Factory {
      override startFactory(): void {
        throw new Error('no database');
      }
    }
    const f = new Bad();
    expect(() => f.doStart()).toThrow('no database');
    expect(f.numPorts).toBe(0);
  });

  it('doStart/doStop return what startFactory/stopFactory returned', async () => {
    class Async extends Factory {
      override async startFactory(): Promise<void> {}
      override async stopFactory(): Promise<void> {}
    }
    const f = new Async();
    const started = f.doStart();
    expect(started).toBeInstanceOf(Promise);
    await started;
    expect(f.numPorts).toBe(1);
    await expect(f.doStop()).resolves.toBeUndefined();
  });

  it('noisy factories log their start and stop; quiet ones do not', () => {
    const f = Factory.forProtocol(Echo);
    f.doStart();
    f.doStop();
    expect(log.messages()).toEqual(['Starting factory <Factory>', 'Stopping factory <Factory>']);
    const quiet = Factory.forProtocol(Echo);
    quiet.noisy = false;
    quiet.doStart();
    quiet.doStop();
    expect(log.messages()).toHaveLength(2);
  });
});

describe('ClientFactory', () => {
  it('the connector callbacks default to doing nothing', () => {
    const f = new ClientFactory();
    const connector = {} as IConnector;
    expect(f.startedConnecting(connector)).toBeUndefined();
    expect(f.clientConnectionFailed(connector, {} as Failure)).toBeUndefined();
    expect(f.clientConnectionLost(connector, {} as Failure)).toBeUndefined();
  });
});
