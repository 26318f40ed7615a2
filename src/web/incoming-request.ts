/**
 * `IncomingRequest`: what a client asked — method, target, protocol, headers, cookies, query and
 * form arguments, body, addresses and authorization — over node:http's `IncomingMessage`. It is
 * the first half of Twisted's `http.Request`; `HTTPRequest` adds the response.
 *
 * @module
 */
import type { IncomingMessage } from 'node:http';
import type { ITransport, StreamAddress } from '../interfaces.ts';
import {
  type BytesLike,
  byteStringToBuffer,
  byteStringToText,
  parseQueryString,
  toByteString,
} from './bytes.ts';
import { parseCookies } from './cookies.ts';
import { Headers } from './headers.ts';
import type { RequestChannel } from './request-channel.ts';
import { RequestContent } from './request-content.ts';
import * as urls from './request-urls.ts';
import type { Site } from './site.ts';

/**
 * The request half of Twisted's `http.Request` (`HTTPRequest` extends it with the response):
 * what the client sent, as node:http parsed it.
 *
 * Values Twisted keeps as `bytes` are Buffers here (`args` values, `getRawHeaders` values);
 * `method`, `uri`, `path` and `clientproto` are strings.
 */
export class IncomingRequest {
  /** The method, as sent (`'GET'`). */
  method: string;
  /** The request target as sent, query included (`'/a/b%20c?x=1'`). */
  readonly uri: string;
  /** The encoded path of `uri`, without the query (`'/a/b%20c'`). */
  readonly path: string;
  /** The protocol version, `'HTTP/1.1'` or `'HTTP/1.0'`. */
  readonly clientproto: string;
  /** The request body (Twisted's `content`): `read()`, `seek(0)`, `tell()`. */
  content: RequestContent;
  /** The site that serves the request. */
  site: Site;
  /** The connection the request came on. */
  readonly channel: RequestChannel;
  /** The client's address (`getClientAddress()`). */
  readonly client: StreamAddress;
  /** The server's address (`getHost()`), changed by `setHost`. */
  host: StreamAddress;

  readonly #req: IncomingMessage;
  #args: Record<string, Buffer[]> | undefined = undefined;
  #query: string;
  #requestHeaders: Headers | undefined = undefined;
  #cookies: Map<string, string> | undefined = undefined;
  #forceSSL = false;
  #auth: [string, string] | undefined = undefined;

  /** Made by `HTTPRequest`'s constructor. */
  constructor(channel: RequestChannel, req: IncomingMessage) {
    this.channel = channel;
    this.site = channel.site;
    this.client = channel.getPeer();
    this.host = channel.getHost();
    this.#req = req;
    this.method = req.method ?? 'GET';
    this.uri = req.url ?? '/';
    this.clientproto = `HTTP/${req.httpVersion}`;
    const target = urls.originForm(this.uri);
    const q = target.indexOf('?');
    this.path = q === -1 ? target : target.slice(0, q);
    this.#query = q === -1 ? '' : target.slice(q + 1);
    this.content = new RequestContent();
  }

  /** Node's `IncomingMessage` under this request (an escape hatch). */
  get nodeRequest(): IncomingMessage {
    return this.#req;
  }

  /** The connection's transport (Twisted's `request.transport`). */
  get transport(): ITransport | undefined {
    return this.channel.transport;
  }

  /**
   * The query and form arguments: names (UTF-8 text) to lists of values (Buffers). Form values
   * of a POST (urlencoded or multipart) replace query values of the same name, as in Twisted.
   */
  get args(): Record<string, Buffer[]> {
    return (this.#args ??= parseQueryString(this.#query));
  }

  /** Replaces the arguments (as Twisted code assigns `request.args`). */
  set args(value: Record<string, Buffer[]>) {
    this.#args = value;
  }

  /** The request's headers. */
  get requestHeaders(): Headers {
    return (this.#requestHeaders ??= Headers.fromNodeRawHeaders(this.#req.rawHeaders));
  }

  /** The cookies the client sent, name → value (Twisted's `received_cookies`). */
  get received_cookies(): Record<string, Buffer> {
    const out: Record<string, Buffer> = Object.create(null);
    for (const [k, v] of this.#receivedCookies()) out[byteStringToText(k)] = byteStringToBuffer(v);
    return out;
  }

  /** The last value of the request header `key` (same type as `key`), or `undefined`. */
  getHeader(key: string): string | undefined;
  getHeader(key: Uint8Array): Buffer | undefined;
  getHeader(key: BytesLike): string | Buffer | undefined {
    const value = this.requestHeaders.lastByteString(toByteString(key, 'key').toLowerCase());
    if (value === undefined) return undefined;
    return typeof key === 'string' ? byteStringToText(value) : byteStringToBuffer(value);
  }

  /** Every request header's last value, by lower-case name (Twisted's `getAllHeaders`). */
  getAllHeaders(): Record<string, Buffer> {
    const out: Record<string, Buffer> = Object.create(null);
    for (const [name, values] of this.requestHeaders.getAllRawHeaders()) {
      out[name.toString('latin1').toLowerCase()] = values[values.length - 1];
    }
    return out;
  }

  /** The value of the cookie `name` the client sent (same type as `name`), or `undefined`. */
  getCookie(name: string): string | undefined;
  getCookie(name: Uint8Array): Buffer | undefined;
  getCookie(name: BytesLike): string | Buffer | undefined {
    const value = this.#receivedCookies().get(toByteString(name, 'name'));
    if (value === undefined) return undefined;
    return typeof name === 'string' ? byteStringToText(value) : byteStringToBuffer(value);
  }

  /** Whether the request came over TLS (or `setHost(…, ssl = true)` said so). */
  isSecure(): boolean {
    return this.#forceSSL || this.channel.isSecure();
  }

  /** The client's address. */
  getClientAddress(): StreamAddress {
    return this.client;
  }

  /** The server's address (as `setHost` may have changed it). */
  getHost(): StreamAddress {
    return this.host;
  }

  /** The host name the client asked for (the `Host` header without its port), else the server's address. */
  getRequestHostname(): string {
    return urls.requestHostname(this);
  }

  /**
   * Makes the request believe it was made to `host:port` (over TLS when `ssl`), for a server
   * behind a proxy (Twisted's `setHost`).
   */
  setHost(host: BytesLike, port: number, ssl = false): void {
    this.#forceSSL = ssl;
    this.host = urls.setHost(this, toByteString(host, 'host'), port);
  }

  /** The user name of the request's Basic authorization, or `''`. */
  getUser(): string {
    return (this.#auth ??= urls.basicAuth(this.getHeader('authorization')))[0];
  }

  /** The password of the request's Basic authorization, or `''`. */
  getPassword(): string {
    return (this.#auth ??= urls.basicAuth(this.getHeader('authorization')))[1];
  }

  /** Closes the connection the request came on, once what was written has been sent. */
  loseConnection(): void {
    this.channel.loseConnection();
  }

  /** `<Request at … method=GET uri=/ clientproto=HTTP/1.1>`, as Twisted's repr. */
  toString(): string {
    return `<${this.constructor.name} method=${this.method} uri=${this.uri} clientproto=${this.clientproto}>`;
  }

  #receivedCookies(): Map<string, string> {
    return (this.#cookies ??= parseCookies(this.requestHeaders.byteStrings('cookie')));
  }
}
