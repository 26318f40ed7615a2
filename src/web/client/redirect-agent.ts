/**
 * `RedirectAgent` and `BrowserLikeRedirectAgent` (Twisted's): agents that follow redirects.
 *
 * @module
 */
import type { Deferred } from '../../defer/deferred.ts';
import {
  InfiniteRedirection,
  PageRedirect,
  RedirectWithNoLocation,
  ResponseFailed,
} from '../../errors/web.ts';
import { Failure } from '../../failure.ts';
import { invalidArgType, validateInteger } from '../../validate.ts';
import { type BytesLike, byteStringToText, toByteString } from '../bytes.ts';
import { Headers } from '../headers.ts';
import type { IAgent, IBodyProducer, IResponse } from '../iweb.ts';
import { URI, urljoin } from './uri.ts';

// Headers that must not follow a redirect to another origin (Twisted's _defaultSensitiveHeaders).
const SENSITIVE = ['authorization', 'cookie', 'cookie2', 'proxy-authorization', 'www-authenticate'];

/**
 * Follows redirects for the agent it wraps: 301, 302, 307 and 308 for GET and HEAD (other
 * methods fail with `ResponseFailed` holding a `PageRedirect`), 303 for any method as a GET.
 * More than `redirectLimit` redirects fail with `InfiniteRedirection`; a redirect without
 * `Location` with `RedirectWithNoLocation`. Credentials and cookies are dropped when a redirect
 * leaves the origin. Each response's `previousResponse` is the redirect that led to it (its
 * body is read and dropped, which frees its connection).
 *
 * @example
 * const agent = new RedirectAgent(new Agent(reactor));
 */
export class RedirectAgent implements IAgent {
  /** Codes redirected for GET and HEAD only (Twisted's `_redirectResponses`). */
  protected redirectResponses: readonly number[] = [301, 302, 307, 308];
  /** Codes redirected for any method, which becomes GET (Twisted's `_seeOtherResponses`). */
  protected seeOtherResponses: readonly number[] = [303];
  readonly #agent: IAgent;
  readonly #limit: number;
  readonly #sensitive: Set<string>;

  /**
   * @param agent - the agent to make the requests.
   * @param redirectLimit - the most redirects followed (20).
   * @param sensitiveHeaderNames - more headers to drop on a cross-origin redirect.
   */
  constructor(agent: IAgent, redirectLimit = 20, sensitiveHeaderNames: readonly BytesLike[] = []) {
    if (agent === null || typeof agent !== 'object' || typeof agent.request !== 'function') {
      throw invalidArgType('agent', 'an agent (with request)', agent);
    }
    validateInteger(redirectLimit, 'redirectLimit', 0);
    this.#agent = agent;
    this.#limit = redirectLimit;
    this.#sensitive = new Set([
      ...SENSITIVE,
      ...sensitiveHeaderNames.map((n) => toByteString(n, 'sensitiveHeaderNames').toLowerCase()),
    ]);
  }

  /** Requests `uri`, following redirects. */
  request(
    method: BytesLike,
    uri: BytesLike,
    headers?: Headers,
    bodyProducer?: IBodyProducer,
  ): Deferred<IResponse> {
    const verb = toByteString(method, 'method');
    const target = byteStringToText(toByteString(uri, 'uri'));
    return this.#agent
      .request(verb, target, headers, bodyProducer)
      .addCallback((response: IResponse) =>
        this.#handle(response, verb, target, headers, 0),
      ) as Deferred<IResponse>;
  }

  #handle(
    response: IResponse,
    method: string,
    uri: string,
    headers: Headers | undefined,
    count: number,
  ): IResponse | Deferred<IResponse> {
    if (this.redirectResponses.includes(response.code)) {
      if (method !== 'GET' && method !== 'HEAD') {
        throw new ResponseFailed(
          [new Failure(new PageRedirect(response.code, undefined, undefined, uri))],
          response,
        );
      }
      return this.#redirect(response, method, uri, headers, count);
    }
    if (this.seeOtherResponses.includes(response.code))
      return this.#redirect(response, 'GET', uri, headers, count);
    return response;
  }

  #redirect(
    response: IResponse,
    method: string,
    uri: string,
    headers: Headers | undefined,
    count: number,
  ): Deferred<IResponse> {
    if (count >= this.#limit) {
      throw new ResponseFailed(
        [
          new Failure(
            new InfiniteRedirection(response.code, 'Infinite redirection detected', undefined, uri),
          ),
        ],
        response,
      );
    }
    const locations = response.headers.getRawHeaders('location');
    if (locations === undefined) {
      throw new ResponseFailed(
        [new Failure(new RedirectWithNoLocation(response.code, 'No location header field', uri))],
        response,
      );
    }
    const location = urljoin(uri, locations[0].toString('latin1'));
    // The redirect's own body is read and dropped, so that its connection is free again.
    response.deliverBody({ makeConnection() {}, dataReceived() {}, connectionLost() {} });
    let next = headers;
    if (headers !== undefined) {
      const from = URI.fromBytes(uri);
      const to = URI.fromBytes(location);
      if (from.scheme !== to.scheme || from.host !== to.host || from.port !== to.port) {
        next = new Headers();
        for (const [name, values] of headers.getAllRawHeaders()) {
          if (!this.#sensitive.has(name.toString('latin1').toLowerCase())) next.setRawHeaders(name, values);
        }
      }
    }
    return this.#agent.request(method, location, next).addCallback((nextResponse: IResponse) => {
      nextResponse.setPreviousResponse(response);
      return this.#handle(nextResponse, method, location, next, count + 1);
    }) as Deferred<IResponse>;
  }
}

/**
 * A `RedirectAgent` that redirects as browsers do: 301, 302, 303 and 308 for any method, as a
 * GET; only 307 keeps the method (and is refused for methods other than GET and HEAD).
 */
export class BrowserLikeRedirectAgent extends RedirectAgent {
  protected override redirectResponses: readonly number[] = [307];
  protected override seeOtherResponses: readonly number[] = [301, 302, 303, 308];
}
