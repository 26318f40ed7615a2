/**
 * What happens once a request's whole body has arrived (Twisted's `http.Request.requestReceived`):
 * a POST form is parsed into `args` — urlencoded at once, multipart through busboy — and the
 * request is processed; a malformed form answers 400 and closes the connection.
 *
 * @module
 */
import { Failure } from '../failure.ts';
import type { Logger } from '../logger/logger.ts';
import { MalformedFormError, parseForm } from './form.ts';
import type { HTTPRequest } from './http-request.ts';

const EMPTY = Buffer.alloc(0);

/** Parses `request`'s form, if it has one, then calls its `process()`. */
export function receiveRequest(request: HTTPRequest, log: Logger): void {
  const contentType = request.nodeRequest.headers['content-type'];
  if (request.method === 'POST' && contentType !== undefined && request.content.length > 0) {
    let form;
    try {
      form = parseForm(contentType, request.content);
    } catch (err) {
      return badRequest(request, err, log);
    }
    if (form instanceof Promise) {
      form.then(
        (values) => {
          if (request.disconnected) return;
          mergeForm(request, values);
          request.process();
        },
        (err: unknown) => badRequest(request, err, log),
      );
      return;
    }
    if (form !== undefined) mergeForm(request, form);
  }
  request.process();
}

/** Form values replace query values of the same name, as in Twisted. */
function mergeForm(request: HTTPRequest, form: Record<string, Buffer[]>): void {
  const args = request.args;
  for (const key of Object.keys(form)) args[key] = form[key];
}

function badRequest(request: HTTPRequest, err: unknown, log: Logger): void {
  if (!(err instanceof MalformedFormError)) {
    request.processingFailed(new Failure(err));
    return;
  }
  log.info('Bad request from {client}: {reason}', { client: String(request.client), reason: err.message });
  if (request.finished || request.disconnected) return; // a body cut short by a client that left
  request.nodeResponse.shouldKeepAlive = false;
  request.setResponseCode(400);
  request.setHeader('content-length', '0');
  request.setHeader('connection', 'close');
  request.finishWith(EMPTY);
}
