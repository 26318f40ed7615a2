/**
 * `Agent` (Twisted's `client.Agent`): an HTTP/1.1 client for `http:` and `https:` URIs. Requests
 * are framed and responses parsed by node:http (DESIGN.md decision 14); connections come from an
 * `HTTPConnectionPool`.
 *
 * @module
 */
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction, type Socket } from 'node:net';
import { Deferred } from '../../defer/deferred.ts';
import { fail } from '../../defer/shortcuts.ts';
import { TimeoutError } from '../../errors/stream.ts';
import { RequestGenerationFailed, RequestTransmissionFailed, SchemeNotSupported } from '../../errors/web.ts';
import { Failure } from '../../failure.ts';
import type { AddressTuple, IConsumer, IDelayedCall, IReactorTime } from '../../interfaces.ts';
import { reactor as globalReactor } from '../../reactor/index.ts';
import { checkStreamData } from '../../transports/tcp/stream-data.ts';
import { invalidArgType, invalidArgValue, validateNumber, validateObject } from '../../validate.ts';
import { type BytesLike, toByteString } from '../bytes.ts';
import { Headers } from '../headers.ts';
import {
  type IAgent,
  type IBodyProducer,
  type IPolicyForHTTPS,
  type IResponse,
  UNKNOWN_LENGTH,
} from '../iweb.ts';
import { connectFailure, neverReceived } from './client-errors.ts';
import { closedByShutdown, HTTPConnectionPool } from './connection-pool.ts';
import { carryIdentityCheck } from './identity-checks.ts';
import { BrowserLikePolicyForHTTPS } from './https-policy.ts';
import { Response } from './response.ts';
import { URI } from './uri.ts';

/** What an `Agent` needs of its reactor: time, and (when it has it) name resolution. */
export type AgentReactor = IReactorTime & Partial<NameResolver>;

/** Name resolution, as `reactor.resolve` offers it. */
export interface NameResolver {
  /** The IP address of `name` (a Deferred or a Promise of it). */
  resolve(name: string, timeout?: number): PromiseLike<string>;
}

/** The options of `new Agent(reactor, options)` (Twisted's keyword arguments). */
export interface AgentOptions {
  /** The HTTPS policy (Twisted's `contextFactory`): `BrowserLikePolicyForHTTPS` by default, which verifies. */
  contextFactory?: IPolicyForHTTPS;
  /** Seconds to wait for a connection before failing with `TimeoutError` (none by default). */
  connectTimeout?: number;
  /** The local address to connect from: a host, or `[host, port]`. */
  bindAddress?: string | AddressTuple;
  /** The connection pool; by default a non-persistent one (a connection per request), as Twisted's. */
  pool?: HTTPConnectionPool;
}

// RFC 9110's token: what a method may be (Twisted's _ensureValidMethod).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE', 'TRACE']);

function parseOptions(rest: readonly unknown[]): AgentOptions {
  if (
    rest.length === 1 &&
    rest[0] !== null &&
    typeof rest[0] === 'object' &&
    typeof (rest[0] as IPolicyForHTTPS).creatorForNetloc !== 'function'
  ) {
    validateObject(rest[0], 'options');
    return rest[0] as AgentOptions;
  }
  const [contextFactory, connectTimeout, bindAddress, pool] = rest;
  return { contextFactory, connectTimeout, bindAddress, pool } as AgentOptions;
}

/**
 * Makes HTTP requests; each `request` fires with a `Response` once its status and headers have
 * arrived (read the body with `readBody` or `deliverBody`).
 *
 * @example
 * const agent = new Agent(reactor);
 * const response = await agent.request('GET', 'http://127.0.0.1:8080/status');
 * console.log(response.code, (await readBody(response)).toString());
 */
export class Agent implements IAgent {
  readonly #reactor: AgentReactor;
  readonly #policy: IPolicyForHTTPS;
  readonly #connectTimeout: number | undefined;
  readonly #bindAddress: string | undefined;
  readonly #pool: HTTPConnectionPool;

