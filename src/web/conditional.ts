/**
 * Conditional requests (Twisted's `Request.setLastModified` and `setETag`): `If-Modified-Since`
 * and `If-None-Match` turn a response into 304 Not Modified (or 412 for other methods).
 *
 * @module
 */
import { validateNumber } from '../validate.ts';
import { type BytesLike, toByteString } from './bytes.ts';
import { stringToDatetime } from './http-date.ts';
import type { HTTPRequest } from './http-request.ts';

/**
 * What `setLastModified` and `setETag` return when the client's copy is current (Twisted's
 * `http.CACHED`): the response code is already 304 (or 412); send no body.
 */
export const CACHED: unique symbol = Symbol.for('twisted-ts.web.CACHED');

/** @internal The body of `Request.setLastModified`. */
export function checkLastModified(request: HTTPRequest, when: number): typeof CACHED | undefined {
  validateNumber(when, 'when');
  // HTTP dates are whole seconds (Twisted rounds up too).
  const seconds = Math.ceil(when);
  if (request.lastModified === undefined || request.lastModified < seconds) request.lastModified = seconds;
  const header = request.getHeader('if-modified-since');
  if (header === undefined || header === '') return undefined;
  let since: number;
  try {
    since = stringToDatetime(header.split(';', 1)[0]);
  } catch {
    return undefined;
  }
  if (since >= request.lastModified) {
    request.setResponseCode(304);
    return CACHED;
  }
  return undefined;
}

/** @internal The body of `Request.setETag`. */
export function checkETag(request: HTTPRequest, etag: BytesLike): typeof CACHED | undefined {
  const tag = typeof etag === 'string' ? etag : toByteString(etag, 'etag');
  if (tag !== '') request.etag = tag;
  const header = request.getHeader(Buffer.from('if-none-match'));
  if (header === undefined) return undefined;
  // Entity tags hold no spaces: the list splits on commas and whitespace (Twisted splits on
  // whitespace only, which misses `"a","b"`).
  const tags = header
    .toString('latin1')
    .split(/[\s,]+/)
    .filter((t) => t !== '');
  if (tags.includes('*') || tags.includes(tag) || tags.includes(`W/${tag}`)) {
    request.setResponseCode(request.method === 'GET' || request.method === 'HEAD' ? 304 : 412);
    return CACHED;
  }
  return undefined;
}
