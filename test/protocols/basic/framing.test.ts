/**
 * LineOnlyReceiver, NetstringReceiver, the IntNStringReceivers, pausing and FileSender, ported
 * from Twisted's twisted/protocols/test/test_basic.py, through StringTransport.
 */
import { describe, expect, it } from 'vitest';
import { FileTransferStopped, NotImplementedError, StringTooLongError } from '../../../src/errors/basic.ts';
import { FileSender } from '../../../src/protocols/basic/file-sender.ts';
import {
  Int16StringReceiver,
  Int32StringReceiver,
  Int8StringReceiver,
  IntNStringReceiver,
} from '../../../src/protocols/basic/int-n-string-receiver.ts';
import { LineOnlyReceiver } from '../../../src/protocols/basic/line-only-receiver.ts';
import { LineReceiver } from '../../../src/protocols/basic/line-receiver.ts';
import { NetstringReceiver } from '../../../src/protocols/basic/netstring-receiver.ts';
import { StringTransport } from '../../../src/testing/string-transport.ts';
import type { Deferred } from '../../../src/defer/deferred.ts';
import type { Failure } from '../../../src/failure.ts';

/** The result a Deferred already has (trial's successResultOf). */
function successResultOf<T>(d: Deferred<T>): T {
  let result: { value: T } | undefined;
  d.addCallback((v) => {
    result = { value: v };
    return v;
  });
  if (result === undefined) throw new Error('the Deferred has no result yet');
  return result.value;
}

/** The failure a Deferred already has, of one of `types` (trial's failureResultOf). */
function failureResultOf(d: Deferred<unknown>, ...types: (new (...a: never[]) => Error)[]): Failure {
  let failure: Failure | undefined;
  d.addErrback((f: Failure) => {
    failure = f;
  });
  if (failure === undefined) throw new Error('the Deferred has not failed');
  expect(types.some((t) => failure!.value instanceof t)).toBe(true);
  return failure;
}

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

function connect<P extends { makeConnection(t: StringTransport): unknown }>(proto: P): [P, StringTransport] {
  const transport = new StringTransport();
  proto.makeConnection(transport);
  return [proto, transport];
}

function byteByByte(proto: { dataReceived(d: Buffer): unknown }, data: Buffer): void {
  for (let i = 0; i < data.length; i++) void proto.dataReceived(data.subarray(i, i + 1));
}

describe('LineOnlyReceiver (Twisted LineOnlyReceiverTests)', () => {
  class LineOnlyTester extends LineOnlyReceiver {
    override delimiter = '\n';
    override MAX_LENGTH = 64;
    received: string[] = [];
    override lineReceived(line: Buffer): void {
      this.received.push(line.toString());
    }
  }
  const buffer = 'foo\n    bleakness\n    desolation\n    plastic forks\n    ';

  it('test_buffer: a byte at a time', () => {
    const [proto] = connect(new LineOnlyTester());
    byteByByte(proto, b(buffer));
    expect(proto.received).toEqual(buffer.split('\n').slice(0, -1));
  });

  it('test_greaterThanMaximumLineLength drops the connection', () => {
    const [proto, transport] = connect(new LineOnlyTester());
    void proto.dataReceived(b(`${'x'.repeat(64 + 1 + 1)}\r\nr`));
    expect(transport.disconnecting).toBe(true);
  });

  it('a line too long spread over packets drops the connection too, and no later line is handled', () => {
    const [proto, transport] = connect(new LineOnlyTester());
    for (let i = 0; i < 70; i++) void proto.dataReceived(b('y'));
    expect(transport.disconnecting).toBe(true);
    void proto.dataReceived(b('\nlater\n'));
    expect(proto.received).toEqual([]);
  });

  it('a two-byte delimiter split between packets', () => {
    class Crlf extends LineOnlyReceiver {
      received: string[] = [];
      override lineReceived(line: Buffer): void {
        this.received.push(line.toString());
      }
    }
    const [proto] = connect(new Crlf());
    byteByByte(proto, b('ab\r\ncd\r\r\n\r\n'));
    expect(proto.received).toEqual(['ab', 'cd\r', '']);
  });

  it('sendLine writes the line then the delimiter', () => {
    const [proto, transport] = connect(new LineOnlyTester());
    proto.sendLine('hi');
    expect(transport.value().toString()).toBe('hi\n');
  });

  it('test_lineReceivedNotImplemented', () => {
    expect(() => new LineOnlyReceiver().lineReceived(b('foo'))).toThrow(NotImplementedError);
  });
});

