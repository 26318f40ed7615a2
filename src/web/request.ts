/**
 * `Request` (Twisted's `twisted.web.server.Request`): an `HTTPRequest` served by a `Site` — the
 * resource tree walked (`prepath`/`postpath`), the resource rendered, sessions, URLs.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Failure } from '../failure.ts';
import { byteStringToBuffer } from './bytes.ts';
import { HTTPRequest, type RequestChannel } from './http-request.ts';
import { datetimeToString } from './http-date.ts';
import { renderResource } from './request-render.ts';
import * as urls from './request-urls.ts';
import type { IResource } from './resource.ts';
import type { Session } from './session.ts';

export type { RequestChannel } from './http-request.ts';

/** How a `Site` makes its requests: `Request` or a subclass (Twisted's `requestFactory`). */
export type RequestFactory = new (
  channel: RequestChannel,
  req: IncomingMessage,
  res: ServerResponse,
) => Request;

/** The `Server` header a `Site` sends (Twisted sends `TwistedWeb/<version>`). */
export const SERVER_VERSION = 'twisted-ts';

/**
 * An HTTP request as a resource sees it: what was asked (`method`, `uri`, `path`, `args`,
 * `requestHeaders`, `content`) and the response being built (`setResponseCode`, `setHeader`,
 * `write`, `finish`). A resource either returns the body from its render method or returns
 * `NOT_DONE_YET` and calls `write`/`finish` later.
 *
 * Values Twisted keeps as `bytes` are Buffers here (`args` values, `prepath`/`postpath`,
 * `getRawHeaders` values); `method`, `uri`, `path` and `clientproto` are strings.
 *
 * @example
 * class Later extends Resource {
 *   render_GET(request: Request) {
 *     const call = reactor.callLater(1, () => { request.write('done\n'); request.finish(); });
 *     request.notifyFinish().addErrback(() => call.cancel()); // the client went away
 *     return NOT_DONE_YET;
 *   }
 * }
 */
export class Request extends HTTPRequest {
  /** The path segments traversed so far, decoded. */
  prepath: Buffer[] = [];
  /** The path segments still to traverse, decoded; what a leaf resource sees of the rest of the path. */
  postpath: Buffer[] = [];
  /** The `prepath` when traversal began at the site's root. */
  sitepath: Buffer[] = [];
  /** The URL remembered by `rememberRootURL`. */
  appRootURL: string | undefined = undefined;
  #insecureSession: Session | undefined = undefined;
  #secureSession: Session | undefined = undefined;
  /**
   * Finds the resource for the request in the site's tree and renders it (Twisted's `process`).
   * Override to process requests some other way.
   */
  override process(): void {
    this.site = this.channel.site;
    this.setHeader('server', SERVER_VERSION);
    this.setHeader('date', datetimeToString());
    this.prepath = [];
    this.postpath = urls.splitPath(this.path);
    if (this.path === '*') return urls.handleStar(this);
    try {
      this.render(this.site.getResourceFor(this));
    } catch (err) {
      this.processingFailed(new Failure(err));
    }
  }

  /**
   * Asks `resource` to render the request and sends what it returns; answers 405 with `Allow`
   * for a method it does not render (Twisted's `Request.render`).
   */
  render(resource: IResource): void {
    renderResource(this, resource);
  }

  /**
   * The client's session, made (with a `TWISTED_SESSION` cookie) if it has none; touching it.
   * On HTTPS the cookie is `TWISTED_SECURE_SESSION` and marked secure, unless `forceNotSecure`.
   */
  getSession(forceNotSecure = false): Session {
    const secure = this.isSecure() && !forceNotSecure;
    let session = secure ? this.#secureSession : this.#insecureSession;
    if (session !== undefined) {
      try {
        session.touch();
      } catch {
        session = undefined;
      }
    }
    if (session === undefined) {
      const cookieName = [
        secure ? 'TWISTED_SECURE_SESSION' : 'TWISTED_SESSION',
        ...this.sitepath.map((segment) => segment.toString('latin1')),
      ].join('_');
      const uid = this.getCookie(byteStringToBuffer(cookieName))?.toString('latin1');
      if (uid !== undefined) session = this.site.getSession(uid);
      if (session !== undefined) {
        try {
          session.touch();
        } catch {
          session = undefined;
        }
      }
      if (session === undefined) {
        session = this.site.makeSession();
        this.addCookie(byteStringToBuffer(cookieName), session.uid, { path: '/', secure });
      }
    }
    if (secure) this.#secureSession = session;
    else this.#insecureSession = session;
    return session;
  }

  /** The session `getSession()` made or found for this request's security, if any. */
  get session(): Session | undefined {
    return this.isSecure() ? this.#secureSession : this.#insecureSession;
  }

  /** The absolute URL of the resource traversed so far (Twisted's `prePathURL`). */
  prePathURL(): string {
    return urls.prePathURL(this, this.prepath);
  }

  /** Remembers the URL of the current resource's parent for `getRootURL()`. */
  rememberRootURL(): void {
    this.appRootURL = urls.prePathURL(this, this.prepath.slice(0, -1));
  }

  /** The URL remembered by `rememberRootURL()`. */
  getRootURL(): string | undefined {
    return this.appRootURL;
  }

  /** A relative link to the child `name` of the requested resource (Twisted's `childLink`). */
  childLink(name: string): string {
    return urls.childLink(this, name);
  }

  /** A relative link to the sibling `name` of the requested resource (Twisted's `sibLink`). */
  sibLink(name: string): string {
    return this.postpath.length > 0 ? '../'.repeat(this.postpath.length) + name : name;
  }
}
