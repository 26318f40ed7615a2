/**
 * LineReceiver, ported from Twisted's twisted/protocols/test/test_basic.py (LineReceiverTests,
 * LineReceiverLineLengthExceededTests), through StringTransport.
 */
import { describe, expect, it } from 'vitest';
import { NotImplementedError } from '../../../src/errors/basic.ts';
import { LineReceiver } from '../../../src/protocols/basic/line-receiver.ts';
import { Clock } from '../../../src/task/clock.ts';
import { StringTransport } from '../../../src/testing/string-transport.ts';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const s = (lines: Buffer[]): string[] => lines.map((l) => l.toString('latin1'));

/** Twisted's LineTester: acts on tokens (pause, rawpause, stop, len N, produce, unproduce). */
class LineTester extends LineReceiver {
  override delimiter = '\n';
  override MAX_LENGTH = 64;
  received: Buffer[] = [];
  length = 0;
  readonly clock: Clock | undefined;
  constructor(clock?: Clock) {
    super();
    this.clock = clock;
  }
  override lineReceived(line: Buffer): void {
    this.received.push(Buffer.from(line));
    const text = line.toString('latin1');
    if (text === '') this.setRawMode();
    else if (text === 'pause') {
      this.pauseProducing();
      this.clock!.callLater(0, () => this.resumeProducing());
    } else if (text === 'rawpause') {
      this.pauseProducing();
      this.setRawMode();
      this.received.push(Buffer.alloc(0));
      this.clock!.callLater(0, () => this.resumeProducing());
    } else if (text === 'stop') this.stopProducing();
    else if (text.startsWith('len ')) this.length = Number(text.slice(4));
    else if (text.startsWith('produce')) this.transport.registerProducer(this, false);
    else if (text.startsWith('unproduce')) this.transport.unregisterProducer();
  }
  override rawDataReceived(data: Buffer): void {
    const mine = data.subarray(0, this.length);
    const rest = data.subarray(this.length);
    this.length -= mine.length;
    const last = this.received.length - 1;
    this.received[last] = Buffer.concat([this.received[last], mine]);
    if (this.length === 0) void this.setLineMode(rest);
  }
  override lineLengthExceeded(line: Buffer): void {
    if (line.length > this.MAX_LENGTH + 1) void this.setLineMode(line.subarray(this.MAX_LENGTH + 1));
  }
}

function feedInPackets(proto: LineReceiver, data: Buffer, size: number): void {
  for (let i = 0; i < data.length; i += size) void proto.dataReceived(data.subarray(i, i + size));
}

function connected<P extends LineReceiver>(proto: P): [P, StringTransport] {
  const transport = new StringTransport();
  proto.makeConnection(transport);
  return [proto, transport];
}