class TestNetstring extends NetstringReceiver {
  override MAX_LENGTH = 50;
  received: string[] = [];
  override stringReceived(s: Buffer): void {
    this.received.push(s.toString('latin1'));
    this.transport.write(s);
  }
}

describe('NetstringReceiver (Twisted NetstringReceiverTests)', () => {
  const strings = ['hello', 'world', 'how', 'are', 'you123', ':today', 'a'.repeat(515)];

  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9])('test_buffer: packets of %i bytes', (size) => {
    const [proto, transport] = connect(new TestNetstring());
    proto.MAX_LENGTH = 699;
    for (const s of strings) proto.sendString(s);
    const out = transport.value();
    for (let i = 0; i < out.length; i += size) void proto.dataReceived(out.subarray(i, i + size));
    expect(proto.received).toEqual(strings);
  });

  it.each([
    ['test_receiveEmptyNetstring', '0:,', ['']],
    ['test_receiveOneCharacter', '1:a,', ['a']],
    ['test_receiveTwoCharacters', '2:ab,', ['ab']],
    ['test_receiveNestedNetstring', '4:1:a,,', ['1:a,']],
  ])('%s', (_name, data, expected) => {
    const [proto, transport] = connect(new TestNetstring());
    void proto.dataReceived(b(data));
    expect(proto.received).toEqual(expected);
    expect(transport.disconnecting).toBe(false);
  });

  it.each([
    ['test_moreDataThanSpecified', '2:aaa,'],
    ['test_moreDataThanSpecifiedBorderCase', '0:a,'],
    ['test_missingNumber', ':aaa,'],
    ['test_missingColon', '3aaa,'],
    ['test_missingNumberAndColon', 'aaa,'],
    ['test_onlyData', 'aaa'],
    ['a leading zero', '01:a,'],
    ['test_maxReceiveLimit', `51:${'a'.repeat(51)},`],
  ])('%s: refused, the connection dropped and brokenPeer set', (_name, data) => {
    const [proto, transport] = connect(new TestNetstring());
    void proto.dataReceived(b(data));
    expect(transport.disconnecting).toBe(true);
    expect(proto.brokenPeer).toBe(true);
    expect(proto.received).toEqual([]);
  });

  it.each(['9999999999999999999999', 'abc', '4:abcde', `51:${'a'.repeat(50)}b,`])(
    'test_illegal %s, a byte at a time',
    (data) => {
      const [proto, transport] = connect(new TestNetstring());
      byteByByte(proto, b(data));
      expect(transport.disconnecting).toBe(true);
    },
  );

  it.each([
    ['test_receiveNetstringPortions_1', ['4:aa', 'aa,'], ['aaaa']],
    ['test_receiveNetstringPortions_2', ['1', '0:01234', '56789', ','], ['0123456789']],
    ['test_receiveNetstringPortions_3', ['2', ':', 'a', 'b', ','], ['ab']],
    ['test_receiveTwoNetstrings', ['1:a,1', ':b,'], ['a', 'b']],
  ])('%s', (_name, parts, expected) => {
    const [proto] = connect(new TestNetstring());
    for (const part of parts) void proto.dataReceived(b(part));
    expect(proto.received).toEqual(expected);
  });

  it('test_consumeLengthBorderCase1/2: MAX_LENGTH itself is accepted, one more refused', () => {
    const [ok] = connect(new TestNetstring());
    ok.MAX_LENGTH = 12;
    void ok.dataReceived(b('12:abcdefghijkl,'));
    expect(ok.received).toEqual(['abcdefghijkl']);
    const [bad, transport] = connect(new TestNetstring());
    bad.MAX_LENGTH = 11;
    void bad.dataReceived(b('12:'));
    expect(transport.disconnecting).toBe(true);
  });

  it('a length too long is refused from its digits, before the colon', () => {
    const [proto, transport] = connect(new TestNetstring());
    void proto.dataReceived(b('51'));
    expect(transport.disconnecting).toBe(true);
  });

  it('nothing is parsed after a broken netstring', () => {
    const [proto] = connect(new TestNetstring());
    void proto.dataReceived(b('x1:a,'));
    void proto.dataReceived(b('1:b,'));
    expect(proto.received).toEqual([]);
  });

  it('test_stringReceivedNotImplemented', () => {
    expect(() => new NetstringReceiver().stringReceived(b('foo'))).toThrow(NotImplementedError);
  });
});

