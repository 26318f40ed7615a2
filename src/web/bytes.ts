/**
 * Bytes and strings at the web layer's door. Twisted's web API takes `bytes`; here every such
 * argument is a `Buffer` (any `Uint8Array`) or a string, encoded as UTF-8. Internally header
 * names and values travel as "byte strings": JavaScript strings with one character per byte
 * (latin1), which is how `node:http` hands headers over and writes them out, so a header passes
 * through unchanged without a copy per request.
 *
 * @internal
 * @module
 */
import { invalidArgType } from '../validate.ts';

/** A `Buffer`, a `Uint8Array` or a string (UTF-8): what the web API accepts where Twisted takes bytes. */
export type BytesLike = string | Uint8Array;

const ASCII = /^[\x00-\x7f]*$/;

/** Whether `value` is a string or a Uint8Array. */
export function isBytesLike(value: unknown): value is BytesLike {
  return typeof value === 'string' || value instanceof Uint8Array;
}

/** `value` as a Buffer (a string is encoded as UTF-8), or a TypeError naming the argument. */
export function toBuffer(value: unknown, name: string): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw invalidArgType(name, 'of type string or an instance of Buffer or Uint8Array', value);
}

/** `value` as a byte string (one character per byte; a string is encoded as UTF-8 first). */
export function toByteString(value: unknown, name: string): string {
  if (typeof value === 'string') {
    return ASCII.test(value) ? value : Buffer.from(value, 'utf8').toString('latin1');
  }
  if (value instanceof Uint8Array) return toBuffer(value, name).toString('latin1');
  throw invalidArgType(name, 'of type string or an instance of Buffer or Uint8Array', value);
}

/** A byte string decoded as UTF-8 (the inverse of `toByteString` for a string). */
export function byteStringToText(bytes: string): string {
  return ASCII.test(bytes) ? bytes : Buffer.from(bytes, 'latin1').toString('utf8');
}

/** A byte string as a Buffer. */
export function byteStringToBuffer(bytes: string): Buffer {
  return Buffer.from(bytes, 'latin1');
}

const HEX = '0123456789ABCDEF';
function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 70) return code - 55;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

/**
 * Percent-decodes a byte string (Twisted's `http.unquote`, Python's `unquote_to_bytes`): each
 * valid `%XX` becomes that byte, anything else stays as it is; `+` is left alone.
 */
export function unquoteBytes(text: string): string {
  let i = text.indexOf('%');
  if (i === -1) return text;
  let out = text.slice(0, i);
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 37 && i + 2 < text.length) {
      const hi = hexValue(text.charCodeAt(i + 1));
      const lo = hexValue(text.charCodeAt(i + 2));
      if (hi >= 0 && lo >= 0) {
        out += String.fromCharCode(hi * 16 + lo);
        i += 3;
        continue;
      }
    }
    out += text[i];
    i++;
  }
  return out;
}

/**
 * Percent-encodes a byte string for a URL path segment (Twisted's `server.quote` with
 * `safe=b""`, as `prePathURL` uses): unreserved characters stay, every other byte is `%XX`.
 */
export function quoteBytes(bytes: string, safe = ''): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes.charCodeAt(i);
    const ch = bytes[i];
    if (
      (c >= 48 && c <= 57) ||
      (c >= 65 && c <= 90) ||
      (c >= 97 && c <= 122) ||
      ch === '-' ||
      ch === '.' ||
      ch === '_' ||
      ch === '~' ||
      safe.includes(ch)
    ) {
      out += ch;
    } else {
      out += `%${HEX[c >> 4]}${HEX[c & 15]}`;
    }
  }
  return out;
}

/**
 * Parses a query string or an `application/x-www-form-urlencoded` body (Twisted's
 * `http.parse_qs` with blank values kept): `+` is a space, `%XX` a byte; a pair without `=` is
 * skipped as Python does. Keys are decoded as UTF-8; values stay bytes. The object has no
 * prototype, so a key such as `__proto__` is an ordinary key.
 */
export function parseQueryString(
  qs: string,
  into: Record<string, Buffer[]> = Object.create(null),
): Record<string, Buffer[]> {
  if (qs === '') return into;
  for (const part of qs.split(/[&;]/)) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const key = byteStringToText(unquoteBytes(part.slice(0, eq).replaceAll('+', ' ')));
    const value = byteStringToBuffer(unquoteBytes(part.slice(eq + 1).replaceAll('+', ' ')));
    const list = Object.hasOwn(into, key) ? into[key] : (into[key] = []);
    list.push(value);
  }
  return into;
}
