/**
 * How a `Request` renders a resource and answers its failures (Twisted's `Request.render` and
 * `Request.processingFailed`): the 405 page with `Allow`, HEAD answered from GET, a body of the
 * wrong type, a throw or a rejected Promise answered 500 without the error text unless the site
 * displays tracebacks.
 *
 * @internal
 * @module
 */
import { UnsupportedMethod } from '../errors/web.ts';
import { Failure } from '../failure.ts';
import { inspect } from 'node:util';
import { Logger } from '../logger/logger.ts';
import { ErrorPage, escapeHTML, type IResource, NOT_DONE_YET, type RenderResult } from './resource.ts';
import type { HTTPRequest } from './http-request.ts';
import type { Request } from './request.ts';

const log = new Logger('twisted-ts.web.Request');

type Body = Uint8Array | string | typeof NOT_DONE_YET;

function isThenable(value: unknown): value is PromiseLike<Body> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function methodNotAllowed(request: Request, allowed: readonly string[]): RenderResult {
  request.setHeader('allow', allowed.join(', '));
  const detail =
    `Your browser approached me (at ${request.uri}) with the method "${request.method}".  ` +
    `I only allow the method${allowed.length > 1 ? 's' : ''} ${allowed.join(', ')} here.`;
  return new ErrorPage(405, 'Method Not Allowed', detail).render(request);
}

/** Renders `resource` for `request` and sends the result. */
export function renderResource(request: Request, resource: IResource): void {
  let body: RenderResult;
  try {
    body = resource.render(request);
  } catch (err) {
    if (!(err instanceof UnsupportedMethod)) throw err;
    const allowed = err.allowedMethods;
    if (request.method === 'HEAD' && allowed.includes('GET')) {
      // Twisted fakes HEAD with GET; Node's ServerResponse sends no body for HEAD anyway.
      request.method = 'GET';
      try {
        body = resource.render(request);
      } finally {
        request.method = 'HEAD';
      }
    } else {
      body = methodNotAllowed(request, allowed);
    }
  }
  if (isThenable(body)) {
    // Beyond Twisted: an async render method. Its value is the body; a rejection is a failure.
    Promise.resolve(body).then(
      (value) => {
        // A client that left while the body was computed gets nothing (notifyFinish told whoever
        // asked): finishing now would throw, and the throw would have nowhere to go.
        if (request.finished || request.disconnected) return;
        try {
          sendBody(request, resource, value);
        } catch (err) {
          request.processingFailed(new Failure(err));
        }
      },
      (err: unknown) => {
        request.processingFailed(new Failure(err));
      },
    );
    return;
  }
  sendBody(request, resource, body);
}

function sendBody(request: Request, resource: IResource, body: unknown): void {
  if (body === NOT_DONE_YET) return;
  let bytes: Buffer;
  if (typeof body === 'string') bytes = Buffer.from(body, 'utf8');
  else if (body instanceof Uint8Array) bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  else {
    const page = new ErrorPage(
      500,
      'Request did not return bytes',
      'The resource returned neither a Buffer, a string nor NOT_DONE_YET.',
    );
    log.error('Resource {resource} returned {value} for {uri}: not a body', {
      resource: resource.constructor?.name ?? 'resource',
      value: inspect(body, { depth: 0 }),
      uri: request.uri,
    });
    bytes = Buffer.from(page.render(request) as string, 'utf8');
  }
  if (request.method === 'HEAD') {
    if (bytes.length > 0) request.setHeader('content-length', String(bytes.length));
  } else {
    request.setHeader('content-length', String(bytes.length));
  }
  request.finishWith(bytes);
}

/** Answers 500 for `reason` (or drops the connection when the response had begun) and logs it. */
export function processingFailed(request: HTTPRequest, reason: Failure): Failure {
  log.failure('Error processing {method} {uri}', reason, undefined, {
    method: request.method,
    uri: request.uri,
  });
  // Logged above; a finished request has its answer and a disconnected one has nobody to tell.
  if (request.finished || request.disconnected) return reason;
  if (request.startedWriting) {
    // The status line is out: a 500 cannot follow. Cutting the connection tells the client.
    request.nodeResponse.destroy();
    return reason;
  }
  const body = request.site.displayTracebacks
    ? '<html><head><title>web.Server Traceback (most recent call last)</title></head>' +
      '<body><b>web.Server Traceback (most recent call last):</b>\n\n' +
      `<pre>${escapeHTML(reason.getTraceback())}</pre>\n\n</body></html>\n`
    : '<html><head><title>Processing Failed</title></head><body><b>Processing Failed</b></body></html>';
  const bytes = Buffer.from(body, 'utf8');
  request.setResponseCode(500);
  request.setHeader('content-type', 'text/html');
  request.setHeader('content-length', String(bytes.length));
  request.finishWith(bytes);
  return reason;
}
