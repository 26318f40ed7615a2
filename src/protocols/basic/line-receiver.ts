/**
 * Twisted's `twisted.protocols.basic.LineReceiver`.
 *
 * @module
 */
import { NotImplementedError } from '../../errors/basic.ts';
import { AsyncResults } from './async-results.ts';
import { DelimiterCache } from './delimiter.ts';
import { PendingBytes } from './pending-bytes.ts';
import { ReceiveQueue } from './receive-queue.ts';
import { PauseableReceiver } from './pauseable-receiver.ts';
import { toBytes } from './to-bytes.ts';

/**
 * A protocol that receives lines and/or raw data, by mode: in line mode each line reaches
 * `lineReceived` (without its delimiter), in raw mode each chunk reaches `rawDataReceived`.
 * `setRawMode()` and `setLineMode()` switch between them at any time — from inside
 * `lineReceived` too, in which case the rest of what was received goes to the new mode.
 *
 * The `line` handed to `lineReceived` is a view, not a copy: convert it (`line.toString()`) or
 * copy it (`Buffer.from(line)`) to keep it after the call, so that a kept line does not keep a
 * whole received chunk alive.
 *
 * A line longer than `MAX_LENGTH` goes to `lineLengthExceeded`, which drops the connection;
 * between chunks the protocol holds at most `MAX_LENGTH` plus a delimiter, whatever the peer
 * sends, and each received byte is copied at most once.
 *
 * @example
 * class Echo extends LineReceiver {
 *   override lineReceived(line: Buffer) {
 *     this.sendLine(line);
 *   }
 * }
 */
export class LineReceiver extends PauseableReceiver {
  /** The line delimiter (a string is sent as UTF-8); may be changed at any time. Default `'\r\n'`. */
  delimiter: string | Uint8Array = '\r\n';
  /** The longest line accepted, delimiter excluded (Twisted's default, 16384 bytes). */
  MAX_LENGTH = 16384;
  /** `true` in line mode, `false` in raw mode (Twisted's `line_mode`, a 1/0 there). */
  line_mode = true;

  /** The line begun in earlier data: it comes before `#input`. */
  readonly #partial = new PendingBytes();
  /** The data not parsed yet. */
  readonly #input = new ReceiveQueue();
  readonly #parse = (): void => this.#deliver();
  readonly #delimiter = new DelimiterCache();
  readonly #async = new AsyncResults();

