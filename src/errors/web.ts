/**
 * The errors of `twisted.web` (server and client), with Twisted's names and hierarchy where
 * JavaScript's single inheritance allows:
 *
 * - `UnsupportedMethod`: a resource does not render the request's method (`render` throws it).
 * - `WebError` (Twisted's `twisted.web.error.Error`) ← `PageRedirect`, `InfiniteRedirection`,
 *   `RedirectWithNoLocation`, `PartialDownloadError`.
 * - `SchemeNotSupported`: an `Agent` was given a URI it cannot connect to.
 * - `ResponseDone` and `PotentialDataLoss`: the reasons a response body protocol's
 *   `connectionLost` receives when the body ended (cleanly, or with no way to tell).
 * - `ResponseFailed` ← `ResponseNeverReceived`, and `RequestGenerationFailed`,
 *   `RequestTransmissionFailed`: Twisted's wrapper exceptions, holding the `Failure`s that caused
 *   them in `reasons`.
 * - `RequestStateError`: a `Request` was used in a state that forbids it (Twisted's
 *   `RuntimeError`s: a write after `finish()`, a `finish()` after the connection was lost, a
 *   second producer).
 *
 * @module
 */
import { STATUS_CODES } from 'node:http';
import type { Failure } from '../failure.ts';
import { TwistedError } from './base.ts';

/**
 * A resource cannot render the request's method (Twisted's `twisted.web.error.UnsupportedMethod`):
 * `Resource.render` throws it, and the `Request` answers 405 with an `Allow` header listing
 * `allowedMethods`.
 */
export class UnsupportedMethod extends TwistedError {
  override readonly code = 'ERR_UNSUPPORTED_METHOD';
  /** The methods the resource does render (`['GET', 'HEAD']`). */
  readonly allowedMethods: readonly string[];
  constructor(allowedMethods: readonly string[], message?: string) {
    super(message ?? `Expected one of ${JSON.stringify(allowedMethods)}`);
    this.allowedMethods = allowedMethods;
  }
}

/**
 * An HTTP error (Twisted's `twisted.web.error.Error`): `status` is the status code, `message`
 * its phrase unless another was given, `response` the body when there is one.
 */
export class WebError extends TwistedError {
  override readonly code: string = 'ERR_WEB';
  /** The HTTP status code. */
  readonly status: number;
  /** The response body that came with the error, when there is one. */
  readonly response: Buffer | undefined;
  constructor(status: number, message?: string, response?: Buffer) {
    super(`${status} ${message ?? STATUS_CODES[status] ?? 'Unknown Status'}`);
    this.status = status;
    this.response = response;
  }
}

/**
 * A redirect a `RedirectAgent` will not follow (Twisted's `error.PageRedirect`): a 301, 302, 307
 * or 308 answered to a method other than GET or HEAD.
 */
export class PageRedirect extends WebError {
  override readonly code = 'ERR_PAGE_REDIRECT';
  /** The URI the redirect was answered for. */
  readonly location: string | undefined;
  constructor(status: number, message?: string, response?: Buffer, location?: string) {
    super(status, message, response);
    this.location = location;
  }
}

/** A `RedirectAgent` followed `redirectLimit` redirects and was sent on again (Twisted's `error.InfiniteRedirection`). */
export class InfiniteRedirection extends WebError {
  override readonly code = 'ERR_INFINITE_REDIRECTION';
  /** The URI of the last request. */
  readonly location: string | undefined;
  constructor(status: number, message?: string, response?: Buffer, location?: string) {
    super(status, message, response);
    this.location = location;
  }
}

/** A redirect response had no `Location` header (Twisted's `error.RedirectWithNoLocation`). */
export class RedirectWithNoLocation extends WebError {
  override readonly code = 'ERR_REDIRECT_WITH_NO_LOCATION';
  /** The URI of the request that was redirected. */
  readonly uri: string;
  constructor(status: number, message: string | undefined, uri: string) {
    super(status, message);
    this.uri = uri;
  }
}

/**
 * `readBody` could not tell whether it has the whole body (Twisted's
 * `client.PartialDownloadError`): the response had neither a `Content-Length` nor chunked
 * framing, so the end of the connection ended it. `response` holds what was received.
 */
