/**
 * Byte ranges (RFC 9110 section 14; Twisted's `File._parseRangeHeader`,
 * `_rangeToOffsetAndSize` and the single and multiple range answers).
 *
 * @internal
 * @module
 */

/** A range as the header gives it: `start` or `end` may be absent (not both). */
export type ByteRange = readonly [start: number | undefined, end: number | undefined];

/**
 * The ranges of a `Range` header value.
 *
 * @throws RangeError when the header is malformed or its unit is not `bytes` (the caller then
 *   ignores it and sends the whole file, as Twisted does).
 */
export function parseRangeHeader(header: string): ByteRange[] {
  const eq = header.indexOf('=');
  if (eq === -1) throw new RangeError("Missing '=' separator");
  const unit = header.slice(0, eq).trim();
  if (unit !== 'bytes') throw new RangeError(`Unsupported Bytes-Unit: ${JSON.stringify(unit)}`);
  const ranges: ByteRange[] = [];
  for (const part of header.slice(eq + 1).split(',')) {
    const spec = part.trim();
    if (spec === '') continue;
    const m = /^(\d*)-(\d*)$/.exec(spec);
    if (m === null || (m[1] === '' && m[2] === ''))
      throw new RangeError(`Invalid Byte-Range: ${JSON.stringify(spec)}`);
    const start = m[1] === '' ? undefined : Number(m[1]);
    const end = m[2] === '' ? undefined : Number(m[2]);
    if (start !== undefined && end !== undefined && start > end) {
      throw new RangeError(`Invalid Byte-Range: ${JSON.stringify(spec)}`);
    }
    ranges.push([start, end]);
  }
  if (ranges.length === 0) throw new RangeError('No byte ranges');
  return ranges;
}

/**
 * `[offset, size]` of a range within a resource of `size` bytes; `[0, 0]` when it does not
 * overlap the resource (unsatisfiable). `end` is inclusive; an absent start counts from the end.
 */
export function rangeToOffsetAndSize(range: ByteRange, size: number): [offset: number, length: number] {
  let [start, end] = range;
  if (start === undefined) {
    start = Math.max(0, size - (end ?? 0));
    end = size;
  } else if (end === undefined || end >= size) {
    end = size;
  } else {
    end += 1;
  }
  if (start >= size || end <= start) return [0, 0];
  return [start, end - start];
}

/** The `Content-Range` value of `length` bytes at `offset` of a resource of `size` bytes. */
export function contentRange(offset: number, length: number, size: number): string {
  return `bytes ${offset}-${offset + length - 1}/${size}`;
}
