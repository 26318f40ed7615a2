/**
 * StringTransport, StringTransportWithDisconnection and AccumulatingProtocol
 * (src/testing/), after Twisted's internet/test/test_testing.py.
 */
import { describe, expect, it } from 'vitest';
import { Deferred } from '../../src/defer/deferred.ts';
import { ConnectionDone, ProducerStateError } from '../../src/errors.ts';
import { Failure } from '../../src/failure.ts';
import type { IPushProducer } from '../../src/interfaces.ts';
import { Factory } from '../../src/protocols/factory.ts';
import { Protocol } from '../../src/protocols/protocol.ts';
import { IPv4Address, UNIXAddress } from '../../src/transports/address.ts';
import {
  AccumulatingProtocol,
  StringTransport,
  StringTransportWithDisconnection,
} from '../../src/testing/index.ts';

const producer = (): IPushProducer => ({ pauseProducing() {}, resumeProducing() {}, stopProducing() {} });

describe('StringTransport (test_testing.StringTransportTests)', () => {
  it('value() is what was written since clear()', () => {
    const t = new StringTransport();
    expect(t.value()).toEqual(Buffer.alloc(0));
    t.write(Buffer.from('hello, '));
    t.writeSequence([Buffer.from('wor'), new Uint8Array([108, 100])]);
    expect(t.value().toString()).toBe('hello, world');
    t.clear();
    t.write(Buffer.from('again'));
    expect(t.value().toString()).toBe('again');
  });

  it('keeps a copy: changing the buffer after write does not change what was written', () => {
    const t = new StringTransport();
    const b = Buffer.from('abc');
    t.write(b);
    b[0] = 0x7a;
    expect(t.value().toString()).toBe('abc');
  });

  it('refuses strings and other non-bytes with a TypeError naming the argument, as a connection does', () => {
    const t = new StringTransport();
    expect(() => t.write('text' as unknown as Buffer)).toThrow(
      expect.objectContaining({
        code: 'ERR_INVALID_ARG_TYPE',
        message: expect.stringMatching(/"data".*Buffer\.from/),
      }),
    );
    expect(() => t.writeSequence([Buffer.from('a'), 'b' as unknown as Buffer])).toThrow(/"data\[1\]"/);
    expect(() => t.writeSequence(Buffer.from('ab') as unknown as Buffer[])).toThrow(/an array of Buffers/);
    expect(t.value()).toEqual(Buffer.alloc(0)); // nothing of a refused sequence was written
  });

  it('test_registerProducer / test_unregisterProducer', () => {
    const t = new StringTransport();
    const p = producer();
    t.registerProducer(p, true);
    expect([t.producer, t.streaming]).toEqual([p, true]);
    t.unregisterProducer();
    expect([t.producer, t.streaming]).toEqual([undefined, undefined]);
  });

  it('test_disallowedRegisterProducer / test_invalidUnregisterProducer', () => {
    const t = new StringTransport();
    t.registerProducer(producer(), true);
    expect(() => t.registerProducer(producer(), false)).toThrow(ProducerStateError);
    t.unregisterProducer();
    expect(() => t.unregisterProducer()).toThrow(ProducerStateError);
  });

  it('producerState: producing → paused → producing → stopped', () => {
    const t = new StringTransport();
    expect(t.producerState).toBe('producing');
    t.pauseProducing();
    expect(t.producerState).toBe('paused');
    t.resumeProducing();
    expect(t.producerState).toBe('producing');
    t.stopProducing();
    expect(t.producerState).toBe('stopped');
    expect(() => t.pauseProducing()).toThrow(ProducerStateError);
    expect(() => t.resumeProducing()).toThrow(ProducerStateError);
  });

  it('a disconnecting transport cannot pause or resume, unless lenient', () => {
    const t = new StringTransport();
    t.loseConnection();
    expect(t.disconnecting).toBe(true);
    expect(() => t.pauseProducing()).toThrow(/after loseConnection/);
    expect(() => t.resumeProducing()).toThrow(/after loseConnection/);
    const lenient = new StringTransport(undefined, undefined, true);
    lenient.loseConnection();
    lenient.resumeProducing();
    const lenientByOptions = new StringTransport({ lenient: true });
    lenientByOptions.loseConnection();
    lenientByOptions.pauseProducing();
    expect(lenientByOptions.producerState).toBe('paused');
  });

  it('abortConnection sets disconnected and disconnecting; loseWriteConnection its own flag', () => {
    const t = new StringTransport();
    t.loseWriteConnection();
    expect([t.writeDisconnecting, t.disconnecting]).toEqual([true, false]);
    t.abortConnection();
    expect([t.disconnected, t.disconnecting]).toEqual([true, true]);
  });

  it('default and given addresses (test_defaultHostAddress, test_specifiedPeerAddress)', () => {
    const t = new StringTransport();
    expect(t.getHost().equals(new IPv4Address('TCP', '10.0.0.1', 12345))).toBe(true);
    expect(t.getPeer().equals(new IPv4Address('TCP', '192.168.1.1', 54321))).toBe(true);
    const host = new IPv4Address('TCP', '127.0.0.1', 1);
    const peer = new IPv4Address('TCP', '127.0.0.1', 2);
    const given = new StringTransport(host, peer);
    expect([given.getHost(), given.getPeer()]).toEqual([host, peer]);
    const unix = new StringTransport<UNIXAddress>({
      hostAddress: new UNIXAddress('/s'),
      peerAddress: new UNIXAddress(undefined),
    });
    expect(unix.getHost().name).toBe('/s');
  });

  it('keeps the TCP flags it is given', () => {
    const t = new StringTransport();
    expect([t.getTcpNoDelay(), t.getTcpKeepAlive()]).toEqual([false, false]);
    t.setTcpNoDelay(true);
    t.setTcpKeepAlive(true);
    expect([t.getTcpNoDelay(), t.getTcpKeepAlive()]).toEqual([true, true]);
    expect(() => t.setTcpNoDelay(1 as unknown as boolean)).toThrow(TypeError);
  });

  it('a protocol runs on it unchanged', () => {
    class Echo extends Protocol {
      override dataReceived(data: Buffer): void {
        this.transport.write(data);
      }
    }
    const proto = new Echo();
    const t = new StringTransport();
    proto.makeConnection(t);
    proto.dataReceived(Buffer.from('hello'));
    expect(t.value().toString()).toBe('hello');
  });
});

