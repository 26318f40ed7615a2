/**
 * `HTTPRequest` (Twisted's `twisted.web.http.Request`): one HTTP request and its response, over
 * the `IncomingMessage` and `ServerResponse` that node:http parsed and frames. What was asked
 * (method, target, headers, arguments, body) is `IncomingRequest`'s; this file builds the
 * response (status, headers, cookies, `write`, `finish`, producers, `notifyFinish`). `Request`
 * adds the resource tree.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Deferred } from '../defer/deferred.ts';
import { RequestStateError } from '../errors/web.ts';
import type { Failure } from '../failure.ts';
import type { IPullProducer, IPushProducer } from '../interfaces.ts';
import { Logger } from '../logger/logger.ts';
import { type BytesLike, toBuffer } from './bytes.ts';
import { CACHED, checkETag, checkLastModified } from './conditional.ts';
import { type CookieOptions, formatCookie } from './cookies.ts';
import { Headers } from './headers.ts';
import { IncomingRequest } from './incoming-request.ts';
import { connectionLostReason, type RequestChannel } from './request-channel.ts';
import { receiveRequest } from './request-received.ts';
import { processingFailed } from './request-render.ts';
import { NO_BODY_CODES, statusPhrase, writeResponseHead } from './response-head.ts';
import { ResponseProducer } from './response-producer.ts';

export type { RequestChannel } from './request-channel.ts';

const EMPTY = Buffer.alloc(0);

/** The request's life: headers not sent, headers sent, finished, or the client gone first. */
type RequestState = 'pending' | 'writing' | 'finished' | 'disconnected';

/**
 * An HTTP request and its response (Twisted's `http.Request`): what was asked comes from
 * `IncomingRequest`, the response being built is here; a `Site` makes `Request`s, the subclass
 * that walks the resource tree.
 */
export class HTTPRequest extends IncomingRequest {
  /** The `Content-Type` sent when a response sets none (Twisted's default `text/html`); `undefined` sends none. */
  defaultContentType: string | undefined = 'text/html';
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
  /** The producer registered with `registerProducer`, if any. */
  producer: IPushProducer | IPullProducer | undefined = undefined;

  readonly #res: ServerResponse;
  #state: RequestState = 'pending';
  #headersSent = false;
  #notifications: Deferred<void>[] | undefined = undefined;
  #producer: ResponseProducer | undefined = undefined;
  #lostReason: Failure | undefined = undefined;

  /** A logger for what happens while serving requests. */
  static readonly log = new Logger('twisted-ts.web.Request');

  /**
   * Made by the `Site` for each request (`site.requestFactory`); subclasses pass the arguments
   * on unchanged.
   */
  constructor(channel: RequestChannel, req: IncomingMessage, res: ServerResponse) {
    super(channel, req);
    this.#res = res;
  }

  /** Node's `ServerResponse` under this request (an escape hatch: writing to it bypasses the request's bookkeeping). */
  get nodeResponse(): ServerResponse {
    return this.#res;
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
    receiveRequest(this, HTTPRequest.log);
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
    this.code_message = statusPhrase(code, message);
    this.code = code;
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

  /**
   * The reason a connection that closed before the response finished gives its requests.
   *
   * @internal
   */
  static lostReason(socketError: Error | undefined): Failure {
    return connectionLostReason(socketError);
  }

  #writeHead(): void {
    this.#state = 'writing';
    this.#headersSent = true;
    writeResponseHead(this, this.#res, HTTPRequest.log);
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
