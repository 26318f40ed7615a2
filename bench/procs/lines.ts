/**
 * Line splitting: 40-byte lines (38 bytes and CRLF) in chunks of exactly 64 KiB cut anywhere in
 * a line, as a TCP connection delivers them. `--impl tt` feeds a `LineReceiver` through a bare
 * transport, `--impl tt-only` a `LineOnlyReceiver`, `--impl plain` a hand-written splitter of
 * the kind a Node program carries (`indexOf` the delimiter, `subarray` the line, carry the
 * partial line over to the next chunk). Each line handler only counts. Prints lines per second.
 */
import { numArg, now, out, parseArgs } from './io.ts';
import { LineOnlyReceiver, LineReceiver } from '../../src/index.ts';

const args = parseArgs();
const impl = args.get('impl') ?? 'tt';
const total = numArg(args, 'lines', 2_000_000);

const LINE = Buffer.from(`${'x'.repeat(38)}\r\n`);
const CHUNK = 64 * 1024;
// 40 consecutive chunks: 40 × 64 KiB is a whole number of lines, so going round them is one stream.
const big = Buffer.alloc(CHUNK * 40);
for (let i = 0; i < big.length; i += LINE.length) LINE.copy(big, i);
const chunks = Array.from({ length: 40 }, (_, i) => Buffer.from(big.subarray(i * CHUNK, (i + 1) * CHUNK)));

/** What a connection gives a protocol, minus everything the parser does not touch. */
const transport = { disconnecting: false, write() {}, writeSequence() {}, loseConnection() {} };

function feeder(): { feed: (chunk: Buffer) => void; count: () => number } {
  if (impl === 'plain') {
    const delimiter = Buffer.from('\r\n');
    let rest: Buffer = Buffer.alloc(0);
    let count = 0;
    const onLine = (_line: Buffer): void => {
      count++;
    };
    return {
      feed(chunk) {
        const data = rest.length === 0 ? chunk : Buffer.concat([rest, chunk]);
        let start = 0;
        for (let end = data.indexOf(delimiter, start); end !== -1; end = data.indexOf(delimiter, start)) {
          onLine(data.subarray(start, end));
          start = end + 2;
        }
        rest = Buffer.from(data.subarray(start));
      },
      count: () => count,
    };
  }
  let count = 0;
  // A subclass, as a program would write it (not an instance property: V8 sees one shape).
  class Counting extends LineReceiver {
    override lineReceived(_line: Buffer): void {
      count++;
    }
  }
  class CountingOnly extends LineOnlyReceiver {
    override lineReceived(_line: Buffer): void {
      count++;
    }
  }
  const proto = impl === 'tt-only' ? new CountingOnly() : new Counting();
  proto.makeConnection(transport as never);
  return { feed: (chunk) => void proto.dataReceived(chunk), count: () => count };
}

function run(lines: number): number {
  const f = feeder();
  while (f.count() < lines) for (const chunk of chunks) f.feed(chunk);
  return f.count();
}

run(Math.ceil(total / 10));
const t0 = now();
const got = run(total);
out({ lines: got / (now() - t0) });
