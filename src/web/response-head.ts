/**
 * The status line and headers of a response, as Twisted's `http.Request.write` makes them the
 * first time it is called: the default `Content-Type`, `Last-Modified` and `ETag` from the
 * request's attributes, and the cookies `addCookie` built.
 *
 * @module
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import { invalidArgValue, validateInteger } from '../validate.ts';
import { type BytesLike, toByteString } from './bytes.ts';
import type { Headers } from './headers.ts';
import { datetimeToString } from './http-date.ts';
import type { Logger } from '../logger/logger.ts';

/** Status codes whose responses never have a body. */
export const NO_BODY_CODES: ReadonlySet<number> = new Set([204, 304]);

const BAD_REASON = /[^\t\x20-\x7e\x80-\xff]/;

/** What of a request the head is made from. */
export interface ResponseHeadSource {
  /** The `Content-Type` to send when the response sets none. */
  readonly defaultContentType: string | undefined;
  /** The headers set so far. */
  readonly responseHeaders: Headers;
  /** The `Set-Cookie` values. */
  readonly cookies: readonly string[];
  /** The status code. */
  readonly code: number;
  /** The status phrase. */
  readonly code_message: string;
  /** `Last-Modified`, in seconds, if set. */
  readonly lastModified: number | undefined;
  /** The `ETag`, if set. */
  readonly etag: string | undefined;
}

/**
 * The phrase for `code`: `message` (checked: no control characters) or the standard one.
 *
 * @throws RangeError when `code` is not an integer from 100 to 999; TypeError when `message`
 *   holds a control character.
 */
export function statusPhrase(code: number, message?: BytesLike): string {
  validateInteger(code, 'code', 100, 999);
  if (message !== undefined && message.length > 0) {
    const text = toByteString(message, 'message');
    if (BAD_REASON.test(text)) {
      throw invalidArgValue('message', 'A status phrase may not hold control characters');
    }
    return text;
  }
  return STATUS_CODES[code] ?? 'Unknown Status';
}

/** Writes the status line and headers of `request` to `res`. */
export function writeResponseHead(request: ResponseHeadSource, res: ServerResponse, log: Logger): void {
  const headers = request.responseHeaders;
  const code = request.code;
  if (
    request.defaultContentType !== undefined &&
    !NO_BODY_CODES.has(code) &&
    !headers.hasHeader('content-type') &&
    headers.lastByteString('content-length') !== '0'
  ) {
    headers.setRawHeaders('content-type', [request.defaultContentType]);
  }
  if (request.lastModified !== undefined) {
    if (headers.hasHeader('last-modified')) {
      log.info('Warning: last-modified specified both in header list and lastModified attribute.');
    } else {
      headers.setRawHeaders('last-modified', [datetimeToString(request.lastModified)]);
    }
  }
  if (request.etag !== undefined) headers.setRawHeaders('etag', [request.etag]);
  const flat = headers.appendFlatTo([]);
  for (const cookie of request.cookies) flat.push('Set-Cookie', cookie);
  res.writeHead(code, request.code_message, flat);
}
