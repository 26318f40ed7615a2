/**
 * The delimiter of the line protocols, which may be a string or bytes and may be changed at any
 * time (a class field, or an assignment between two lines): its bytes are computed once per
 * value.
 *
 * @internal
 */
import { invalidArgType, invalidArgValue } from '../../validate.ts';

/** Remembers the last delimiter value seen and its bytes. */
export class DelimiterCache {
  #source: unknown = undefined;
  #bytes: Buffer = Buffer.alloc(0);

  /** The bytes of `delimiter` (a string is UTF-8); a TypeError for an empty or non-byte value. */
  bytes(delimiter: unknown): Buffer {
    if (delimiter === this.#source) return this.#bytes;
    let bytes: Buffer;
    if (typeof delimiter === 'string') bytes = Buffer.from(delimiter, 'utf8');
    else if (delimiter instanceof Uint8Array) bytes = Buffer.from(delimiter);
    else
      throw invalidArgType('delimiter', 'of type string or an instance of Buffer or Uint8Array', delimiter);
    // Python's bytes.split(b'') raises ValueError: an empty delimiter matches everywhere.
    if (bytes.length === 0) throw invalidArgValue('delimiter', 'It must not be empty.');
    this.#source = delimiter;
    this.#bytes = bytes;
    return bytes;
  }
}
