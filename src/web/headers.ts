/**
 * `Headers` (Twisted's `twisted.web.http_headers.Headers`): HTTP header names and their values,
 * names compared without regard to case, each name holding a list of values in the order they
 * were given.
 *
 * @module
 */
import { invalidArgType, invalidArgValue } from '../validate.ts';
import { type BytesLike, byteStringToBuffer, isBytesLike, toByteString } from './bytes.ts';

// Twisted's `Headers._caseMappings`: names whose usual spelling is not dash-capitalized.
const caseMappings: Record<string, string> = {
  'content-md5': 'Content-MD5',
  dnt: 'DNT',
  etag: 'ETag',
  p3p: 'P3P',
  te: 'TE',
  'www-authenticate': 'WWW-Authenticate',
  'x-xss-protection': 'X-XSS-Protection',
};
const canonicalCache = new Map<string, string>();

/** `content-type` → `Content-Type` (Twisted's `_canonicalNameCaps`), cached. */
export function canonicalHeaderName(lowerName: string): string {
  let name = canonicalCache.get(lowerName);
  if (name === undefined) {
    name =
      caseMappings[lowerName] ??
      lowerName
        .split('-')
        .map((w) => (w === '' ? w : w[0].toUpperCase() + w.slice(1)))
        .join('-');
    if (canonicalCache.size < 1000) canonicalCache.set(lowerName, name);
  }
  return name;
}

// RFC 9110's token characters: what a header name may hold (Node refuses anything else on write).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// After CR/LF became spaces: any control character left is refused (Node's checkInvalidHeaderChar).

const INVALID_VALUE_CHAR = /[^\t\x20-\x7e\x80-\xff]/;
const LINEAR_WHITESPACE = /\r\n|\r|\n/g;

function sanitize(value: string): string {
  return value.includes('\n') || value.includes('\r') ? value.replace(LINEAR_WHITESPACE, ' ') : value;
}

function checkName(name: unknown, argument: string): string {
  const bytes = sanitize(toByteString(name, argument)).toLowerCase();
  if (!TOKEN.test(bytes)) {
    throw invalidArgValue(argument, `A header name must be an HTTP token. Received ${JSON.stringify(bytes)}`);
  }
  return bytes;
}

function checkValue(value: unknown, argument: string): string {
  const bytes = sanitize(toByteString(value, argument));
  if (INVALID_VALUE_CHAR.test(bytes)) {
    throw invalidArgValue(
      argument,
      `A header value may not hold control characters. Received ${JSON.stringify(bytes)}`,
    );
  }
  return bytes;
}

/** What `new Headers(...)` accepts: an object from names to lists of values, or `[name, values]` pairs. */
export type HeadersInit =
  Readonly<Record<string, readonly BytesLike[]>> | Iterable<readonly [BytesLike, readonly BytesLike[]]>;

/**
 * HTTP headers: case-insensitive names, each with a list of raw values. Names and values may be
 * given as strings (UTF-8) or Buffers; values come back as Buffers, as Twisted's come back as
 * `bytes`. A CR or LF inside a name or value becomes a space (Twisted's
 * `_sanitizeLinearWhitespace`), so a value can never start a new header line.
 *
 * @example
 * const headers = new Headers({ 'content-type': ['text/plain'] });
 * headers.addRawHeader('set-cookie', 'a=1');
 * headers.getRawHeaders('Content-Type'); // [<Buffer 74 65 78 74 ...>]
 * headers.getRawHeaders('x-missing', []); // []
 */
export class Headers {
  // Lower-cased name → values, both as byte strings (one character per byte).
  readonly #raw: Map<string, string[]>;

  /**
   * @param rawHeaders - an object from header names to lists of values (Twisted's
   *   `Headers({b"name": [b"value"]})`), or an iterable of `[name, values]` pairs.
   * @throws TypeError when a name or value is neither a string nor a Buffer, or a name is not
   *   an HTTP token.
   */
  constructor(rawHeaders?: HeadersInit) {
    this.#raw = new Map();
    if (rawHeaders === undefined || rawHeaders === null) return;
    if (typeof rawHeaders !== 'object') throw invalidArgType('rawHeaders', 'of type object', rawHeaders);
    const entries =
      Symbol.iterator in rawHeaders
        ? (rawHeaders as Iterable<readonly [BytesLike, readonly BytesLike[]]>)
        : Object.entries(rawHeaders as Record<string, readonly BytesLike[]>);
    for (const [name, values] of entries) this.setRawHeaders(name, values);
  }

