/**
 * `URI` (Twisted's `client.URI`): the parts of an absolute HTTP URI that an agent needs.
 *
 * @module
 */
import { invalidArgValue } from '../../validate.ts';
import { type BytesLike, byteStringToText, toByteString } from '../bytes.ts';

const DEFAULT_PORTS: Record<string, number> = { http: 80, https: 443 };

/** An absolute URI taken apart: scheme, host, port, path, query, fragment. */
export class URI {
  /** `'http'` or `'https'` (lower case). */
  readonly scheme: string;
  /** `host[:port]` as written (IPv6 hosts in brackets). */
  readonly netloc: string;
  /** The host: a name or an IP literal (an IPv6 one without brackets). */
  readonly host: string;
  /** The port: as written, else the scheme's default. */
  readonly port: number;
  /** The path (`'/'` when empty). */
  readonly path: string;
  /** The query without its `?` (`''` when none). */
  readonly query: string;
  /** The fragment without its `#` (`''` when none). */
  readonly fragment: string;

  constructor(
    scheme: string,
    netloc: string,
    host: string,
    port: number,
    path: string,
    query: string,
    fragment: string,
  ) {
    this.scheme = scheme;
    this.netloc = netloc;
    this.host = host;
    this.port = port;
    this.path = path;
    this.query = query;
    this.fragment = fragment;
  }

  /**
   * Parses an absolute URI (Twisted's `URI.fromBytes`).
   *
   * @throws TypeError when `uri` is not an absolute URI with a host.
   */
  static fromBytes(uri: BytesLike, defaultPort?: number): URI {
    const text = byteStringToText(toByteString(uri, 'uri')).trim();
    const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/s.exec(text);
    if (m === null)
      throw invalidArgValue(
        'uri',
        `It must be an absolute URI (scheme://host/path). Received ${JSON.stringify(text)}`,
      );
    const scheme = m[1].toLowerCase();
    const netloc = m[2].includes('@') ? m[2].slice(m[2].lastIndexOf('@') + 1) : m[2];
    const hostPort = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(netloc);
    if (hostPort === null || hostPort[1] === '') {
      throw invalidArgValue('uri', `It has no host. Received ${JSON.stringify(text)}`);
    }
    const host = hostPort[1].startsWith('[') ? hostPort[1].slice(1, -1) : hostPort[1];
    let port = defaultPort ?? DEFAULT_PORTS[scheme] ?? 80;
    if (hostPort[2] !== undefined && hostPort[2] !== '') {
      port = Number(hostPort[2]);
      if (port > 65535)
        throw invalidArgValue('uri', `Its port is out of range. Received ${JSON.stringify(text)}`);
    }
    return new URI(scheme, netloc, host, port, m[3] === '' ? '/' : m[3], m[4] ?? '', m[5] ?? '');
  }

  /** The request target sent to the server: path and query (Twisted's `originForm`). */
  get originForm(): string {
    return this.query === '' ? this.path : `${this.path}?${this.query}`;
  }

  /** The URI as text (Twisted's `toBytes`). */
  toString(): string {
    return `${this.scheme}://${this.netloc}${this.originForm}${this.fragment === '' ? '' : `#${this.fragment}`}`;
  }
}

/**
 * `location` resolved against `base` (Twisted's `_urljoin`): a relative redirect becomes
 * absolute; the base's fragment is kept when the location has none (RFC 9110 10.2.2).
 */
export function urljoin(base: string, location: string): string {
  const resolved = new URL(location, base);
  const baseFragment = base.indexOf('#');
  if (resolved.hash === '' && baseFragment !== -1 && !location.includes('#')) {
    resolved.hash = base.slice(baseFragment + 1);
  }
  return resolved.toString();
}