  /**
   * `new Agent(reactor, contextFactory?, connectTimeout?, bindAddress?, pool?)` (Twisted's order)
   * or `new Agent(reactor, { contextFactory, connectTimeout, bindAddress, pool })`.
   */
  constructor(reactor?: AgentReactor, options?: AgentOptions);
  constructor(
    reactor: AgentReactor | undefined,
    contextFactory?: IPolicyForHTTPS,
    connectTimeout?: number,
    bindAddress?: string | AddressTuple,
    pool?: HTTPConnectionPool,
  );
  constructor(reactor?: AgentReactor, ...rest: unknown[]) {
    if (reactor !== undefined && (reactor === null || typeof reactor.callLater !== 'function')) {
      throw invalidArgType('reactor', 'a reactor (an IReactorTime)', reactor);
    }
    const options = parseOptions(rest);
    this.#reactor = reactor ?? globalReactor;
    const policy = options.contextFactory ?? new BrowserLikePolicyForHTTPS();
    if (typeof policy.creatorForNetloc !== 'function') {
      throw invalidArgType('contextFactory', 'an IPolicyForHTTPS (with creatorForNetloc)', policy);
    }
    this.#policy = policy;
    if (options.connectTimeout !== undefined && options.connectTimeout !== null) {
      validateNumber(options.connectTimeout, 'connectTimeout', 0);
    }
    this.#connectTimeout = options.connectTimeout ?? undefined;
    const bind = options.bindAddress;
    if (bind !== undefined && bind !== null && typeof bind !== 'string' && !Array.isArray(bind)) {
      throw invalidArgType('bindAddress', 'a host string or a [host, port] tuple', bind);
    }
    this.#bindAddress =
      bind === undefined || bind === null ? undefined : typeof bind === 'string' ? bind : bind[0];
    if (
      options.pool !== undefined &&
      options.pool !== null &&
      !(options.pool instanceof HTTPConnectionPool)
    ) {
      throw invalidArgType('pool', 'an HTTPConnectionPool', options.pool);
    }
    this.#pool = options.pool ?? new HTTPConnectionPool(this.#reactor, false);
  }

  /** The agent's connection pool. */
  get pool(): HTTPConnectionPool {
    return this.#pool;
  }

  /**
   * Requests `uri` (an absolute `http:` or `https:` URI) with `method`, `headers` (a `Host` is
   * added when absent) and the body `bodyProducer` writes. Fires with the `Response` once its
   * head has arrived; fails with a `ConnectError` when no connection could be made (`TimeoutError`
   * after `connectTimeout`), `ResponseNeverReceived` when it broke before the response (a failed
   * certificate check included), `RequestGenerationFailed` when the body producer failed,
   * `SchemeNotSupported` for another scheme. Cancelling it aborts the request.
   *
   * @throws TypeError when `method` is not an HTTP token, `uri` is not an absolute URI or
   *   `headers` is not a `Headers`.
   */
  request(
    method: BytesLike,
    uri: BytesLike,
    headers?: Headers,
    bodyProducer?: IBodyProducer,
  ): Deferred<IResponse> {
    const verb = toByteString(method, 'method');
    if (!TOKEN.test(verb))
      throw invalidArgValue('method', `It must be an HTTP token. Received ${JSON.stringify(verb)}`);
    if (headers !== undefined && headers !== null && !(headers instanceof Headers)) {
      throw invalidArgType('headers', 'a Headers instance', headers);
    }
    if (
      bodyProducer !== undefined &&
      bodyProducer !== null &&
      typeof bodyProducer.startProducing !== 'function'
    ) {
      throw invalidArgType('bodyProducer', 'an IBodyProducer (with startProducing)', bodyProducer);
    }
    const parsed = URI.fromBytes(uri);
    if (parsed.scheme !== 'http' && parsed.scheme !== 'https') {
      return fail(new SchemeNotSupported(`Unsupported scheme: ${JSON.stringify(parsed.scheme)}`));
    }
    const retry =
      this.#pool.retryAutomatically &&
      IDEMPOTENT.has(verb) &&
      (bodyProducer === undefined || bodyProducer === null);
    return this.#send(verb, parsed, headers ?? undefined, bodyProducer ?? undefined, retry);
  }

