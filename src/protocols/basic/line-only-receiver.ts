/**
 * Twisted's `twisted.protocols.basic.LineOnlyReceiver`.
 *
 * @module
 */
import { Protocol } from '../protocol.ts';
import { NotImplementedError } from '../../errors/basic.ts';
import { AsyncResults } from './async-results.ts';
import { DelimiterCache } from './delimiter.ts';
import { PendingBytes } from './pending-bytes.ts';
import { toBytes } from './to-bytes.ts';

/**
 * A protocol that receives only lines: `LineReceiver` without raw mode or pausing, for
 * protocols that never need them. The `line` handed to `lineReceived` is a view (copy it to
 * keep it). A line longer than `MAX_LENGTH` goes to `lineLengthExceeded`, which drops the
 * connection; between chunks it holds at most `MAX_LENGTH` bytes.
 */
export class LineOnlyReceiver extends Protocol {
  /** The line delimiter (a string is sent as UTF-8). Default `'\r\n'`. */
  delimiter: string | Uint8Array = '\r\n';
  /** The longest line accepted, delimiter excluded (16384 bytes). */
  MAX_LENGTH = 16384;

  readonly #partial = new PendingBytes();
  readonly #delimiter = new DelimiterCache();
  readonly #async = new AsyncResults();

  /** Splits what arrives into lines; stops when the transport is disconnecting. */
  override dataReceived(data: Buffer): void | Promise<void> {
    const delimiter = this.#delimiter.bytes(this.delimiter);
    const results = this.#async;
    const partial = this.#partial;
    let start = 0;
    while (start < data.length) {
      // Twisted checks before each line: an earlier line may have closed the connection.
      if (this.transport?.disconnecting) break;
      let line: Buffer;
      const straddling = partial.straddle(data, start, delimiter);
      if (straddling > 0) {
        partial.drop(straddling);
        start += delimiter.length - straddling;
        line = partial.take();
      } else {
        const end = data.indexOf(delimiter, start);
        if (end === -1) {
          if (partial.length + data.length - start > this.MAX_LENGTH) {
            results.add(this.lineLengthExceeded(Buffer.concat([partial.take(), data.subarray(start)])));
          } else {
            partial.append(data.subarray(start));
          }
          break;
        }
        if (partial.length > 0) {
          partial.append(data.subarray(start, end));
          line = partial.take();
        } else {
          line = data.subarray(start, end);
        }
        start = end + delimiter.length;
      }
      if (line.length > this.MAX_LENGTH) {
        results.add(this.lineLengthExceeded(line));
        break;
      }
      results.add(this.lineReceived(line));
    }
    return results.settle();
  }

  /** Called with each line, delimiter removed. Override it (the default throws {@link NotImplementedError}). */
  lineReceived(_line: Buffer): void | Promise<void> {
    throw new NotImplementedError(`${this.constructor.name} must override lineReceived()`);
  }

  /** Writes `line` and the delimiter (Twisted's `writeSequence((line, delimiter))`). */
  sendLine(line: Uint8Array | string): void {
    this.transport.writeSequence([toBytes(line, 'line'), this.#delimiter.bytes(this.delimiter)]);
  }

  /** Called with a line longer than `MAX_LENGTH`; the default drops the connection. */
  lineLengthExceeded(_line: Buffer): void | Promise<void> {
    this.transport.loseConnection();
  }
}
