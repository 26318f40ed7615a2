/**
 * Redirects (Twisted's `util.redirectTo` and `util.Redirect`).
 *
 * @module
 */
import { type BytesLike, toBuffer } from './bytes.ts';
import type { Request } from './request.ts';
import { escapeHTML, Resource } from './resource.ts';

/**
 * Answers `request` with 302 Found to `url` and returns a small HTML page that sends browsers
 * there too (Twisted's `redirectTo`; the URL is HTML-escaped in the page, which Twisted left as
 * a FIXME). Return it from a render method.
 *
 * @example
 * render_GET(request: Request) {
 *   return redirectTo('/login', request);
 * }
 */
export function redirectTo(url: BytesLike, request: Request): string {
  const location = toBuffer(url, 'url');
  request.setHeader('content-type', 'text/html; charset=utf-8');
  request.redirect(location);
  const shown = escapeHTML(location.toString('utf8'));
  return (
    `\n<html>\n    <head>\n        <meta http-equiv="refresh" content="0;URL=${shown}">\n    </head>\n` +
    `    <body bgcolor="#FFFFFF" text="#000000">\n    <a href="${shown}">click here</a>\n    </body>\n</html>\n`
  );
}

/** A resource that redirects every request to one URL (Twisted's `util.Redirect`). */
export class Redirect extends Resource {
  override isLeaf = true;
  /** Where it redirects to. */
  readonly url: Buffer;

  constructor(url: BytesLike) {
    super();
    this.url = toBuffer(url, 'url');
  }

  /** Redirects whatever the method. */
  override render(request: Request): string {
    return redirectTo(this.url, request);
  }
}
