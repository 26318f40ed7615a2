/**
 * Twisted's `twisted.protocols.basic.IntNStringReceiver` and its three sizes.
 *
 * @module
 */
import { NotImplementedError, StringTooLongError } from '../../errors/basic.ts';
import { AsyncResults } from './async-results.ts';
import { PendingBytes } from './pending-bytes.ts';
import { PauseableReceiver } from './pauseable-receiver.ts';
import { ReceiveQueue } from './receive-queue.ts';
import { toBytes } from './to-bytes.ts';

const EMPTY = Buffer.alloc(0);

/**
 * The base of the length-prefixed protocols: each message is its length as a big-endian
 * unsigned integer of `prefixLength` bytes, then the message. Subclass
 * `Int32StringReceiver`, `Int16StringReceiver` or `Int8StringReceiver` and override
 * `stringReceived`.
 *
 * A length above `MAX_LENGTH` goes to `lengthLimitExceeded` (which drops the connection) before
 * any of that message is buffered; the stream cannot be framed after that, so what follows is
 * discarded even if an override keeps the connection — memory stays bounded by `MAX_LENGTH`
 * plus one chunk whatever the peer sends. The `string` handed to `stringReceived` is a view
 * into the received data (copy it to keep it).
 */
export class IntNStringReceiver extends PauseableReceiver {
  /** The largest message accepted, in bytes (Twisted's default, 99999). */
  MAX_LENGTH = 99999;
  /** The size of the length prefix in bytes; set by the subclasses. */
  readonly prefixLength: 1 | 2 | 4 = 4;

  /** A frame begun in earlier data: its length prefix while `#partialLength` is -1, then its payload so far. */
  readonly #partial = new PendingBytes();
  /** The payload length of the frame in `#partial`, once its prefix is whole; -1 before. */
  #partialLength = -1;
  /** The data not parsed yet. */
  readonly #input = new ReceiveQueue();
  readonly #parse = (): void => this.#deliver();
  /** After a length over `MAX_LENGTH` the stream cannot be framed any more: all is dropped. */
  #unframed = false;
  readonly #async = new AsyncResults();

  /** Splits what arrives into messages for `stringReceived`; re-entrant, and stops while paused. */
  override dataReceived(data: Buffer): void | Promise<void> {
    if (this.#unframed) return;
    if (!this.#input.feed(data, this.#parse)) return;
    return this.#async.settle();
  }

  #deliver(): void {
    const prefixLength = this.prefixLength;
    const partial = this.#partial;
    const input = this.#input;
    while (!this.paused && !this.#unframed) {
      if (!input.next()) return;
      const segment = input.segment;
      const start = input.offset;
      const available = segment.length - start;
      if (this.#partialLength >= 0) {
        // Finish the payload begun in earlier data, copying only the bytes it still lacks.
        const take = Math.min(this.#partialLength - partial.length, available);
        partial.append(segment.subarray(start, start + take));
        input.offset = start + take;
        if (partial.length < this.#partialLength) continue;
        this.#partialLength = -1;
        this.#async.add(this.stringReceived(partial.take()));
        continue;
      }
      if (partial.length > 0) {
        // Finish the length prefix begun in earlier data.
        const take = Math.min(prefixLength - partial.length, available);
        partial.append(segment.subarray(start, start + take));
        input.offset = start + take;
        if (partial.length < prefixLength) continue;
        const length = partial.take().readUIntBE(0, prefixLength);
        if (!this.#checkLength(length)) return;
        if (length > 0) this.#partialLength = length;
        else this.#async.add(this.stringReceived(EMPTY));
        continue;
      }
      if (available < prefixLength) {
        partial.append(segment.subarray(start));
        input.offset = segment.length;
        continue;
      }
      const length = segment.readUIntBE(start, prefixLength);
      if (!this.#checkLength(length)) return;
      const end = start + prefixLength + length;
      if (segment.length < end) {
        // A copy of the payload's start, so that it does not keep the whole chunk alive.
        this.#partialLength = length;
        partial.append(segment.subarray(start + prefixLength));
        input.offset = segment.length;
        continue;
      }
      input.offset = end;
      this.#async.add(this.stringReceived(segment.subarray(start + prefixLength, end)));
    }
  }

  /** Checks a length against `MAX_LENGTH`; over it, gives up framing and tells the subclass. */
  #checkLength(length: number): boolean {
    if (length <= this.MAX_LENGTH) return true;
    this.#unframed = true;
    this.#partial.take();
    this.#partialLength = -1;
    this.#input.clear();
    this.#async.add(this.lengthLimitExceeded(length));
    return false;
  }

  /** Called with each message, prefix removed. Override it (the default throws {@link NotImplementedError}). */
  stringReceived(_string: Buffer): void | Promise<void> {
    throw new NotImplementedError(`${this.constructor.name} must override stringReceived()`);
  }

  /**
   * Called with a length prefix larger than `MAX_LENGTH`; the default drops the connection.
   * Nothing more is parsed afterwards.
   */
  lengthLimitExceeded(_length: number): void | Promise<void> {
    this.transport.loseConnection();
  }

  /**
   * Writes the length prefix and `string` in one write. A string is sent as UTF-8; one too long
   * for the prefix throws {@link StringTooLongError}.
   */
  sendString(string: Uint8Array | string): void {
    const bytes = toBytes(string, 'string');
    const prefixLength = this.prefixLength;
    const limit = 2 ** (8 * prefixLength);
    if (bytes.length >= limit) {
      throw new StringTooLongError(`Try to send ${bytes.length} bytes whereas maximum is ${limit}`);
    }
    const out = Buffer.allocUnsafe(prefixLength + bytes.length);
    out.writeUIntBE(bytes.length, 0, prefixLength);
    out.set(bytes, prefixLength);
    this.transport.write(out);
  }
}

/** Messages prefixed by their length as a 32-bit big-endian unsigned integer (Twisted's `Int32StringReceiver`). */
export class Int32StringReceiver extends IntNStringReceiver {
  /** Four bytes. */
  override readonly prefixLength = 4;
}

/** Messages prefixed by their length as a 16-bit big-endian unsigned integer (Twisted's `Int16StringReceiver`). */
export class Int16StringReceiver extends IntNStringReceiver {
  /** Two bytes. */
  override readonly prefixLength = 2;
}

/** Messages prefixed by their length as one byte (Twisted's `Int8StringReceiver`). */
export class Int8StringReceiver extends IntNStringReceiver {
  /** One byte. */
  override readonly prefixLength = 1;
}
