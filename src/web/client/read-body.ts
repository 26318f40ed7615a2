/**
 * `readBody` (Twisted's `client.readBody`): a response's whole body as one Buffer.
 *
 * @module
 */
import { Deferred } from '../../defer/deferred.ts';
import { PartialDownloadError, PotentialDataLoss, ResponseDone } from '../../errors/web.ts';
import type { Failure } from '../../failure.ts';
import { invalidArgType } from '../../validate.ts';
import type { IBodyTransport, IResponse } from '../iweb.ts';

/**
 * The body of `response`, whole. Fails with `PartialDownloadError` (its `response` holding what
 * arrived) when the body had no length to check its end against, with `ResponseFailed` when the
 * connection broke. Cancelling the Deferred closes the connection at once.
 *
 * @example
 * const response = await agent.request('GET', 'http://127.0.0.1:8080/');
 * const body = await readBody(response);
 */
export function readBody(response: IResponse): Deferred<Buffer> {
  if (response === null || typeof response !== 'object' || typeof response.deliverBody !== 'function') {
    throw invalidArgType('response', 'a response (an object with deliverBody)', response);
  }
  let transport: IBodyTransport | undefined;
  const d = new Deferred<Buffer>(() => transport?.abortConnection());
  const chunks: Buffer[] = [];
  response.deliverBody({
    makeConnection: (t: IBodyTransport) => void (transport = t),
    dataReceived: (data: Buffer) => void chunks.push(data),
    connectionLost: (reason: Failure) => {
      if (d.called) return;
      if (reason.check(ResponseDone)) d.callback(Buffer.concat(chunks));
      else if (reason.check(PotentialDataLoss)) {
        d.errback(new PartialDownloadError(response.code, response.phrase, Buffer.concat(chunks)));
      } else d.errback(reason);
    },
  });
  return d;
}