  #send(
    method: string,
    uri: URI,
    headers: Headers | undefined,
    body: IBodyProducer | undefined,
    mayRetry: boolean,
  ): Deferred<IResponse> {
    const h = headers === undefined ? new Headers() : headers.copy();
    if (!h.hasHeader('host')) h.addRawHeader('host', this.#hostValue(uri));
    if (body !== undefined && !h.hasHeader('content-length') && !h.hasHeader('transfer-encoding')) {
      if (body.length === UNKNOWN_LENGTH) h.setRawHeaders('transfer-encoding', ['chunked']);
      else h.setRawHeaders('content-length', [String(body.length)]);
    }
    const secure = uri.scheme === 'https';
    const options: https.RequestOptions = {
      method,
      host: uri.host,
      port: uri.port,
      path: uri.originForm,
      headers: h.appendFlatTo([]) as unknown as http.OutgoingHttpHeaders,
      setHost: false,
      agent: this.#pool.nodeAgent(uri.scheme),
      lookup: this.#lookup(),
      ...(this.#bindAddress === undefined ? {} : { localAddress: this.#bindAddress }),
      ...(secure
        ? carryIdentityCheck(this.#policy.creatorForNetloc(uri.host, uri.port).getTLSOptions('client'))
        : {}),
    };
    const request = (secure ? https : http).request(options);
    const d = new Deferred<IResponse>(() => {
      body?.stopProducing();
      request.destroy();
    });
    let connected = false;
    let responded = false;
    let timer: IDelayedCall | undefined;
    request.on('socket', (socket: Socket) => {
      if (!socket.connecting) {
        connected = true; // a pooled connection
        return;
      }
      if (this.#connectTimeout !== undefined) {
        timer = this.#reactor.callLater(this.#connectTimeout, () =>
          socket.destroy(
            new TimeoutError(`Connecting to ${uri.netloc} took longer than ${this.#connectTimeout} seconds.`),
          ),
        );
      }
      socket.once('connect', () => {
        connected = true;
        if (timer?.active()) timer.cancel();
      });
    });
    request.on('response', (res: http.IncomingMessage) => {
      responded = true;
      if (!d.called) d.callback(new Response(res, request, { method, uri: uri.toString() }));
      else res.destroy();
    });
    request.on('error', (err: Error) => {
      if (timer?.active()) timer.cancel();
      body?.stopProducing();
      if (d.called || responded) return;
      if (mayRetry && request.reusedSocket && !closedByShutdown(request.socket)) {
        // A cached connection the server had closed: once more on a new one (Twisted's
        // _RetryingHTTP11ClientProtocol).
        this.#send(method, uri, headers, body, false).chainDeferred(d);
        return;
      }
      d.errback(connected ? neverReceived(err) : connectFailure(err));
    });
    if (body === undefined) request.end();
    else this.#writeBody(body, request, d);
    return d;
  }

  #writeBody(body: IBodyProducer, request: http.ClientRequest, d: Deferred<IResponse>): void {
    let paused = false;
    const consumer: IConsumer = {
      write: (data: Uint8Array) => {
        checkStreamData(data);
        if (!request.write(data) && !paused) {
          paused = true;
          body.pauseProducing();
          request.once('drain', () => {
            paused = false;
            body.resumeProducing();
          });
        }
      },
      registerProducer: () => undefined,
      unregisterProducer: () => undefined,
    };
    const failed = (err: unknown): void => {
      request.destroy();
      if (!d.called) d.errback(new RequestGenerationFailed([new Failure(err)]));
    };
    let produced: PromiseLike<unknown>;
    try {
      produced = body.startProducing(consumer);
    } catch (err) {
      failed(err);
      return;
    }
    Promise.resolve(produced).then(() => {
      if (request.destroyed) {
        if (!d.called)
          d.errback(
            new RequestTransmissionFailed([new Failure(request.errored ?? new Error('connection closed'))]),
          );
        return;
      }
      request.end();
    }, failed);
  }

  #hostValue(uri: URI): string {
    const host = isIP(uri.host) === 6 ? `[${uri.host}]` : uri.host;
    return (uri.scheme === 'http' && uri.port === 80) || (uri.scheme === 'https' && uri.port === 443)
      ? host
      : `${host}:${uri.port}`;
  }

  // Names go through the reactor's resolver (reactor.installResolver), as Twisted's do.
  #lookup(): LookupFunction | undefined {
    const resolve = this.#reactor.resolve;
    if (typeof resolve !== 'function') return undefined;
    const reactor = this.#reactor;
    return (hostname, options, callback) => {
      Promise.resolve(resolve.call(reactor, hostname)).then(
        (address) => {
          const family = isIP(address) || 4;
          if ((options as { all?: boolean }).all) {
            (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [
              { address, family },
            ]);
          } else callback(null, address, family);
        },
        (err: unknown) => callback(err as NodeJS.ErrnoException, '', 4),
      );
    };
  }
}
