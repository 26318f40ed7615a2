/**
 * Bencoding (BEP 3), the encoding of every KRPC message: integers, byte strings, lists and
 * dictionaries. The decoder is strict, because a DHT node reads datagrams from anybody: it
 * refuses what BEP 3 does not allow (leading zeros, `-0`, keys that are not byte strings, bytes
 * after the value, nesting deeper than {@link MAX_DEPTH}) with a {@link BencodeError}, and it
 * builds dictionaries without a prototype, so a key such as `__proto__` is only a key.
 */

/** A decoded value. Byte strings stay bytes: KRPC ids, tokens and addresses are binary. */
export type BValue = number | Buffer | BValue[] | BDict;
/** A dictionary; its keys are the byte strings read as Latin-1 (KRPC keys are ASCII). */
export type BDict = { [key: string]: BValue };

/** Nesting deeper than this is refused (KRPC messages nest three levels at most). */
export const MAX_DEPTH = 16;

/** Data that is not bencoding, or not bencoding this decoder accepts. */
export class BencodeError extends Error {
  override name = 'BencodeError';
}

const [I, L, D, E, COLON] = ['i', 'l', 'd', 'e', ':'].map((c) => c.charCodeAt(0));

/** Encodes `v`; dictionary keys are written in sorted order, as BEP 3 requires. */
export function bencode(v: BValue | string): Buffer {
  const parts: Buffer[] = [];
  const put = (x: BValue | string): void => {
    if (typeof x === 'number') {
      if (!Number.isSafeInteger(x)) throw new BencodeError(`cannot bencode ${x}: not a safe integer`);
      parts.push(Buffer.from(`i${x}e`));
    } else if (typeof x === 'string' || Buffer.isBuffer(x)) {
      const bytes = typeof x === 'string' ? Buffer.from(x) : x;
      parts.push(Buffer.from(`${bytes.length}:`), bytes);
    } else if (Array.isArray(x)) {
      parts.push(Buffer.of(L));
      x.forEach(put);
      parts.push(Buffer.of(E));
    } else {
      parts.push(Buffer.of(D));
      for (const key of Object.keys(x).sort()) {
        put(Buffer.from(key, 'latin1'));
        put(x[key]);
      }
      parts.push(Buffer.of(E));
    }
  };
  put(v);
  return Buffer.concat(parts);
}

/** Decodes one value that must fill `data` exactly. */
export function bdecode(data: Buffer): BValue {
  let at = 0;
  const fail = (why: string): never => {
    throw new BencodeError(`${why} at byte ${at}`);
  };
  const digits = (end: number, allowMinus: boolean): number => {
    const text = data.toString('latin1', at, end);
    const pattern = allowMinus ? /^(0|-?[1-9]\d*)$/ : /^(0|[1-9]\d*)$/;
    if (!pattern.test(text)) fail(`bad number ${JSON.stringify(text.slice(0, 24))}`);
    const n = Number(text);
    if (!Number.isSafeInteger(n)) fail(`number ${text.slice(0, 24)} out of range`);
    return n;
  };
  const value = (depth: number): BValue => {
    if (depth > MAX_DEPTH) fail('nested too deep');
    if (at >= data.length) fail('truncated');
    const c = data[at];
    if (c === I) {
      at += 1;
      const end = data.indexOf(E, at);
      if (end === -1) fail('unterminated integer');
      const n = digits(end, true);
      at = end + 1;
      return n;
    }
    if (c === L || c === D) {
      at += 1;
      const items: BValue[] = [];
      const dict: BDict = Object.create(null) as BDict;
      while (data[at] !== E) {
        if (at >= data.length) fail('truncated');
        if (c === L) {
          items.push(value(depth + 1));
          continue;
        }
        const key = value(depth + 1);
        if (!Buffer.isBuffer(key)) fail('a dictionary key that is not a byte string');
        dict[(key as Buffer).toString('latin1')] = value(depth + 1);
      }
      at += 1;
      return c === L ? items : dict;
    }
    const colon = data.indexOf(COLON, at);
    if (colon === -1 || colon - at > 10) fail('not bencoding');
    const length = digits(colon, false);
    if (colon + 1 + length > data.length) fail('truncated string');
    at = colon + 1 + length;
    return data.subarray(colon + 1, at);
  };
  const result = value(0);
  if (at !== data.length) fail('bytes after the value');
  return result;
}

/** True for a decoded dictionary (not a list, a number or bytes). */
export function isDict(v: BValue | undefined): v is BDict {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
}