describe('LineReceiver (Twisted LineReceiverTests)', () => {
  const buffer = b(
    'len 10\n\n0123456789len 5\n\n1234\nlen 20\nfoo 123\n\n0123456789\n012345678len 0\nfoo 5\n\n' +
      '1234567890123456789012345678901234567890123456789012345678901234567890\nlen 1\n\na',
  );
  const output = [
    'len 10',
    '0123456789',
    'len 5',
    '1234\n',
    'len 20',
    'foo 123',
    '0123456789\n012345678',
    'len 0',
    'foo 5',
    '',
    '67890',
    'len 1',
    'a',
  ];

  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9])('test_buffer: packets of %i bytes', (size) => {
    const [proto] = connected(new LineTester());
    feedInPackets(proto, buffer, size);
    expect(s(proto.received)).toEqual(output);
  });

  it('test_buffer in one packet: what lineLengthExceeded feeds back waits for the next data, as in Twisted', () => {
    const [proto] = connected(new LineTester());
    void proto.dataReceived(buffer);
    expect(s(proto.received)).toEqual(output.slice(0, 10));
    void proto.dataReceived(Buffer.alloc(0));
    expect(s(proto.received)).toEqual(output);
  });

  it.each([1, 2, 3, 5, 9, 100])('test_pausing: packets of %i bytes', (size) => {
    const clock = new Clock();
    const [proto, transport] = connected(new LineTester(clock));
    feedInPackets(proto, b('twiddle1\ntwiddle2\npause\ntwiddle3\n'), size);
    expect(s(proto.received)).toEqual(['twiddle1', 'twiddle2', 'pause']);
    expect(transport.producerState).toBe('paused');
    clock.advance(0);
    expect(s(proto.received)).toEqual(['twiddle1', 'twiddle2', 'pause', 'twiddle3']);
    expect(transport.producerState).toBe('producing');
  });

  it.each([1, 2, 3, 5, 9, 100])('test_rawPausing: packets of %i bytes', (size) => {
    const clock = new Clock();
    const [proto] = connected(new LineTester(clock));
    feedInPackets(proto, b('twiddle1\ntwiddle2\nlen 5\nrawpause\n12345twiddle3\n'), size);
    expect(s(proto.received)).toEqual(['twiddle1', 'twiddle2', 'len 5', 'rawpause', '']);
    clock.advance(0);
    expect(s(proto.received)).toEqual(['twiddle1', 'twiddle2', 'len 5', 'rawpause', '12345', 'twiddle3']);
  });

  it.each([1, 2, 3, 5, 9, 100])('test_stopProducing: packets of %i bytes', (size) => {
    const [proto, transport] = connected(new LineTester());
    feedInPackets(proto, b('twiddle1\ntwiddle2\nstop\nmore\nstuff\n'), size);
    expect(s(proto.received)).toEqual(['twiddle1', 'twiddle2', 'stop']);
    expect(transport.producerState).toBe('stopped');
  });

  it('test_lineReceiverAsProducer: it registers itself as a producer of its transport', () => {
    const [proto, transport] = connected(new LineTester());
    void proto.dataReceived(b('produce\nhello world\nunproduce\ngoodbye\n'));
    expect(s(proto.received)).toEqual(['produce', 'hello world', 'unproduce', 'goodbye']);
    expect(transport.producer).toBeUndefined();
  });

  it('test_clearLineBuffer: returns the rest and can be called from lineReceived', () => {
    class Clearing extends LineReceiver {
      line = '';
      rest = '';
      override lineReceived(line: Buffer): void {
        this.line = line.toString();
        this.rest = this.clearLineBuffer().toString();
      }
    }
    const [proto] = connected(new Clearing());
    void proto.dataReceived(b('foo\r\nbar\r\nbaz'));
    expect([proto.line, proto.rest]).toEqual(['foo', 'bar\r\nbaz']);
    void proto.dataReceived(b('quux\r\n'));
    expect([proto.line, proto.rest]).toEqual(['quux', '']);
  });

  it('test_stackRecursion: switching modes 100,000 times on the same data does not recurse', () => {
    class Flipping extends LineReceiver {
      override delimiter = '\n';
      lines: string[] = [];
      override lineReceived(line: Buffer): void {
        this.lines.push(line.toString());
        this.setRawMode();
      }
      override rawDataReceived(data: Buffer): void {
        void this.setLineMode(data.subarray(1));
      }
    }
    const [proto] = connected(new Flipping());
    const limit = 100_000;
    void proto.dataReceived(b('x\nx'.repeat(limit)));
    expect(proto.lines.join('')).toBe('x'.repeat(limit));
  });

  it('test_maximumLineLength: a line longer than MAX_LENGTH drops the connection', () => {
    const [proto, transport] = connected(new LineReceiver());
    void proto.dataReceived(b(`${'x'.repeat(proto.MAX_LENGTH + 1)}\r\nr`));
    expect(transport.disconnecting).toBe(true);
  });

  it('test_maximumLineLengthPartialDelimiter: a line of MAX_LENGTH whose delimiter comes in two packets', () => {
    const [proto, transport] = connected(new LineTester());
    proto.MAX_LENGTH = 4;
    const line = 'x'.repeat(3);
    void proto.dataReceived(b(line));
    void proto.dataReceived(b(''));
    void proto.dataReceived(b(`\n${line}`));
    expect(transport.disconnecting).toBe(false);
    expect(s(proto.received)).toEqual([line]);
  });

  it('the same with a two-byte delimiter split between packets', () => {
    class Lines extends LineReceiver {
      lines: string[] = [];
      override MAX_LENGTH = 4;
      override lineReceived(line: Buffer): void {
        this.lines.push(line.toString());
      }
    }
    const [proto, transport] = connected(new Lines());
    void proto.dataReceived(b('xxxx\r'));
    void proto.dataReceived(b('\nxxx'));
    expect(transport.disconnecting).toBe(false);
    expect(proto.lines).toEqual(['xxxx']);
  });

  it('test_notQuiteMaximumLineLengthUnfinished: MAX_LENGTH bytes and half a delimiter keep the connection', () => {
    const [proto, transport] = connected(new LineReceiver());
    void proto.dataReceived(b(`${'x'.repeat(proto.MAX_LENGTH)}\r`));
    expect(transport.disconnecting).toBe(false);
  });

  it('test_maximumLineLengthRemaining: an unfinished line of MAX_LENGTH plus a delimiter drops it', () => {
    const [proto, transport] = connected(new LineReceiver());
    void proto.dataReceived(b('x'.repeat(proto.MAX_LENGTH + 2)));
    expect(transport.disconnecting).toBe(true);
  });

  it('test_lineReceivedNotImplemented / test_rawDataReceivedNotImplemented', () => {
    const proto = new LineReceiver();
    expect(() => proto.lineReceived(b('foo'))).toThrow(NotImplementedError);
    expect(() => proto.rawDataReceived(b('foo'))).toThrow(/LineReceiver must override rawDataReceived\(\)/);
  });
});

