/**
 * Bytes from what the framing protocols' send methods accept.
 *
 * @internal
 */
import { invalidArgType } from '../../validate.ts';

/** A Buffer over `data` (no copy for a Buffer or Uint8Array; UTF-8 for a string), or a TypeError naming `name`. */
export function toBytes(data: unknown, name: string): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  throw invalidArgType(name, 'of type string or an instance of Buffer or Uint8Array', data);
}
