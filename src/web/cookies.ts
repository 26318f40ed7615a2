/**
 * Cookies: the `Set-Cookie` line `Request.addCookie` builds and the `Cookie` headers
 * `Request.getCookie` reads (Twisted's `http.Request.addCookie` and `parseCookies`).
 *
 * @module
 */
import { invalidArgValue } from '../validate.ts';
import { type BytesLike, toByteString } from './bytes.ts';

/** The attributes of a cookie, as `addCookie`'s keyword arguments in Twisted. */
export interface CookieOptions {
  /** The `Expires` attribute, an HTTP date (`'Wdy, DD Mon YYYY HH:MM:SS GMT'`). */
  expires?: BytesLike;
  /** The `Domain` attribute. */
  domain?: BytesLike;
  /** The `Path` attribute. */
  path?: BytesLike;
  /** The `Max-Age` attribute, in seconds (a number or its text). */
  max_age?: BytesLike | number;
  /** The `Comment` attribute. */
  comment?: BytesLike;
  /** Adds `Secure`: send it over HTTPS only. */
  secure?: boolean;
  /** Adds `HttpOnly`: keep it away from scripts. */
  httpOnly?: boolean;
  /** `'lax'`, `'strict'` (Twisted's values) or `'none'`: the `SameSite` attribute. */
  sameSite?: BytesLike;
}

// Twisted's `_sanitize`: CR/LF (which would start a new header) and `;` (which would start a new
// attribute) in any part become a space.
function sanitize(value: unknown, name: string): string {
  const text = typeof value === 'number' ? String(value) : toByteString(value, name);
  return text.replace(/\r\n|[\r\n;]/g, ' ');
}

/**
 * The value of a `Set-Cookie` header for `name=value` with `options` (a byte string).
 *
 * @throws TypeError when `sameSite` is not `lax`, `strict` or `none` (Twisted's `ValueError`).
 */
export function formatCookie(name: BytesLike, value: BytesLike, options: CookieOptions = {}): string {
  let cookie = `${sanitize(name, 'name')}=${sanitize(value, 'value')}`;
  if (options.expires !== undefined) cookie += `; Expires=${sanitize(options.expires, 'expires')}`;
  if (options.domain !== undefined) cookie += `; Domain=${sanitize(options.domain, 'domain')}`;
  if (options.path !== undefined) cookie += `; Path=${sanitize(options.path, 'path')}`;
  if (options.max_age !== undefined) cookie += `; Max-Age=${sanitize(options.max_age, 'max_age')}`;
  if (options.comment !== undefined) cookie += `; Comment=${sanitize(options.comment, 'comment')}`;
  if (options.secure) cookie += '; Secure';
  if (options.httpOnly) cookie += '; HttpOnly';
  if (options.sameSite !== undefined && options.sameSite !== '') {
    const sameSite = toByteString(options.sameSite, 'sameSite').toLowerCase();
    if (sameSite !== 'lax' && sameSite !== 'strict' && sameSite !== 'none') {
      throw invalidArgValue(
        'sameSite',
        `It must be 'lax', 'strict' or 'none'. Received ${JSON.stringify(sameSite)}`,
      );
    }
    cookie += `; SameSite=${sameSite}`;
  }
  return cookie;
}

/**
 * The cookies of `Cookie` header values (byte strings), name → value; a later cookie of the same
 * name wins, a part without `=` is skipped (Twisted's `parseCookies`).
 */
export function parseCookies(headerValues: readonly string[] | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (headerValues === undefined) return cookies;
  for (const line of headerValues) {
    for (const part of line.split(';')) {
      const cookie = part.trimStart();
      const eq = cookie.indexOf('=');
      if (eq === -1) continue;
      cookies.set(cookie.slice(0, eq), cookie.slice(eq + 1));
    }
  }
  return cookies;
}