describe('LineReceiver.lineLengthExceeded (Twisted LineReceiverLineLengthExceededTests)', () => {
  class Catcher extends LineReceiver {
    override MAX_LENGTH = 6;
    longLines: string[] = [];
    override lineReceived(): void {}
    override lineLengthExceeded(data: Buffer): void {
      this.longLines.push(data.toString());
    }
  }
  const excessive = 'x'.repeat(6 * 2 + 2);

  it('test_longUnendedLine: all the bytes go to lineLengthExceeded', () => {
    const [proto] = connected(new Catcher());
    void proto.dataReceived(b(excessive));
    expect(proto.longLines).toEqual([excessive]);
  });

  it('test_longLineAfterShortLine: the bytes after the short line', () => {
    const [proto] = connected(new Catcher());
    void proto.dataReceived(b(`x\r\n${excessive}`));
    expect(proto.longLines).toEqual([excessive]);
  });

  it('test_longLineWithDelimiter: the whole data', () => {
    const [proto] = connected(new Catcher());
    const data = [excessive, excessive].join('\r\n');
    void proto.dataReceived(b(data));
    expect(proto.longLines).toEqual([data]);
  });

  it('test_multipleLongLines: the whole data', () => {
    const [proto] = connected(new Catcher());
    const data = `${excessive}\r\n`.repeat(2);
    void proto.dataReceived(b(data));
    expect(proto.longLines).toEqual([data]);
  });

  it('a long line arriving a byte at a time is handed over once it passes MAX_LENGTH plus a delimiter', () => {
    const [proto] = connected(new Catcher());
    for (const c of excessive) void proto.dataReceived(b(c));
    expect(proto.longLines).toEqual(['x'.repeat(8)]);
    expect(proto.clearLineBuffer().toString()).toBe('x'.repeat(6));
  });
});

describe('LineReceiver beyond Twisted', () => {
  class Lines extends LineReceiver {
    lines: string[] = [];
    raw: string[] = [];
    override lineReceived(line: Buffer): void {
      this.lines.push(line.toString());
    }
    override rawDataReceived(data: Buffer): void {
      this.raw.push(data.toString());
    }
  }

  it('sendLine writes the line and the delimiter in one write, strings as UTF-8', () => {
    const [proto, transport] = connected(new Lines());
    proto.sendLine('héllo');
    proto.delimiter = Buffer.from('\n');
    proto.sendLine(Buffer.from('bye'));
    expect(transport.value().toString()).toBe('héllo\r\nbye\n');
  });

  it('the delimiter may change between two lines of one chunk', () => {
    class Switching extends Lines {
      override lineReceived(line: Buffer): void {
        super.lineReceived(line);
        this.delimiter = '|';
      }
    }
    const [proto] = connected(new Switching());
    void proto.dataReceived(b('a\r\nb|c|d\r\n'));
    expect(proto.lines).toEqual(['a', 'b', 'c']);
  });

  it('an empty or non-bytes delimiter is a TypeError naming it', () => {
    const [proto] = connected(new Lines());
    proto.delimiter = '';
    expect(() => proto.dataReceived(b('x'))).toThrow(/"delimiter" is invalid/);
    proto.delimiter = 5 as unknown as string;
    expect(() => proto.sendLine('x')).toThrow(
      /"delimiter" argument must be of type string or an instance of Buffer/,
    );
  });

  it('sendLine refuses what is not bytes', () => {
    const [proto] = connected(new Lines());
    expect(() => proto.sendLine(7 as unknown as string)).toThrow(/"line" argument/);
  });

  it('no line is handled after the transport is told to lose the connection', () => {
    class Quitter extends Lines {
      override lineReceived(line: Buffer): void {
        super.lineReceived(line);
        if (line.toString() === 'quit') this.transport.loseConnection();
      }
    }
    const [proto] = connected(new Quitter());
    void proto.dataReceived(b('a\r\nquit\r\nb\r\n'));
    expect(proto.lines).toEqual(['a', 'quit']);
  });

  it('setRawMode from outside hands a buffered partial line over as raw data first', () => {
    const [proto] = connected(new Lines());
    void proto.dataReceived(b('a\r\npart'));
    proto.setRawMode();
    void proto.dataReceived(b('ial\r\nmore'));
    expect(proto.lines).toEqual(['a']);
    expect(proto.raw.join('')).toBe('partial\r\nmore');
  });

  it('a line that straddles chunks is a copy: the chunks are not kept', () => {
    const [proto] = connected(new Lines());
    const first = b('abc\r\nde');
    void proto.dataReceived(first);
    first.fill(0x21);
    void proto.dataReceived(b('f\r\n'));
    expect(proto.lines).toEqual(['abc', 'def']);
  });

  it('an async lineReceived that rejects makes dataReceived reject (the transport logs it and drops)', async () => {
    class Async extends LineReceiver {
      override async lineReceived(line: Buffer): Promise<void> {
        if (line.toString() === 'bad') throw new Error('bad line');
      }
    }
    const [proto] = connected(new Async());
    expect(proto.dataReceived(b('ok\r\n'))).toBeInstanceOf(Promise);
    await expect(proto.dataReceived(b('ok\r\nbad\r\n'))).rejects.toThrow('bad line');
  });

  it('a synchronous lineReceived returns nothing to wait for', () => {
    const [proto] = connected(new Lines());
    expect(proto.dataReceived(b('a\r\n'))).toBeUndefined();
  });
});
