/**
 * `Response` (Twisted's `_newclient.Response`): the status and headers of an HTTP response, and
 * its body delivered to a protocol with `deliverBody`, over node:http's `IncomingMessage`.
 *
 * @module
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import { ConnectionLost } from '../../errors/stream.ts';
import { PotentialDataLoss, RequestStateError, ResponseDone, ResponseFailed } from '../../errors/web.ts';
import { Failure } from '../../failure.ts';
import { Headers } from '../headers.ts';
import { callBodyProtocol } from './body-protocol-call.ts';
import { type IBodyProtocol, type IBodyTransport, type IResponse, UNKNOWN_LENGTH } from '../iweb.ts';

/** What a `Response` remembers of its request. */
export interface RequestSummary {
  /** The method (`'GET'`). */
  readonly method: string;
  /** The absolute URI asked for. */
  readonly uri: string;
}

/** Where the body is: not asked for yet, flowing to a protocol, or done. */
type BodyState = 'waiting' | 'delivering' | 'finished';

/** The `Response` a request's Deferred fires with. */
export class Response implements IResponse {
  /** `['HTTP', 1, 1]`. */
  readonly version: readonly [string, number, number];
  /** The status code. */
  readonly code: number;
  /** The status phrase. */
  readonly phrase: string;
  /** The response headers. */
  readonly headers: Headers;
  /** The body's length (`Content-Length`), or `UNKNOWN_LENGTH`. */
  readonly length: number | typeof UNKNOWN_LENGTH;
  /** The method and URI of the request this answers. */
  readonly request: RequestSummary;
  /** The response that redirected to this one, if any. */
  previousResponse: IResponse | undefined = undefined;
  readonly #res: IncomingMessage;
  readonly #req: ClientRequest;
  readonly #framed: boolean;
  #state: BodyState = 'waiting';
  /** What was left when the connection broke before `deliverBody` (Twisted's DEFERRED_CLOSE). */
  #lostEarly: { chunks: Buffer[]; reason: ResponseFailed } | undefined;

  /** @internal Made by `Agent` when the head arrives. */
  constructor(res: IncomingMessage, req: ClientRequest, request: { method: string; uri: string }) {
    this.#res = res;
    this.#req = req;
    this.request = request;
    this.version = ['HTTP', res.httpVersionMajor, res.httpVersionMinor];
    this.code = res.statusCode ?? 0;
    this.phrase = res.statusMessage ?? '';
    this.headers = Headers.fromNodeRawHeaders(res.rawHeaders);
    const noBody =
      request.method === 'HEAD' ||
      this.code === 204 ||
      this.code === 304 ||
      (this.code >= 100 && this.code < 200);
    const length = res.headers['content-length'];
    const chunked = /(^|,)\s*chunked\s*$/i.test(String(res.headers['transfer-encoding'] ?? ''));
    this.length = noBody
      ? 0
      : length !== undefined && !chunked && /^\d+$/.test(length)
        ? Number(length)
        : UNKNOWN_LENGTH;
    // A body that only the end of the connection ends may be cut short without anyone knowing.
    this.#framed = noBody || chunked || length !== undefined;
    res.pause();
    // The connection may break before anyone asks for the body: keep what had arrived and why,
    // for deliverBody to hand over (Node still lets the buffer be read during 'close').
    res.once('close', () => {
      if (this.#state !== 'waiting' || res.complete) return;
      const chunks: Buffer[] = [];
      for (let chunk: Buffer | null = res.read(); chunk !== null; chunk = res.read()) chunks.push(chunk);
      this.#lostEarly = { chunks, reason: this.#connectionLost() };
    });
  }

  /** The `ResponseFailed` of a body cut short by the connection, with the socket's error if any. */
  #connectionLost(): ResponseFailed {
    const cause = this.#res.errored ?? this.#req.errored ?? undefined;
    return new ResponseFailed(
      [new Failure(new ConnectionLost(undefined, cause ? { osError: cause } : undefined))],
      this,
    );
  }

  /** Records the response that redirected to this one. */
  setPreviousResponse(response: IResponse): void {
    this.previousResponse = response;
  }

  /** Node's `IncomingMessage` under this response (an escape hatch). */
  get nodeResponse(): IncomingMessage {
    return this.#res;
  }

  /**
   * Delivers the body to `protocol`: `makeConnection(transport)`, `dataReceived` for each chunk,
   * then `connectionLost` with `ResponseDone`, `PotentialDataLoss` (no length or chunking to
   * check the end against) or `ResponseFailed` (the connection broke). Until this is called the
   * body waits in Node's buffer, and the connection stops reading once that is full.
   *
   * @throws RequestStateError when the body was already delivered (Twisted's `RuntimeError`).
   */
  deliverBody(protocol: IBodyProtocol): void {
    if (this.#state !== 'waiting') {
      throw new RequestStateError(
        this.#state === 'delivering'
          ? 'Response already has a protocol, cannot deliverBody again'
          : 'Response already finished, cannot deliverBody now.',
      );
    }
    this.#state = 'delivering';
    const res = this.#res;
    const req = this.#req;
    let paused = false;
    const transport: IBodyTransport = {
      pauseProducing: () => {
        paused = true;
        res.pause();
      },
      resumeProducing: () => {
        paused = false;
        res.resume();
      },
      stopProducing: () => void req.destroy(),
      abortConnection: () => void req.destroy(),
      loseConnection: () => void req.destroy(),
    };
    const finish = (reason: Error): void => {
      if (this.#state === 'finished') return;
      this.#state = 'finished';
      this.#call(protocol, 'connectionLost', new Failure(reason));
    };
    if (!this.#call(protocol, 'makeConnection', transport)) return;
    const early = this.#lostEarly;
    if (early !== undefined) {
      this.#lostEarly = undefined;
      for (const chunk of early.chunks) {
        if (this.#state === 'delivering') this.#call(protocol, 'dataReceived', chunk);
      }
      finish(early.reason);
      return;
    }
    res.on('data', (chunk: Buffer) => {
      if (this.#state === 'delivering') this.#call(protocol, 'dataReceived', chunk);
    });
    res.on('end', () => finish(this.#framed ? new ResponseDone() : new PotentialDataLoss()));
    res.on('close', () => {
      if (!res.complete) finish(this.#connectionLost());
    });
    res.on('error', () => undefined); // reported through 'close' above
    if (!paused) res.resume();
  }

  /** Calls a protocol method; a throw is logged, the body abandoned and the protocol told. */
  #call(protocol: IBodyProtocol, method: keyof IBodyProtocol, arg: unknown): boolean {
    return callBodyProtocol(protocol, method, arg, (failedMethod, err) => {
      if (failedMethod === 'connectionLost' || this.#state === 'finished') return;
      this.#state = 'finished';
      this.#req.destroy();
      this.#call(protocol, 'connectionLost', new Failure(new ResponseFailed([new Failure(err)], this)));
    });
  }
}