  /**
   * Builds headers from Node's `rawHeaders` (`[name, value, name, value, …]`, byte strings)
   * without checking them: Node's parser already did.
   *
   * @internal
   */
  static fromNodeRawHeaders(raw: readonly string[]): Headers {
    const headers = new Headers();
    const map = headers.#raw;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i].toLowerCase();
      const list = map.get(name);
      if (list === undefined) map.set(name, [raw[i + 1]]);
      else list.push(raw[i + 1]);
    }
    return headers;
  }

  /** Whether a header named `name` is present. */
  hasHeader(name: BytesLike): boolean {
    return this.#raw.has(toByteString(name, 'name').toLowerCase());
  }

  /** Removes every value of `name` (nothing happens when it is absent). */
  removeHeader(name: BytesLike): void {
    this.#raw.delete(toByteString(name, 'name').toLowerCase());
  }

  /**
   * Sets the values of `name`, replacing any it had.
   *
   * @throws TypeError when `values` is not an array of strings or Buffers, or `name` is not an
   *   HTTP token, or a value holds a control character other than tab (CR and LF become spaces).
   */
  setRawHeaders(name: BytesLike, values: readonly BytesLike[]): void {
    if (!Array.isArray(values)) {
      throw invalidArgType('values', 'an array of strings or Buffers', values);
    }
    const key = checkName(name, 'name');
    const encoded = new Array<string>(values.length);
    for (let i = 0; i < values.length; i++) {
      if (!isBytesLike(values[i])) {
        throw invalidArgType(
          `values[${i}]`,
          'of type string or an instance of Buffer or Uint8Array',
          values[i],
        );
      }
      encoded[i] = checkValue(values[i], `values[${i}]`);
    }
    this.#raw.set(key, encoded);
  }

  /** Adds one value to those of `name`. */
  addRawHeader(name: BytesLike, value: BytesLike): void {
    const key = checkName(name, 'name');
    const encoded = checkValue(value, 'value');
    const list = this.#raw.get(key);
    if (list === undefined) this.#raw.set(key, [encoded]);
    else list.push(encoded);
  }

  /**
   * The values of `name` as Buffers, in order; `defaultValue` (`undefined` unless given) when
   * the header is absent.
   */
  getRawHeaders(name: BytesLike): Buffer[] | undefined;
  getRawHeaders<D>(name: BytesLike, defaultValue: D): Buffer[] | D;
  getRawHeaders<D>(name: BytesLike, defaultValue?: D): Buffer[] | D | undefined {
    const values = this.#raw.get(toByteString(name, 'name').toLowerCase());
    if (values === undefined || values.length === 0) return defaultValue;
    return values.map(byteStringToBuffer);
  }

  /** Every header as `[name, values]`, names in their usual capitalization (`Content-Type`), as Buffers. */
  *getAllRawHeaders(): IterableIterator<[Buffer, Buffer[]]> {
    for (const [name, values] of this.#raw) {
      yield [byteStringToBuffer(canonicalHeaderName(name)), values.map(byteStringToBuffer)];
    }
  }

  /**
   * The last value of `name` as a byte string (one character per byte), or `undefined`.
   *
   * @internal
   */
  lastByteString(name: string): string | undefined {
    const values = this.#raw.get(name);
    return values === undefined || values.length === 0 ? undefined : values[values.length - 1];
  }

  /**
   * The values of `name` (lower case) as byte strings, not copied.
   *
   * @internal
   */
  byteStrings(name: string): readonly string[] | undefined {
    return this.#raw.get(name);
  }

  /**
   * Appends every header, in capitalized form, to a flat `[name, value, …]` list as
   * `ServerResponse.writeHead` and `ClientRequest` take it.
   *
   * @internal
   */
  appendFlatTo(out: string[]): string[] {
    for (const [name, values] of this.#raw) {
      const canonical = canonicalHeaderName(name);
      for (const value of values) out.push(canonical, value);
    }
    return out;
  }

  /** A copy with the same headers. */
  copy(): Headers {
    const other = new Headers();
    for (const [name, values] of this.#raw) other.#raw.set(name, values.slice());
    return other;
  }

  /** Whether `other` is a `Headers` holding the same names with the same values in the same order. */
  equals(other: unknown): boolean {
    if (!(other instanceof Headers) || other.#raw.size !== this.#raw.size) return false;
    for (const [name, values] of this.#raw) {
      const theirs = other.#raw.get(name);
      if (theirs === undefined || theirs.length !== values.length) return false;
      for (let i = 0; i < values.length; i++) if (theirs[i] !== values[i]) return false;
    }
    return true;
  }

  /** `Headers({'content-type': ['text/html']})`, as Twisted's repr (values shown as text). */
  toString(): string {
    const parts = [...this.#raw].map(([n, v]) => `${JSON.stringify(n)}: ${JSON.stringify(v)}`);
    return `Headers({${parts.join(', ')}})`;
  }
}
