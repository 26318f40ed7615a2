/**
 * `HTTPRequest` (Twisted's `twisted.web.http.Request`): one HTTP request and its response, over
 * the `IncomingMessage` and `ServerResponse` that node:http parsed and frames — what was asked
 * (method, target, headers, arguments, body) and the response being built (status, headers,
 * cookies, `write`, `finish`, producers, `notifyFinish`). `Request` adds the resource tree.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import { Deferred } from '../defer/deferred.ts';
import { ConnectionDone, ConnectionLost } from '../errors/stream.ts';
import { RequestStateError } from '../errors/web.ts';
import { Failure } from '../failure.ts';
import type { IPullProducer, IPushProducer, ITransport, StreamAddress } from '../interfaces.ts';
import { Logger } from '../logger/logger.ts';
import { invalidArgValue, validateInteger } from '../validate.ts';
import {
  type BytesLike,
  byteStringToBuffer,
  byteStringToText,
  parseQueryString,
  toBuffer,
  toByteString,
} from './bytes.ts';
import { CACHED, checkETag, checkLastModified } from './conditional.ts';
import { type CookieOptions, formatCookie, parseCookies } from './cookies.ts';
import { MalformedFormError, parseForm } from './form.ts';
import { Headers } from './headers.ts';
import { datetimeToString } from './http-date.ts';
import { RequestContent } from './request-content.ts';
import { processingFailed } from './request-render.ts';
import * as urls from './request-urls.ts';
import { ResponseProducer } from './response-producer.ts';
import type { Site } from './site.ts';

/** What a request needs from the connection it came on (the `HTTPChannel`). */
export interface RequestChannel {
  /** The site serving the connection. */
  readonly site: Site;
  /** The connection's transport, when it has one (a `Site` connection always does). */
  readonly transport: ITransport | undefined;
  /** The client's address. */
  getPeer(): StreamAddress;
  /** The server's address. */
  getHost(): StreamAddress;
  /** Whether the connection is TLS. */
  isSecure(): boolean;
  /** Closes the connection once what was written has been sent. */
  loseConnection(): void;
}

const NO_BODY_CODES = new Set([204, 304]);
const EMPTY = Buffer.alloc(0);

const BAD_REASON = /[^\t\x20-\x7e\x80-\xff]/;

/** The request's life: headers not sent, headers sent, finished, or the client gone first. */
type RequestState = 'pending' | 'writing' | 'finished' | 'disconnected';

/**
 * An HTTP request and its response (Twisted's `http.Request`); a `Site` makes `Request`s, the
 * subclass that walks the resource tree.
 *
 * Values Twisted keeps as `bytes` are Buffers here (`args` values, `getRawHeaders` values);
 * `method`, `uri`, `path` and `clientproto` are strings.
 */
export class HTTPRequest {
  /** The `Content-Type` sent when a response sets none (Twisted's default `text/html`); `undefined` sends none. */
  defaultContentType: string | undefined = 'text/html';
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
  /** The headers to send with the response. */
  readonly responseHeaders: Headers = new Headers();
  /** The `Set-Cookie` values to send, as `addCookie` built them. */
  readonly cookies: string[] = [];
  /** The response status code. */
  code = 200;
  /** The response status phrase. */
  code_message = 'OK';
  /** How many body bytes were written (the access log's length). */
  sentLength = 0;
  /** The `ETag` to send (set by `setETag`). */
  etag: string | undefined = undefined;
  /** The `Last-Modified` time to send, in seconds (set by `setLastModified`). */
  lastModified: number | undefined = undefined;
  /** The site that serves the request. */
  site: Site;
  /** The connection the request came on. */
  readonly channel: RequestChannel;
  /** The client's address (`getClientAddress()`). */
  readonly client: StreamAddress;
  /** The server's address (`getHost()`), changed by `setHost`. */
  host: StreamAddress;
  /** The producer registered with `registerProducer`, if any. */
  producer: IPushProducer | IPullProducer | undefined = undefined;

