/**
 * The URL and address helpers of `Request` (Twisted's `prePathURL`, `childLink`,
 * `getRequestHostname`, `setHost`, the `OPTIONS *` answer and Basic authorization).
 *
 * @internal
 * @module
 */
import { IPv4Address, IPv6Address } from '../transports/address.ts';
import { validatePort } from '../validate.ts';
import { byteStringToBuffer, byteStringToText, quoteBytes, unquoteBytes } from './bytes.ts';
import type { HTTPRequest } from './http-request.ts';
import type { IncomingRequest } from './incoming-request.ts';
import type { Request } from './request.ts';
import type { StreamAddress } from '../interfaces.ts';

/**
 * The origin form of a request target: an absolute-form target (`http://host/path?q`, which
 * RFC 9112 says a server must accept) loses its scheme and authority.
 */
export function originForm(uri: string): string {
  if (uri.charCodeAt(0) === 47 /* / */ || uri === '*') return uri;
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(uri);
  if (m === null) return uri;
  const rest = uri.slice(m[0].length);
  return rest === '' || rest[0] === '?' ? `/${rest}` : rest;
}

/** The decoded segments of a path (`/a/b%20c` → `['a', 'b c']`), as Twisted's `postpath`. */
export function splitPath(path: string): Buffer[] {
  const parts = path.slice(1).split('/');
  const out = new Array<Buffer>(parts.length);
  for (let i = 0; i < parts.length; i++) out[i] = byteStringToBuffer(unquoteBytes(parts[i]));
  return out;
}

/**
 * `OPTIONS *` gets an empty 200; any other method on `*` a 405 allowing only OPTIONS (Twisted's
 * `_handleStar`).
 */
export function handleStar(request: HTTPRequest): void {
  if (request.method === 'OPTIONS') {
    request.setResponseCode(200);
  } else {
    request.setResponseCode(405);
    request.setHeader('allow', 'OPTIONS');
  }
  request.setHeader('content-length', '0');
  request.finish();
}

const HOST_HEADER = /^\[?(.*?)\]?(:\d+)?$/;

/** The `Host` header's host part, else the server address's host. */
export function requestHostname(request: IncomingRequest): string {
  const host = request.getHeader('host');
  if (host !== undefined) {
    const m = HOST_HEADER.exec(host);
    if (m !== null) return m[1];
  }
  const address = request.getHost();
  return 'host' in address ? address.host : 'localhost';
}

/** Sets the `Host` header for `setHost` and returns the new server address. */
export function setHost(request: IncomingRequest, host: string, port: number): StreamAddress {
  validatePort(port, 'port');
  const defaultPort = request.isSecure() ? 443 : 80;
  request.requestHeaders.setRawHeaders('host', [
    byteStringToBuffer(port === defaultPort ? host : `${host}:${port}`),
  ]);
  const text = byteStringToText(host);
  return text.includes(':') ? new IPv6Address('TCP', text, port) : new IPv4Address('TCP', text, port);
}

/** The absolute URL of the resource at `prepath`. */
export function prePathURL(request: HTTPRequest, prepath: readonly Buffer[]): string {
  const address = request.getHost();
  const port = 'port' in address ? address.port : 0;
  const secure = request.isSecure();
  const hostport = port === (secure ? 443 : 80) ? '' : `:${port}`;
  let hostname = request.getRequestHostname();
  if (hostname.includes(':')) hostname = `[${hostname}]`;
  const path = prepath.map((segment) => quoteBytes(segment.toString('latin1'))).join('/');
  return `http${secure ? 's' : ''}://${hostname}${hostport}/${path}`;
}

/** Twisted's `childLink`: a link relative to the request's URL. */
export function childLink(request: Request, name: string): string {
  const remaining = request.postpath.length;
  if (remaining > 1) return '../'.repeat(remaining - 1) + name;
  if (remaining === 1) return name;
  const last = request.prepath[request.prepath.length - 1];
  return last !== undefined && last.length > 0 ? `${last.toString('utf8')}/${name}` : name;
}

/** `[user, password]` of a Basic `Authorization` header, `['', '']` when there is none or it is malformed. */
export function basicAuth(header: string | undefined): [string, string] {
  if (header === undefined) return ['', ''];
  const m = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (m === null) return ['', ''];
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? ['', ''] : [decoded.slice(0, colon), decoded.slice(colon + 1)];
}
