/**
 * The interfaces of the web client (Twisted's `twisted.web.iweb`): what an agent, a response, a
 * request body producer and an HTTPS policy promise.
 *
 * @module
 */
import type { Deferred } from '../defer/deferred.ts';
import type { Failure } from '../failure.ts';
import type { IConsumer, ITLSContextFactory } from '../interfaces.ts';
import type { BytesLike } from './bytes.ts';
import type { Headers } from './headers.ts';

/**
 * The length of a body that is not known in advance (Twisted's `iweb.UNKNOWN_LENGTH`): a
 * response without `Content-Length`, a request body sent chunked. The same value in every copy
 * of the package.
 */
export const UNKNOWN_LENGTH: unique symbol = Symbol.for('twisted-ts.web.UNKNOWN_LENGTH');

/**
 * Produces a request body (Twisted's `IBodyProducer`): `length` is sent as `Content-Length`
 * when known; otherwise the body is sent chunked.
 */
export interface IBodyProducer {
  /** The body's length in bytes, or `UNKNOWN_LENGTH`. */
  readonly length: number | typeof UNKNOWN_LENGTH;
  /**
   * Writes the body to `consumer`; the Deferred fires when all of it was written, or fails when
   * it cannot be produced.
   */
  startProducing(consumer: IConsumer): Deferred<unknown> | PromiseLike<unknown>;
  /** Stops writing until `resumeProducing` (the connection's buffer is full). */
  pauseProducing(): void;
  /** Writes again after `pauseProducing`. */
  resumeProducing(): void;
  /** Stops for good (the request was cancelled or failed); the Deferred need not fire. */
  stopProducing(): void;
}

/** What `deliverBody` gives its protocol as `transport`: flow control for the body. */
export interface IBodyTransport {
  /** Stops reading the body until `resumeProducing`. */
  pauseProducing(): void;
  /** Reads the body again. */
  resumeProducing(): void;
  /** Stops the body for good: the connection is closed. */
  stopProducing(): void;
  /** Closes the connection at once (what cancelling `readBody` does). */
  abortConnection(): void;
  /** Closes the connection (the body is not read further). */
  loseConnection(): void;
}

/**
 * What `deliverBody` delivers a response body to (Twisted's `IProtocol`, as a `Protocol`
 * subclass is): `makeConnection` first, then each chunk, then `connectionLost` with
 * `ResponseDone` (whole), `PotentialDataLoss` (no length to check) or `ResponseFailed`.
 */
export interface IBodyProtocol {
  /** Called first, with the body's flow control. */
  makeConnection(transport: IBodyTransport): unknown;
  /** Each chunk of the body. */
  dataReceived(data: Buffer): unknown;
  /** The body ended; `reason.value` says how. */
  connectionLost(reason: Failure): unknown;
}

/** An HTTP response (Twisted's `IResponse`). */
export interface IResponse {
  /** `['HTTP', 1, 1]`. */
  readonly version: readonly [string, number, number];
  /** The status code. */
  readonly code: number;
  /** The status phrase (text). */
  readonly phrase: string;
  /** The response headers. */
  readonly headers: Headers;
  /** The body's length, or `UNKNOWN_LENGTH`. */
  readonly length: number | typeof UNKNOWN_LENGTH;
  /** The response that redirected to this one, when a `RedirectAgent` followed it. */
  readonly previousResponse: IResponse | undefined;
  /** Delivers the body to `protocol` (once). */
  deliverBody(protocol: IBodyProtocol): void;
  /** Records the response that redirected to this one. */
  setPreviousResponse(response: IResponse): void;
}

/** Something that makes HTTP requests (Twisted's `IAgent`): `Agent` and the agents wrapping one. */
export interface IAgent {
  /**
   * Requests `uri` with `method`; the Deferred fires with the response once its status and
   * headers have arrived.
   */
  request(
    method: BytesLike,
    uri: BytesLike,
    headers?: Headers,
    bodyProducer?: IBodyProducer,
  ): Deferred<IResponse>;
}

/** Chooses the TLS settings for an HTTPS host (Twisted's `IPolicyForHTTPS`). */
export interface IPolicyForHTTPS {
  /** The TLS settings to connect to `hostname`:`port` with (Twisted's `creatorForNetloc`). */
  creatorForNetloc(hostname: string, port: number): ITLSContextFactory;
}
