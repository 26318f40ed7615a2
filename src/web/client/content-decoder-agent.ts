/**
 * `ContentDecoderAgent` and `GzipDecoder` (Twisted's): ask for compressed bodies and decompress
 * them as they arrive.
 *
 * @module
 */
import { createGunzip } from 'node:zlib';
import type { Deferred } from '../../defer/deferred.ts';
import { ResponseFailed } from '../../errors/web.ts';
import { Failure } from '../../failure.ts';
import { invalidArgType } from '../../validate.ts';
import { type BytesLike, toByteString } from '../bytes.ts';
import { Headers } from '../headers.ts';
import { callBodyProtocol } from './body-protocol-call.ts';
import {
  type IAgent,
  type IBodyProducer,
  type IBodyProtocol,
  type IBodyTransport,
  type IResponse,
  UNKNOWN_LENGTH,
} from '../iweb.ts';

/** Wraps a response whose body is encoded, so that `deliverBody` delivers it decoded. */
export type ContentDecoder = new (response: IResponse) => IResponse;

/**
 * A response whose gzip body is delivered decompressed (Twisted's `GzipDecoder`); `length` is
 * unknown. A corrupt body ends with `ResponseFailed`.
 */
export class GzipDecoder implements IResponse {
  /** The response as it arrived. */
  readonly original: IResponse;
  /** Unknown: the decompressed length is not sent. */
  readonly length: typeof UNKNOWN_LENGTH = UNKNOWN_LENGTH;

  constructor(response: IResponse) {
    this.original = response;
  }

  /** The original's version. */
  get version(): readonly [string, number, number] {
    return this.original.version;
  }
  /** The original's status code. */
  get code(): number {
    return this.original.code;
  }
  /** The original's status phrase. */
  get phrase(): string {
    return this.original.phrase;
  }
  /** The original's headers (without the encodings that were decoded). */
  get headers(): Headers {
    return this.original.headers;
  }
  /** The original's previous response. */
  get previousResponse(): IResponse | undefined {
    return this.original.previousResponse;
  }
  /** Sets the original's previous response. */
  setPreviousResponse(response: IResponse): void {
    this.original.setPreviousResponse(response);
  }

  /** Delivers the decompressed body to `protocol`; a throw in its methods is logged and ends it. */
  deliverBody(protocol: IBodyProtocol): void {
    const gunzip = createGunzip();
    let transport: IBodyTransport | undefined;
    let failed = false;
    const fail = (reason: unknown) => {
      if (failed) return;
      failed = true;
      transport?.abortConnection();
      gunzip.destroy();
      call('connectionLost', new Failure(new ResponseFailed([new Failure(reason)], this.original)));
    };
    const call = (method: keyof IBodyProtocol, arg: unknown) =>
      callBodyProtocol(protocol, method, arg, (failedMethod, err) => {
        if (failedMethod !== 'connectionLost') fail(err);
      });
    gunzip.on('data', (data: Buffer) => {
      if (!failed) call('dataReceived', data);
    });
    gunzip.on('error', fail);
    this.original.deliverBody({
      makeConnection: (t: IBodyTransport) => {
        transport = t;
        call('makeConnection', t);
      },
      dataReceived: (data: Buffer) => {
        if (!failed) gunzip.write(data);
      },
      connectionLost: (reason: Failure) => {
        if (failed) return;
        gunzip.end(() => {
          if (failed) return;
          failed = true;
          call('connectionLost', reason);
        });
      },
    });
  }
}

/**
 * Sends `Accept-Encoding` for its decoders and decodes the bodies that come back encoded
 * (Twisted's `ContentDecoderAgent`); a response's `Content-Encoding` loses the encodings
 * that were decoded.
 *
 * @example
 * const agent = new ContentDecoderAgent(new Agent(reactor), [['gzip', GzipDecoder]]);
 */
export class ContentDecoderAgent implements IAgent {
  readonly #agent: IAgent;
  readonly #decoders: Map<string, ContentDecoder>;
  readonly #supported: string;

  /**
   * @param agent - the agent to make the requests.
   * @param decoders - `[name, decoder]` pairs, advertised in this order.
   */
  constructor(agent: IAgent, decoders: readonly (readonly [BytesLike, ContentDecoder])[]) {
    if (agent === null || typeof agent !== 'object' || typeof agent.request !== 'function') {
      throw invalidArgType('agent', 'an agent (with request)', agent);
    }
    if (!Array.isArray(decoders))
      throw invalidArgType('decoders', 'an array of [name, decoder] pairs', decoders);
    this.#agent = agent;
    this.#decoders = new Map(
      decoders.map(([name, decoder], i) => [toByteString(name, `decoders[${i}][0]`).toLowerCase(), decoder]),
    );
    this.#supported = [...this.#decoders.keys()].join(',');
  }

  /** Requests `uri` declaring the supported encodings; the response decodes its body. */
  request(
    method: BytesLike,
    uri: BytesLike,
    headers?: Headers,
    bodyProducer?: IBodyProducer,
  ): Deferred<IResponse> {
    const h = headers === undefined ? new Headers() : headers.copy();
    h.addRawHeader('accept-encoding', this.#supported);
    return this.#agent
      .request(method, uri, h, bodyProducer)
      .addCallback((r: IResponse) => this.#decode(r)) as Deferred<IResponse>;
  }

  #decode(response: IResponse): IResponse {
    const encodings = (response.headers.getRawHeaders('content-encoding') ?? [])
      .map((v) => v.toString('latin1'))
      .join(',')
      .split(',')
      .map((e) => e.trim())
      .filter((e) => e !== '');
    let decoded = response;
    // Encodings were applied in order: undo them from the last.
    while (encodings.length > 0) {
      const decoder = this.#decoders.get(encodings[encodings.length - 1].toLowerCase());
      if (decoder === undefined) break;
      encodings.pop();
      decoded = new decoder(decoded);
    }
    if (encodings.length > 0) response.headers.setRawHeaders('content-encoding', [encodings.join(',')]);
    else response.headers.removeHeader('content-encoding');
    return decoded;
  }
}