describe.each([
  ['Int32StringReceiver', Int32StringReceiver, 4, ['a', 'b'.repeat(16)], ['\x00\x00aaaaaa', '\x00\x00\x00']],
  ['Int16StringReceiver', Int16StringReceiver, 2, ['a', 'b'.repeat(16)], ['\x00aaaaaa']],
  ['Int8StringReceiver', Int8StringReceiver, 1, ['a', 'b'.repeat(16)], ['\x09aaaaaa']],
] as const)('%s (Twisted IntNTestCaseMixin)', (_name, IntN, prefixLength, strings, partials) => {
  const Base = IntN as typeof IntNStringReceiver;
  class Tester extends Base {
    override MAX_LENGTH = 50;
    received: string[] = [];
    override stringReceived(s: Buffer): void {
      this.received.push(s.toString('latin1'));
    }
  }
  const frame = (s: string): Buffer => {
    const out = Buffer.alloc(prefixLength + s.length);
    out.writeUIntBE(s.length, 0, prefixLength);
    out.write(s, prefixLength, 'latin1');
    return out;
  };

  it('test_receive: a byte at a time', () => {
    const [proto] = connect(new Tester());
    for (const s of strings) byteByByte(proto, frame(s));
    expect(proto.received).toEqual(strings);
  });

  it('test_partial: nothing is delivered', () => {
    for (const partial of partials) {
      const [proto] = connect(new Tester());
      byteByByte(proto, b(partial));
      expect(proto.received).toEqual([]);
    }
  });

  it('test_send', () => {
    const [proto, transport] = connect(new Tester());
    proto.sendString('b'.repeat(16));
    expect(transport.value()).toEqual(frame('b'.repeat(16)));
    expect(proto.prefixLength).toBe(prefixLength);
  });

  it('test_lengthLimitExceeded: called with the length', () => {
    const lengths: number[] = [];
    const [proto] = connect(new Tester());
    proto.lengthLimitExceeded = (length) => void lengths.push(length);
    proto.MAX_LENGTH = 10;
    const prefix = Buffer.alloc(prefixLength);
    prefix.writeUIntBE(11, 0, prefixLength);
    void proto.dataReceived(prefix);
    expect(lengths).toEqual([11]);
  });

  it('test_longStringNotDelivered; the default drops the connection, and nothing is parsed afterwards', () => {
    const [proto, transport] = connect(new Tester());
    proto.MAX_LENGTH = 10;
    void proto.dataReceived(frame('x'.repeat(11)));
    expect(proto.received).toEqual([]);
    expect(transport.disconnecting).toBe(true);
    void proto.dataReceived(frame('y'));
    expect(proto.received).toEqual([]);
  });

  it('test_stringReceivedNotImplemented', () => {
    expect(() => new Base().stringReceived(b('foo'))).toThrow(NotImplementedError);
  });
});

describe('sendString limits (Twisted test_tooLongSend)', () => {
  it.each([
    [Int16StringReceiver, 2 ** 16],
    [Int8StringReceiver, 2 ** 8],
  ])('%o refuses a string as long as its prefix cannot say', (Base, size) => {
    const [proto, transport] = connect(new (Base as typeof IntNStringReceiver)());
    expect(() => proto.sendString(Buffer.alloc(size))).toThrow(StringTooLongError);
    expect(() => proto.sendString(Buffer.alloc(size))).toThrow(
      `Try to send ${size} bytes whereas maximum is ${size}`,
    );
    expect(transport.value().length).toBe(0);
    proto.sendString(Buffer.alloc(size - 1));
    expect(transport.value().length).toBe(size - 1 + proto.prefixLength);
  });

  it('IntNStringReceiver is the four-byte base', () => {
    expect(new IntNStringReceiver().prefixLength).toBe(4);
  });
});