describe('StringTransportWithDisconnection', () => {
  it('loseConnection tells the protocol once, with ConnectionDone', () => {
    const proto = new AccumulatingProtocol();
    const t = new StringTransportWithDisconnection();
    t.protocol = proto;
    proto.makeConnection(t);
    t.loseConnection();
    t.loseConnection();
    expect(t.connected).toBe(false);
    expect(proto.closed).toBe(true);
    expect(proto.closedReason?.value).toBeInstanceOf(ConnectionDone);
  });
});

describe('AccumulatingProtocol', () => {
  it('notes the connection, keeps the data, fires its Deferreds once', async () => {
    const factory = Factory.forProtocol(AccumulatingProtocol) as Factory<AccumulatingProtocol> & {
      protocolConnectionMade?: Deferred<AccumulatingProtocol>;
    };
    const made = (factory.protocolConnectionMade = new Deferred<AccumulatingProtocol>());
    const proto = factory.buildProtocol(new IPv4Address('TCP', '127.0.0.1', 1))!;
    const closed = (proto.closedDeferred = new Deferred<void>());
    proto.makeConnection(new StringTransport());
    expect(proto.made).toBe(true);
    expect(await made).toBe(proto);
    expect(factory.protocolConnectionMade).toBeUndefined();
    proto.dataReceived(Buffer.from('ab'));
    proto.dataReceived(Buffer.from('cd'));
    expect(proto.data.toString()).toBe('abcd');
    const reason = new Failure(new ConnectionDone());
    proto.connectionLost(reason);
    await closed;
    expect([proto.closed, proto.closedReason, proto.closedDeferred]).toEqual([true, reason, undefined]);
  });

  it('works without a factory', () => {
    const proto = new AccumulatingProtocol();
    proto.makeConnection(new StringTransport());
    expect(proto.made).toBe(true);
  });
});
