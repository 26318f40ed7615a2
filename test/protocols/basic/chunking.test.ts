/**
 * The framing protocols against random chunkings (fast-check): cutting a valid stream anywhere,
 * in any number of pieces, delivers the same messages as one big chunk; and floods of
 * oversized or malformed frames drop the connection while what the protocol holds stays
 * bounded.
 */
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Int16StringReceiver,
  Int32StringReceiver,
  Int8StringReceiver,
} from '../../../src/protocols/basic/int-n-string-receiver.ts';
import { LineOnlyReceiver } from '../../../src/protocols/basic/line-only-receiver.ts';
import { LineReceiver } from '../../../src/protocols/basic/line-receiver.ts';
import { NetstringReceiver } from '../../../src/protocols/basic/netstring-receiver.ts';
import { StringTransport } from '../../../src/testing/string-transport.ts';

/** Cuts `data` at the given fractions (sorted, deduplicated offsets). */
function cut(data: Buffer, fractions: number[]): Buffer[] {
  const offsets = [...new Set(fractions.map((f) => Math.floor(f * data.length)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let last = 0;
  for (const o of offsets) {
    if (o > last) pieces.push(data.subarray(last, o));
    last = Math.max(last, o);
  }
  pieces.push(data.subarray(last));
  return pieces.filter((p) => p.length > 0);
}

const fractions = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 60 });
/** Bytes drawn mostly from the delimiters' own characters, so partial delimiters abound. */
const lineBytes = fc
  .uint8Array({ maxLength: 40 })
  .chain((noise) => fc.array(fc.constantFrom(0x0d, 0x0a, 0x61, 0x62, 0x7c, ...noise), { maxLength: 30 }));
const delimiters = fc.constantFrom('\r\n', '\n', '|', 'aab', 'abab', '\r\n\r\n');

interface Result {
  lines: string[];
  disconnecting: boolean;
}

function runLines(
  Base: typeof LineReceiver | typeof LineOnlyReceiver,
  delimiter: string,
  max: number,
  pieces: Buffer[],
): Result {
  const lines: string[] = [];
  const proto = new Base();
  proto.delimiter = delimiter;
  proto.MAX_LENGTH = max;
  proto.lineReceived = (line: Buffer): void => void lines.push(line.toString('latin1'));
  const transport = new StringTransport();
  proto.makeConnection(transport);
  for (const p of pieces) void proto.dataReceived(Buffer.from(p));
  return { lines, disconnecting: transport.disconnecting };
}

/** Splitting the whole stream with indexOf: the messages every chunking must deliver. */
function reference(stream: Buffer, delimiter: string): string[] {
  const d = Buffer.from(delimiter, 'latin1');
  const out: string[] = [];
  let start = 0;
  for (let end = stream.indexOf(d, start); end !== -1; end = stream.indexOf(d, start)) {
    out.push(stream.subarray(start, end).toString('latin1'));
    start = end + d.length;
  }
  return out;
}

describe('random chunkings deliver what one chunk does', () => {
  it.each([
    ['LineReceiver', LineReceiver],
    ['LineOnlyReceiver', LineOnlyReceiver],
  ] as const)('%s, any delimiter, lines within MAX_LENGTH', (_name, Base) => {
    fc.assert(
      fc.property(delimiters, fc.array(lineBytes, { maxLength: 20 }), fractions, (delimiter, raw, cuts) => {
        const stream = Buffer.from(raw.map((l) => Buffer.from(l).toString('latin1')).join(''), 'latin1');
        const whole = runLines(Base, delimiter, 10_000, [stream]);
        expect(whole.lines).toEqual(reference(stream, delimiter));
        expect(runLines(Base, delimiter, 10_000, cut(stream, cuts))).toEqual(whole);
      }),
      { numRuns: 400 },
    );
  });

  it.each([
    ['LineReceiver', LineReceiver],
    ['LineOnlyReceiver', LineOnlyReceiver],
  ] as const)(
    '%s, with lines over MAX_LENGTH: the same lines before the drop, and the same drop',
    (_name, Base) => {
      fc.assert(
        fc.property(
          delimiters,
          fc.array(lineBytes, { maxLength: 20 }),
          fractions,
          fc.integer({ min: 1, max: 12 }),
          (delimiter, raw, cuts, max) => {
            const stream = Buffer.from(raw.map((l) => Buffer.from(l).toString('latin1')).join(''), 'latin1');
            const whole = runLines(Base, delimiter, max, [stream]);
            const pieces = runLines(Base, delimiter, max, cut(stream, cuts));
            expect(pieces.disconnecting).toBe(whole.disconnecting);
            expect(pieces.lines).toEqual(whole.lines);
            expect(whole.lines.every((l) => l.length <= max)).toBe(true);
          },
        ),
        { numRuns: 400 },
      );
    },
  );

  it('LineReceiver switching to raw mode and back: the same bytes in the same places', () => {
    // Lines 'raw N' switch to raw mode for N bytes; the raw bytes are then echoed as a line.
    class Switcher extends LineReceiver {
      events: string[] = [];
      #want = 0;
      #raw: Buffer[] = [];
      override lineReceived(line: Buffer): void {
        const text = line.toString('latin1');
        this.events.push(`L:${text}`);
        const m = /^raw (\d+)$/.exec(text);
        if (m && Number(m[1]) > 0) {
          this.#want = Number(m[1]);
          this.setRawMode();
        }
      }
      override rawDataReceived(data: Buffer): void {
        const mine = data.subarray(0, this.#want);
        this.#raw.push(Buffer.from(mine));
        this.#want -= mine.length;
        if (this.#want === 0) {
          this.events.push(`R:${Buffer.concat(this.#raw).toString('latin1')}`);
          this.#raw = [];
          void this.setLineMode(data.subarray(mine.length));
        }
      }
    }
    const message = fc.oneof(
      fc
        .string({ maxLength: 10 })
        .filter((s) => !s.includes('\n') && !/^raw \d+$/.test(s))
        .map((s) => `${s}\n`),
      fc.string({ minLength: 1, maxLength: 10 }).map((s) => `raw ${s.length}\n${s}`),
    );
    fc.assert(
      fc.property(fc.array(message, { maxLength: 15 }), fractions, (messages, cuts) => {
        const stream = Buffer.from(messages.join(''), 'latin1');
        const run = (pieces: Buffer[]) => {
          const p = new Switcher();
          p.delimiter = '\n';
          p.makeConnection(new StringTransport());
          for (const piece of pieces) void p.dataReceived(piece);
          return p.events;
        };
        expect(run(cut(stream, cuts))).toEqual(run([stream]));
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ['Int32StringReceiver', Int32StringReceiver, 4],
    ['Int16StringReceiver', Int16StringReceiver, 2],
    ['Int8StringReceiver', Int8StringReceiver, 1],
  ] as const)('%s', (_name, Base, prefixLength) => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 20 }),
        fractions,
        (messages, cuts) => {
          const stream = Buffer.concat(
            messages.map((m) => {
              const frame = Buffer.alloc(prefixLength + m.length);
              frame.writeUIntBE(m.length, 0, prefixLength);
              frame.set(m, prefixLength);
              return frame;
            }),
          );
          const run = (pieces: Buffer[]) => {
            const got: string[] = [];
            const p = new Base();
            p.stringReceived = (s: Buffer): void => void got.push(s.toString('hex'));
            p.makeConnection(new StringTransport());
            for (const piece of pieces) void p.dataReceived(piece);
            return got;
          };
          const expected = messages.map((m) => Buffer.from(m).toString('hex'));
          expect(run([stream])).toEqual(expected);
          expect(run(cut(stream, cuts))).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('NetstringReceiver', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 20 }),
        fractions,
        (messages, cuts) => {
          const stream = Buffer.concat(
            messages.map((m) => Buffer.concat([Buffer.from(`${m.length}:`), m, Buffer.from(',')])),
          );
          const run = (pieces: Buffer[]) => {
            const got: string[] = [];
            const p = new (class extends NetstringReceiver {
              override stringReceived(s: Buffer): void {
                got.push(s.toString('hex'));
              }
            })();
            const t = new StringTransport();
            p.makeConnection(t);
            for (const piece of pieces) void p.dataReceived(piece);
            expect(t.disconnecting).toBe(false);
            return got;
          };
          const expected = messages.map((m) => Buffer.from(m).toString('hex'));
          expect(run(cut(stream, cuts))).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('floods keep memory bounded', () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const CHUNK = Buffer.alloc(64 * 1024, 0x78);
  const FLOOD = 100 * 1024 * 1024;

  /** External memory once collected (V8 frees ArrayBuffer memory on a background thread: give it time). */
  async function settledArrayBuffers(): Promise<number> {
    let least = Infinity;
    for (let i = 0; i < 5; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 20));
      least = Math.min(least, process.memoryUsage().arrayBuffers);
    }
    return least;
  }

  /** Feeds FLOOD bytes of CHUNK (a fresh copy each time, as a socket gives) and returns the growth of external memory. */
  async function flood(feed: (chunk: Buffer) => void, first?: Buffer): Promise<number> {
    const before = await settledArrayBuffers();
    if (first) feed(first);
    for (let sent = 0; sent < FLOOD; sent += CHUNK.length) feed(Buffer.from(CHUNK));
    return (await settledArrayBuffers()) - before;
  }

  it('LineReceiver: 100 MB without a delimiter, lineLengthExceeded overridden to keep the connection', async () => {
    const handed: number[] = [];
    const p = new (class extends LineReceiver {
      override lineReceived(): void {}
      override lineLengthExceeded(line: Buffer): void {
        handed.push(line.length);
      }
    })();
    p.makeConnection(new StringTransport());
    const growth = await flood((c) => void p.dataReceived(c));
    expect(growth).toBeLessThan(4 * 1024 * 1024);
    expect(Math.max(...handed)).toBeLessThanOrEqual(p.MAX_LENGTH + 2 + CHUNK.length);
    expect(p.clearLineBuffer().length).toBeLessThan(p.MAX_LENGTH + 2);
  });

  it('LineReceiver with the default: the connection is dropped at the first oversized line', async () => {
    const p = new (class extends LineReceiver {
      override lineReceived(): void {}
    })();
    const t = new StringTransport();
    p.makeConnection(t);
    await flood((c) => void p.dataReceived(c));
    expect(t.disconnecting).toBe(true);
  });

  it('LineOnlyReceiver: the same flood', async () => {
    const p = new (class extends LineOnlyReceiver {
      override lineReceived(): void {}
      override lineLengthExceeded(): void {}
    })();
    p.makeConnection(new StringTransport());
    expect(await flood((c) => void p.dataReceived(c))).toBeLessThan(4 * 1024 * 1024);
  });

  it('Int32StringReceiver: a 4 GB length prefix, then 100 MB', async () => {
    let lengths = 0;
    const p = new (class extends Int32StringReceiver {
      override stringReceived(): void {
        throw new Error('nothing is a message here');
      }
      override lengthLimitExceeded(): void {
        lengths++;
      }
    })();
    p.makeConnection(new StringTransport());
    expect(await flood((c) => void p.dataReceived(c), Buffer.from([0xff, 0xff, 0xff, 0xff]))).toBeLessThan(
      4 * 1024 * 1024,
    );
    expect(lengths).toBe(1);
  });

  it('NetstringReceiver: a malformed length, then 100 MB', async () => {
    const p = new (class extends NetstringReceiver {
      override stringReceived(): void {
        throw new Error('nothing is a message here');
      }
    })();
    const t = new StringTransport();
    p.makeConnection(t);
    expect(await flood((c) => void p.dataReceived(c), Buffer.from('99999999999999:'))).toBeLessThan(
      4 * 1024 * 1024,
    );
    expect([t.disconnecting, p.brokenPeer]).toEqual([true, true]);
  });

  it('NetstringReceiver: a payload of MAX_LENGTH a byte at a time costs linear time (each byte copied once)', () => {
    const p = new (class extends NetstringReceiver {
      got = 0;
      override stringReceived(s: Buffer): void {
        this.got = s.length;
      }
    })();
    p.makeConnection(new StringTransport());
    void p.dataReceived(Buffer.from(`${p.MAX_LENGTH}:`));
    const one = Buffer.from('x');
    for (let i = 0; i < p.MAX_LENGTH; i++) void p.dataReceived(one);
    void p.dataReceived(Buffer.from(','));
    expect(p.got).toBe(p.MAX_LENGTH);
  });
});