describe('pausing (Twisted ProducerTests.test_pauseResume)', () => {
  it('a paused LineReceiver delivers nothing and catches up when resumed', () => {
    class Consuming extends LineReceiver {
      override lineReceived(line: Buffer): void {
        this.transport.write(line);
        this.pauseProducing();
      }
    }
    const data: string[] = [];
    let paused = false;
    const transport = {
      disconnecting: false,
      write: (d: Uint8Array) => void data.push(Buffer.from(d).toString()),
      pauseProducing: () => void (paused = true),
      resumeProducing: () => void (paused = false),
    };
    const p = new Consuming();
    p.makeConnection(transport as never);
    void p.dataReceived(b('hello, '));
    expect([data, paused, p.paused]).toEqual([[], false, false]);
    void p.dataReceived(b('world\r\n'));
    expect([data, paused, p.paused]).toEqual([['hello, world'], true, true]);
    p.resumeProducing();
    expect([data, paused, p.paused]).toEqual([['hello, world'], false, false]);
    void p.dataReceived(b('hello\r\nworld\r\n'));
    expect([data, paused, p.paused]).toEqual([['hello, world', 'hello'], true, true]);
    p.resumeProducing();
    expect([data, paused, p.paused]).toEqual([['hello, world', 'hello', 'world'], true, true]);
    void p.dataReceived(b('goodbye\r\n'));
    expect(data).toEqual(['hello, world', 'hello', 'world']);
    p.resumeProducing();
    expect([data, paused, p.paused]).toEqual([['hello, world', 'hello', 'world', 'goodbye'], true, true]);
    p.resumeProducing();
    expect([data, paused, p.paused]).toEqual([['hello, world', 'hello', 'world', 'goodbye'], false, false]);
  });

  it('a paused Int32StringReceiver holds its messages until resumed', () => {
    class Pausing extends Int32StringReceiver {
      received: string[] = [];
      override stringReceived(s: Buffer): void {
        this.received.push(s.toString());
        this.pauseProducing();
      }
    }
    const [proto, transport] = connect(new Pausing());
    const sender = new Int32StringReceiver();
    const out = new StringTransport();
    sender.makeConnection(out);
    sender.sendString('one');
    sender.sendString('two');
    void proto.dataReceived(out.value());
    expect(proto.received).toEqual(['one']);
    expect(transport.producerState).toBe('paused');
    proto.resumeProducing();
    expect(proto.received).toEqual(['one', 'two']);
  });
});

describe('FileSender (Twisted FileSenderTests)', () => {
  /** Python's BytesIO, as far as FileSender reads it. */
  const bytesIO = (content: string) => {
    let position = 0;
    const data = b(content);
    return {
      read(size: number): Buffer {
        const chunk = data.subarray(position, position + size);
        position += chunk.length;
        return chunk;
      },
    };
  };

  it('test_producerRegistered: as a pull producer', () => {
    const consumer = new StringTransport();
    const sender = new FileSender();
    void sender.beginFileTransfer(bytesIO('Test content'), consumer);
    expect(consumer.producer).toBe(sender);
    expect(consumer.streaming).toBe(false);
  });

  it('test_transfer: fires with the last byte once it read the end', () => {
    const consumer = new StringTransport();
    const sender = new FileSender();
    const d = sender.beginFileTransfer(bytesIO('Test content'), consumer);
    sender.resumeProducing();
    sender.resumeProducing();
    expect(consumer.producer).toBeUndefined();
    expect(successResultOf(d).toString()).toBe('t');
    expect(consumer.value().toString()).toBe('Test content');
  });

  it('test_transferMultipleChunks: CHUNK_SIZE bytes at a time', () => {
    const consumer = new StringTransport();
    const sender = new FileSender();
    sender.CHUNK_SIZE = 4;
    const d = sender.beginFileTransfer(bytesIO('Test content'), consumer);
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      sender.resumeProducing();
      seen.push(consumer.value().toString());
    }
    expect(seen).toEqual(['Test', 'Test con', 'Test content']);
    sender.resumeProducing();
    expect(successResultOf(d).toString()).toBe('t');
  });

  it('test_transferWithTransform', () => {
    const consumer = new StringTransport();
    const sender = new FileSender();
    const swapcase = (chunk: Buffer) =>
      b(
        [...chunk.toString('latin1')]
          .map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()))
          .join(''),
      );
    const d = sender.beginFileTransfer(bytesIO('Test content'), consumer, swapcase);
    sender.resumeProducing();
    sender.resumeProducing();
    expect(successResultOf(d).toString()).toBe('T');
    expect(consumer.value().toString()).toBe('tEST CONTENT');
  });

  it('test_abortedTransfer: stopProducing fails the Deferred', () => {
    const consumer = new StringTransport();
    const sender = new FileSender();
    const d = sender.beginFileTransfer(bytesIO('Test content'), consumer);
    sender.stopProducing();
    const failure = failureResultOf(d, FileTransferStopped);
    expect(failure.getErrorMessage()).toBe('Consumer asked us to stop producing');
  });

  it('refuses a file without read(), and a transform that is not a function', () => {
    const sender = new FileSender();
    expect(() => sender.beginFileTransfer({} as never, new StringTransport())).toThrow(/"file" argument/);
    expect(() => sender.beginFileTransfer(bytesIO(''), new StringTransport(), 1 as never)).toThrow(
      /"transform"/,
    );
  });
});
