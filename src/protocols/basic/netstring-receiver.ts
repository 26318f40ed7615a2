/**
 * Twisted's `twisted.protocols.basic.NetstringReceiver`.
 *
 * @module
 */
import { Protocol } from '../protocol.ts';
import { NotImplementedError } from '../../errors/basic.ts';
import { AsyncResults } from './async-results.ts';
import { PendingBytes } from './pending-bytes.ts';
import { toBytes } from './to-bytes.ts';

const COLON = 0x3a;
const COMMA = 0x2c;
const ZERO = 0x30;
const NINE = 0x39;

/** Where the parser is: in a length, in a payload, or done with a peer that broke the format. */
type NetstringState = 'length' | 'payload' | 'broken';

/**
 * A protocol that sends and receives netstrings (`<length>:<bytes>,`, see
 * https://cr.yp.to/proto/netstrings.txt): override `stringReceived`, send with `sendString`.
 *
 * A malformed netstring — no length, a leading zero, a length above `MAX_LENGTH` (refused as
 * soon as its digits say so, before any payload is buffered), a missing comma — drops the
 * connection and sets `brokenPeer`; nothing is parsed after it. The `string` handed to
 * `stringReceived` is a view when it arrived in one chunk (copy it to keep it).
 */
export class NetstringReceiver extends Protocol {
  /** The longest netstring accepted (Twisted's default, 99999 bytes). */
  MAX_LENGTH = 99999;
  /** `true` once the peer sent something that is not a netstring (Twisted's 1/0 flag). */
  brokenPeer = false;

  #state: NetstringState = 'length';
  #digits = '';
  /** Payload bytes still expected, the comma included. */
  #remaining = 0;
  readonly #payload = new PendingBytes();
  readonly #async = new AsyncResults();

  /** Parses what arrives, calling `stringReceived` for each complete netstring. */
  override dataReceived(data: Buffer): void | Promise<void> {
    let offset = 0;
    while (offset < data.length && this.#state !== 'broken') {
      offset = this.#state === 'length' ? this.#readLength(data, offset) : this.#readPayload(data, offset);
    }
    return this.#async.settle();
  }

  #readLength(data: Buffer, offset: number): number {
    // Twisted's _maxLengthSize: a length spec longer than MAX_LENGTH's digits plus one is too long.
    const maxDigits = Math.ceil(Math.log10(this.MAX_LENGTH)) + 1;
    for (let i = offset; i < data.length; i++) {
      const c = data[i];
      if (c === COLON) {
        if (this.#digits === '') return this.#broken(); // no length before the colon
        this.#remaining = Number(this.#digits) + 1;
        this.#digits = '';
        this.#state = 'payload';
        return i + 1;
      }
      if (c < ZERO || c > NINE || this.#digits === '0') {
        // Not a digit, or a digit after a leading zero ('007:' is not a length).
        return this.#broken();
      }
      this.#digits += String.fromCharCode(c);
      if (this.#digits.length > maxDigits || Number(this.#digits) > this.MAX_LENGTH) {
        // Too long: refused now, before any of its payload is buffered.
        return this.#broken();
      }
    }
    return data.length;
  }

  #readPayload(data: Buffer, offset: number): number {
    const available = data.length - offset;
    if (available < this.#remaining) {
      // Copied once, into a store that grows: a payload sent a byte at a time costs linear time.
      this.#payload.append(data.subarray(offset));
      this.#remaining -= available;
      return data.length;
    }
    const end = offset + this.#remaining;
    if (data[end - 1] !== COMMA) return this.#broken(); // the length did not match the payload
    let payload = data.subarray(offset, end - 1);
    if (this.#payload.length > 0) {
      this.#payload.append(payload);
      payload = this.#payload.take();
    }
    this.#state = 'length';
    this.#remaining = 0;
    this.#async.add(this.stringReceived(payload));
    return end;
  }

  /** The `_handleParseError` of Twisted: drop the connection and ignore the rest. */
  #broken(): number {
    this.#state = 'broken';
    this.#payload.take();
    this.brokenPeer = true;
    this.transport.loseConnection();
    return Number.MAX_SAFE_INTEGER;
  }

  /** Called with the payload of each netstring. Override it (the default throws {@link NotImplementedError}). */
  stringReceived(_string: Buffer): void | Promise<void> {
    throw new NotImplementedError(`${this.constructor.name} must override stringReceived()`);
  }

  /** Writes `string` as a netstring (a string is sent as UTF-8), in one write. */
  sendString(string: Uint8Array | string): void {
    const bytes = toBytes(string, 'string');
    const prefix = `${bytes.length}:`;
    const out = Buffer.allocUnsafe(prefix.length + bytes.length + 1);
    out.write(prefix, 0, 'latin1');
    out.set(bytes, prefix.length);
    out[out.length - 1] = COMMA;
    this.transport.write(out);
  }
}