export class PartialDownloadError extends WebError {
  override readonly code = 'ERR_PARTIAL_DOWNLOAD';
  /** The body received before the connection closed. */
  declare readonly response: Buffer;
  constructor(status: number, message: string | undefined, response: Buffer) {
    super(status, message, response);
  }
}

/** An `Agent` was asked for a URI whose scheme it cannot speak (Twisted's `error.SchemeNotSupported`). */
export class SchemeNotSupported extends TwistedError {
  override readonly code = 'ERR_SCHEME_NOT_SUPPORTED';
}

/** The whole response body was delivered (Twisted's `ResponseDone`): the clean `connectionLost` reason of `deliverBody`. */
export class ResponseDone extends TwistedError {
  override readonly code = 'ERR_RESPONSE_DONE';
  constructor(message = 'Response body fully received') {
    super(message);
  }
}

/**
 * The response body ended with the connection and had no length to check it against
 * (Twisted's `http.PotentialDataLoss`): it may or may not be whole.
 */
export class PotentialDataLoss extends TwistedError {
  override readonly code = 'ERR_POTENTIAL_DATA_LOSS';
  constructor(message = 'The response body ended with the connection: it may be incomplete') {
    super(message);
  }
}

function describeReasons(what: string, reasons: readonly Failure[]): string {
  if (!Array.isArray(reasons)) return typeof reasons === 'string' ? reasons : what;
  const texts = reasons.map((f) => `${f.value?.name}: ${f.value?.message}`);
  return texts.length === 0 ? what : `${what}: ${texts.join('; ')}`;
}

/**
 * A response could not be received whole (Twisted's `_newclient.ResponseFailed`): `reasons`
 * holds the `Failure`s that caused it (a lost connection, a parse error), `response` the
 * `Response` when its head had arrived.
 */
export class ResponseFailed extends TwistedError {
  override readonly code: string = 'ERR_RESPONSE_FAILED';
  /** What went wrong, as `Failure`s. */
  readonly reasons: readonly Failure[];
  /** The response, when its status and headers had arrived. */
  readonly response: unknown;
  constructor(reasons: readonly Failure[], response?: unknown, message?: string) {
    super(message ?? describeReasons('The response failed', reasons), {
      cause: Array.isArray(reasons) ? reasons[0]?.value : undefined,
    });
    this.reasons = Array.isArray(reasons) ? reasons : [];
    this.response = response;
  }
}

/**
 * No response arrived at all (Twisted's `_newclient.ResponseNeverReceived`): the connection
 * closed, reset or failed its TLS handshake or certificate check before the status line.
 * `reasons` holds the causes (a `TLSError` for a failed verification).
 */
export class ResponseNeverReceived extends ResponseFailed {
  override readonly code = 'ERR_RESPONSE_NEVER_RECEIVED';
  constructor(reasons: readonly Failure[]) {
    super(reasons, undefined, describeReasons('No response was received', reasons));
  }
}

/** The request could not be built: its body producer failed (Twisted's `RequestGenerationFailed`). */
export class RequestGenerationFailed extends TwistedError {
  override readonly code = 'ERR_REQUEST_GENERATION_FAILED';
  /** What went wrong, as `Failure`s. */
  readonly reasons: readonly Failure[];
  constructor(reasons: readonly Failure[]) {
    super(describeReasons('The request could not be generated', reasons), {
      cause: Array.isArray(reasons) ? reasons[0]?.value : undefined,
    });
    this.reasons = Array.isArray(reasons) ? reasons : [];
  }
}

/** The request could not be sent: the connection failed while writing it (Twisted's `RequestTransmissionFailed`). */
export class RequestTransmissionFailed extends TwistedError {
  override readonly code = 'ERR_REQUEST_TRANSMISSION_FAILED';
  /** What went wrong, as `Failure`s. */
  readonly reasons: readonly Failure[];
  constructor(reasons: readonly Failure[]) {
    super(describeReasons('The request could not be sent', reasons), {
      cause: Array.isArray(reasons) ? reasons[0]?.value : undefined,
    });
    this.reasons = Array.isArray(reasons) ? reasons : [];
  }
}

/**
 * A server `Request` was used in a state that forbids it, where Twisted raises `RuntimeError`
 * or `ValueError`: `write` after `finish()`, `finish()` after the client went away (watch
 * `notifyFinish()` instead), a producer registered over another.
 */
export class RequestStateError extends TwistedError {
  override readonly code = 'ERR_REQUEST_STATE';
}