  readonly #req: IncomingMessage;
  readonly #res: ServerResponse;
  #state: RequestState = 'pending';
  #headersSent = false;
  #args: Record<string, Buffer[]> | undefined = undefined;
  #query: string;
  #requestHeaders: Headers | undefined = undefined;
  #cookies: Map<string, string> | undefined = undefined;
  #notifications: Deferred<void>[] | undefined = undefined;
  #producer: ResponseProducer | undefined = undefined;
  #lostReason: Failure | undefined = undefined;
  #forceSSL = false;
  #auth: [string, string] | undefined = undefined;

  /** A logger for what happens while serving requests. */
  static readonly log = new Logger('twisted-ts.web.Request');

  /**
   * Made by the `Site` for each request (`site.requestFactory`); subclasses pass the arguments
   * on unchanged.
   */
  constructor(channel: RequestChannel, req: IncomingMessage, res: ServerResponse) {
    this.channel = channel;
    this.site = channel.site;
    this.client = channel.getPeer();
    this.host = channel.getHost();
    this.#req = req;
    this.#res = res;
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

  /** Node's `ServerResponse` under this request (an escape hatch: writing to it bypasses the request's bookkeeping). */
  get nodeResponse(): ServerResponse {
    return this.#res;
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

  /** Whether headers (and perhaps body) have been written (Twisted's `startedWriting`). */
  get startedWriting(): boolean {
    return this.#headersSent;
  }

  /** Whether `finish()` was called. */
  get finished(): boolean {
    return this.#state === 'finished';
  }

  /** Whether the client went away before the response finished (Twisted's `_disconnected`). */
  get disconnected(): boolean {
    return this.#state === 'disconnected';
  }

  /**
   * The whole body has arrived: parses a POST form into `args`, then processes the request.
   *
   * @internal Called by the channel.
   */
  requestReceived(): void {
    const contentType = this.#req.headers['content-type'];
    if (this.method === 'POST' && contentType !== undefined && this.content.length > 0) {
      let form;
      try {
        form = parseForm(contentType, this.content);
      } catch (err) {
        return this.#badRequest(err);
      }
      if (form instanceof Promise) {
        form.then(
          (values) => {
            if (this.#state === 'disconnected') return;
            this.#mergeForm(values);
            this.process();
          },
          (err: unknown) => this.#badRequest(err),
        );
        return;
      }
      if (form !== undefined) this.#mergeForm(form);
    }
    this.process();
  }

  /**
   * Handles the request once its body has arrived. Override in subclasses: `Request` finds and
   * renders the resource (Twisted's `http.Request.process` does nothing either).
   */
  process(): void {}

  /**
   * Answers 500 after a failure while rendering, logging it; the page shows the error only when
   * `site.displayTracebacks` is set. When the response had already begun, the connection is
   * dropped instead, so the client sees it cut short.
   */
  processingFailed(reason: Failure): Failure {
    return processingFailed(this, reason);
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

  /** Sets a response header, replacing its values. */
  setHeader(name: BytesLike, value: BytesLike): void {
    this.responseHeaders.setRawHeaders(name, [value]);
  }

  /**
   * Sets the response status (and phrase; by default the standard one).
   *
   * @throws RangeError when `code` is not an integer from 100 to 999; TypeError when `message`
   *   holds a control character.
   */
  setResponseCode(code: number, message?: BytesLike): void {
    validateInteger(code, 'code', 100, 999);
    this.code = code;
    if (message !== undefined && message.length > 0) {
      const text = toByteString(message, 'message');
      if (BAD_REASON.test(text))
        throw invalidArgValue('message', 'A status phrase may not hold control characters');
      this.code_message = text;
    } else {
      this.code_message = STATUS_CODES[code] ?? 'Unknown Status';
    }
  }

  /** Answers 302 Found with `Location: url`; call `finish()` afterwards (or return `redirectTo`'s page). */
  redirect(url: BytesLike): void {
    this.setResponseCode(302);
    this.setHeader('location', url);
  }

  /**
   * Sets `Last-Modified` (seconds since the epoch; only ever moved later). For an
   * `If-Modified-Since` request the resource has not changed since, sets 304 and returns
   * `CACHED`: write no body then.
   */
  setLastModified(when: number): typeof CACHED | undefined {
    return checkLastModified(this, when);
  }

  /**
   * Sets `ETag`. For an `If-None-Match` request that matches, sets 304 (GET, HEAD) or 412 and
   * returns `CACHED`: write no body then.
   */
  setETag(etag: BytesLike): typeof CACHED | undefined {
    return checkETag(this, etag);
  }

  /**
   * Adds a `Set-Cookie` header. `;` and line breaks in any part become spaces.
   *
   * @throws TypeError for a `sameSite` other than `lax`, `strict` or `none`.
   */
  addCookie(name: BytesLike, value: BytesLike, options?: CookieOptions): void {
    this.cookies.push(formatCookie(name, value, options));
  }

  /** The value of the cookie `name` the client sent (same type as `name`), or `undefined`. */
  getCookie(name: string): string | undefined;
  getCookie(name: Uint8Array): Buffer | undefined;
  getCookie(name: BytesLike): string | Buffer | undefined {
    const value = this.#receivedCookies().get(toByteString(name, 'name'));
    if (value === undefined) return undefined;
    return typeof name === 'string' ? byteStringToText(value) : byteStringToBuffer(value);
  }

  /**
   * Writes part of the response body; the first call sends the status and headers. Ignored once
   * the client has gone away (`notifyFinish()` says when).
   *
   * @throws RequestStateError after `finish()`.
   */
  write(data: BytesLike): void {
    if (this.#state === 'finished') {
      throw new RequestStateError('Request.write called on a request after Request.finish was called.');
    }
    if (this.#state === 'disconnected') return;
    const chunk = toBuffer(data, 'data');
    if (!this.#headersSent) this.#writeHead();
    if (this.method === 'HEAD' || NO_BODY_CODES.has(this.code) || chunk.length === 0) return;
    this.sentLength += chunk.length;
    const hasRoom = this.#res.write(chunk);
    this.#producer?.wrote(hasRoom);
  }

  /**
   * Ends the response: sends what is left, logs the request, fires `notifyFinish()`'s Deferreds.
   * A second call only logs a warning, as in Twisted.
   *
   * @throws RequestStateError when the client went away first (watch `notifyFinish()`).
   */
  finish(): void {
    if (this.#state === 'disconnected') {
      throw new RequestStateError(
        'Request.finish called on a request after its connection was lost; use Request.notifyFinish to keep track of this.',
      );
    }
    if (this.#state === 'finished') {
      HTTPRequest.log.warn('Warning! request.finish called twice for {uri}.', { uri: this.uri });
      return;
    }
    if (!this.#headersSent) this.write(EMPTY);
    this.#res.end();
    this.#state = 'finished';
    this.site.log(this);
    this.#cleanup();
  }

  /**
   * Writes `body` and finishes, in one write when nothing was sent yet (what a render method's
   * return value becomes).
   *
   * @internal
   */
  finishWith(body: Buffer): void {
    const plain = this.write === HTTPRequest.prototype.write && this.finish === HTTPRequest.prototype.finish;
    if (!plain || this.#state !== 'pending') {
      this.write(body);
      this.finish();
      return;
    }
    this.#writeHead();
    const sendsBody = this.method !== 'HEAD' && !NO_BODY_CODES.has(this.code);
    if (sendsBody) this.sentLength += body.length;
    this.#res.end(sendsBody && body.length > 0 ? body : undefined);
    this.#state = 'finished';
    this.site.log(this);
    this.#cleanup();
  }

  /**
   * A Deferred that fires with `undefined` when the response is finished, or fails with a
   * `ConnectionDone`/`ConnectionLost` if the client goes away first.
   */
  notifyFinish(): Deferred<void> {
    const d = new Deferred<void>();
    if (this.#state === 'finished') d.callback(undefined);
    else if (this.#state === 'disconnected') d.errback(this.#lostReason);
    else (this.#notifications ??= []).push(d);
    return d;
  }

  /**
   * Feeds the response from `producer` (Twisted's `registerProducer`): `streaming` true for a
   * push producer (paused while Node's buffer is full), false for a pull producer (asked for a
   * chunk whenever there is room).
   *
   * @throws RequestStateError when a producer is already registered.
   */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.producer !== undefined) {
      throw new RequestStateError(
        `registering producer ${String(producer)} before previous one (${String(this.producer)}) was unregistered`,
      );
    }
    this.producer = producer;
    if (this.#state === 'disconnected') {
      (producer as IPushProducer).stopProducing();
      return;
    }
    this.#producer = new ResponseProducer(this.#res, producer, streaming, () => this.#res.destroy());
    this.#producer.start();
  }

  /** Stops taking data from the registered producer. */
  unregisterProducer(): void {
    this.#producer?.unregister();
    this.#producer = undefined;
    this.producer = undefined;
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

  /**
   * The connection closed before the response was finished: fails `notifyFinish()`'s
   * Deferreds with `reason` and stops a registered producer.
   *
   * @internal Called by the channel.
   */
  connectionLost(reason: Failure): void {
    if (this.#state === 'finished' || this.#state === 'disconnected') return;
    this.#state = 'disconnected';
    this.#lostReason = reason;
    this.content.close();
    const producer = this.#producer;
    this.#producer = undefined;
    producer?.stop();
    const waiting = this.#notifications ?? [];
    this.#notifications = undefined;
    for (const d of waiting) d.errback(reason);
  }

  /** `<Request at … method=GET uri=/ clientproto=HTTP/1.1>`, as Twisted's repr. */
  toString(): string {
    return `<${this.constructor.name} method=${this.method} uri=${this.uri} clientproto=${this.clientproto}>`;
  }

  /**
   * The reason a connection that closed before the response finished gives its requests.
   *
   * @internal
   */
  static lostReason(socketError: Error | undefined): Failure {
    return new Failure(
      socketError ? new ConnectionLost(undefined, { osError: socketError }) : new ConnectionDone(),
    );
  }

  #receivedCookies(): Map<string, string> {
    return (this.#cookies ??= parseCookies(this.requestHeaders.byteStrings('cookie')));
  }

  #mergeForm(form: Record<string, Buffer[]>): void {
    const args = this.args;
    for (const key of Object.keys(form)) args[key] = form[key];
  }

  #badRequest(err: unknown): void {
    if (!(err instanceof MalformedFormError)) {
      this.processingFailed(new Failure(err));
      return;
    }
    HTTPRequest.log.info('Bad request from {client}: {reason}', {
      client: String(this.client),
      reason: err.message,
    });
    this.#res.shouldKeepAlive = false;
    this.setResponseCode(400);
    this.setHeader('content-length', '0');
    this.setHeader('connection', 'close');
    this.finishWith(EMPTY);
  }

  #writeHead(): void {
    this.#state = 'writing';
    this.#headersSent = true;
    const headers = this.responseHeaders;
    const code = this.code;
    if (
      this.defaultContentType !== undefined &&
      !NO_BODY_CODES.has(code) &&
      !headers.hasHeader('content-type') &&
      headers.lastByteString('content-length') !== '0'
    ) {
      headers.setRawHeaders('content-type', [this.defaultContentType]);
    }
    if (this.lastModified !== undefined) {
      if (headers.hasHeader('last-modified')) {
        HTTPRequest.log.info(
          'Warning: last-modified specified both in header list and lastModified attribute.',
        );
      } else {
        headers.setRawHeaders('last-modified', [datetimeToString(this.lastModified)]);
      }
    }
    if (this.etag !== undefined) headers.setRawHeaders('etag', [this.etag]);
    const flat = headers.appendFlatTo([]);
    for (const cookie of this.cookies) flat.push('Set-Cookie', cookie);
    this.#res.writeHead(code, this.code_message, flat);
  }

  #cleanup(): void {
    if (this.#producer !== undefined) {
      HTTPRequest.log.failure(
        'Producer was not unregistered for {uri}',
        new RequestStateError(`Producer was not unregistered for ${this.uri}`),
        undefined,
        { uri: this.uri },
      );
      this.unregisterProducer();
    }
    this.content.close();
    const waiting = this.#notifications;
    this.#notifications = undefined;
    if (waiting !== undefined) for (const d of waiting) d.callback(undefined);
  }
}