  /**
   * Splits what arrives into lines (or hands it to `rawDataReceived` in raw mode). Re-entrant:
   * data given while a line is being handled (`setLineMode(extra)`, or a callback feeding
   * data) is queued behind the rest. Stops while paused, and for good once the transport is
   * disconnecting, as Twisted's does: no line is handled after `loseConnection()`.
   */
  override dataReceived(data: Buffer): void | Promise<void> {
    if (!this.#input.feed(data, this.#parse)) return;
    return this.#async.settle();
  }

  #deliver(): void {
    const results = this.#async;
    const input = this.#input;
    // Twisted looks at `disconnecting` only after a line; looking before each one too means no
    // data is handled once the connection is closing, however the chunks fell (a real transport
    // stops reading at loseConnection() anyway).
    while (!this.paused && !this.transport?.disconnecting) {
      if (!input.next()) return;
      const segment = input.segment;
      const start = input.offset;
      if (!this.line_mode) {
        // Everything received so far at once, as Twisted hands its whole buffer over: what
        // rawDataReceived gives back through setLineMode(extra) then comes before later data.
        results.add(this.rawDataReceived(this.clearLineBuffer()));
        continue;
      }
      // Read each time round: lineReceived may change the delimiter for the lines that follow.
      const delimiter = this.#delimiter.bytes(this.delimiter);
      let line: Buffer;
      if (this.#partial.length > 0) {
        const straddling = this.#partial.straddle(segment, start, delimiter);
        if (straddling > 0) {
          this.#partial.drop(straddling);
          input.offset = start + delimiter.length - straddling;
        } else {
          const end = segment.indexOf(delimiter, start);
          const added = (end === -1 ? segment.length : end) - start;
          if (this.#partial.length + added > this.MAX_LENGTH + (end === -1 ? delimiter.length - 1 : 0)) {
            results.add(this.lineLengthExceeded(this.clearLineBuffer()));
            return;
          }
          this.#partial.append(segment.subarray(start, start + added));
          if (end === -1) {
            input.offset = segment.length;
            continue;
          }
          input.offset = end + delimiter.length;
        }
        line = this.#partial.take();
      } else {
        const end = segment.indexOf(delimiter, start);
        if (end === -1) {
          if (segment.length - start >= this.MAX_LENGTH + delimiter.length) {
            results.add(this.lineLengthExceeded(this.clearLineBuffer()));
            return;
          }
          // A copy, so that the start of a line does not keep the whole chunk alive.
          this.#partial.append(segment.subarray(start));
          input.offset = segment.length;
          continue;
        }
        if (end - start > this.MAX_LENGTH) {
          // Twisted hands over the long line, its delimiter and everything after it.
          results.add(this.lineLengthExceeded(this.clearLineBuffer()));
          return;
        }
        input.offset = end + delimiter.length;
        line = segment.subarray(start, end);
      }
      if (line.length > this.MAX_LENGTH) {
        results.add(this.lineLengthExceeded(Buffer.concat([line, delimiter, this.clearLineBuffer()])));
        return;
      }
      results.add(this.lineReceived(line));
    }
  }

  /** Empties the buffer and returns what it held: data received but not yet handled. */
  clearLineBuffer(): Buffer {
    const pieces = [this.#partial.take(), ...this.#input.clear()];
    const nonEmpty = pieces.filter((p) => p.length > 0);
    return nonEmpty.length === 1 ? nonEmpty[0] : Buffer.concat(nonEmpty);
  }

  /**
   * Switches to line mode. Called from `rawDataReceived`, `extra` is data that call did not
   * use: it is parsed for lines before what comes next. Don't pass `extra` from
   * `lineReceived` (the rest of the buffer is handed over by itself).
   */
  setLineMode(extra?: Uint8Array | string): void | Promise<void> {
    this.line_mode = true;
    if (extra !== undefined && extra.length > 0) return this.dataReceived(toBytes(extra, 'extra'));
  }

  /** Switches to raw mode: what follows goes to `rawDataReceived`, the rest of the buffer first. */
  setRawMode(): void {
    this.line_mode = false;
  }

  /** Called with each line, delimiter removed. Override it (the default throws {@link NotImplementedError}). */
  lineReceived(_line: Buffer): void | Promise<void> {
    throw new NotImplementedError(`${this.constructor.name} must override lineReceived()`);
  }

  /** Called in raw mode with each piece of data. Override it if you use raw mode (the default throws {@link NotImplementedError}). */
  rawDataReceived(_data: Buffer): void | Promise<void> {
    throw new NotImplementedError(`${this.constructor.name} must override rawDataReceived()`);
  }

  /** Writes `line` and the delimiter in one write. A string is sent as UTF-8. */
  sendLine(line: Uint8Array | string): void {
    const delimiter = this.#delimiter.bytes(this.delimiter);
    const bytes = toBytes(line, 'line');
    const out = Buffer.allocUnsafe(bytes.length + delimiter.length);
    out.set(bytes, 0);
    out.set(delimiter, bytes.length);
    this.transport.write(out);
  }

  /**
   * Called with a line longer than `MAX_LENGTH` — and whatever followed it, or the start of a
   * line still without its delimiter — after the buffer was emptied. The default drops the
   * connection (`transport.loseConnection()`).
   */
  lineLengthExceeded(_line: Buffer): void | Promise<void> {
    this.transport.loseConnection();
  }
}
