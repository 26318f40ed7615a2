/**
 * `Site` (Twisted's `twisted.web.server.Site`): the factory of a web server. Listen it like any
 * other factory (`listenTCP`, `listenSSL`, an endpoint); it serves a tree of resources, keeps the
 * sessions and writes the access log.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { basename, dirname, resolve } from 'node:path';
import type { Duplex } from 'node:stream';
import type { IReactorTime, StreamAddress } from '../interfaces.ts';
import { LogFile } from '../logger/log-file.ts';
import { Logger } from '../logger/logger.ts';
import { ServerFactory } from '../protocols/server-factory.ts';
import { reactor as globalReactor } from '../reactor/index.ts';
import { invalidArgType } from '../validate.ts';
import { type AccessLogFormatter, combinedLogFormatter } from './access-log.ts';
import { HTTPChannel } from './http-channel.ts';
import { datetimeToLogString } from './http-date.ts';
import type { HTTPRequest } from './http-request.ts';
import { Request, type RequestFactory } from './request.ts';
import { getChildForRequest, type IResource, NOT_DONE_YET } from './resource.ts';
import { Session, type SessionSite } from './session.ts';
import { createSiteServer } from './site-server.ts';
import { parseSiteArguments, type SiteOptions } from './site-options.ts';

/** How a `Site` makes sessions (Twisted's `sessionFactory`): `Session` or a subclass. */
export type SessionFactory = new (site: SessionSite, uid: string) => Session;

const accessLog = new Logger('twisted-ts.web.access');

/**
 * A web site: the factory to listen for HTTP. Each connection gets an `HTTPChannel`, whose
 * requests node:http parses; each request is routed through the resource tree from `resource`.
 *
 * @example
 * const root = new Resource();
 * root.putChild('hello', new Data('hello\n', 'text/plain'));
 * reactor.listenTCP(8080, new Site(root), { interface: '127.0.0.1' });
 */
export class Site extends ServerFactory<HTTPChannel> implements SessionSite {
  /** The root of the resource tree. */
  resource: IResource;
  /** The class of the site's requests (Twisted's `requestFactory`). */
  requestFactory: RequestFactory = Request;
  /** Show the error's stack on a 500 page (Twisted's `displayTracebacks`); off by default. */
  displayTracebacks = false;
  /** The class of the site's sessions (Twisted's `sessionFactory`). */
  sessionFactory: SessionFactory = Session;
  /** The live sessions, by uid. */
  readonly sessions: Map<string, Session> = new Map();
  /** How many sessions were made. */
  counter = 0;
  /** The clock for sessions and log dates. */
  readonly reactor: IReactorTime;
  /** The access log file, when one was asked for (made absolute). */
  readonly logPath: string | undefined;
  /** A Site is never a leaf: its resource tree goes on below it. */
  readonly isLeaf = false;
  /** The never-listening `http.Server` that parses this site's requests (an escape hatch for its settings). */
  readonly httpServer: http.Server;
  readonly #logFormatter: AccessLogFormatter;
  #logFile: LogFile | undefined = undefined;
  #logSecond = NaN;
  #logDate = '';
  #tracking = false;

  /**
   * `new Site(resource, requestFactory?, logPath?, timeout?, logFormatter?, reactor?)` (Twisted's
   * order) or `new Site(resource, { requestFactory, logPath, timeout, logFormatter, reactor, … })`.
   *
   * @throws TypeError when `resource` cannot render, or an option has the wrong type.
   */
  constructor(resource: IResource, options?: SiteOptions);
  constructor(
    resource: IResource,
    requestFactory?: RequestFactory,
    logPath?: string,
    timeout?: number | null,
    logFormatter?: AccessLogFormatter,
    reactor?: IReactorTime,
  );
  constructor(resource: IResource, ...rest: unknown[]) {
    super();
    if (resource === null || typeof resource !== 'object' || typeof resource.render !== 'function') {
      throw invalidArgType(
        'resource',
        'a resource (an object with render and getChildWithDefault)',
        resource,
      );
    }
    const config = parseSiteArguments(rest);
    this.resource = resource;
    if (config.requestFactory !== undefined) this.requestFactory = config.requestFactory;
    this.reactor = config.reactor ?? globalReactor;
    this.logPath = config.logPath === undefined ? undefined : resolve(config.logPath);
    this.#logFormatter = config.logFormatter ?? combinedLogFormatter;
    this.httpServer = createSiteServer(this, config);
  }

  /** An `HTTPChannel` for a new connection. */
  override buildProtocol(_addr: StreamAddress): HTTPChannel {
    return new HTTPChannel(this);
  }

  /**
   * Hands a connected socket (or any Duplex) to the site's `http.Server`, which reads requests
   * from it from now on; `HTTPChannel` calls it. Nothing may have been read from the socket yet.
   *
   * @internal
   */
  acceptSocket(socket: Duplex): void {
    if (!this.#tracking) {
      // node:http enforces headersTimeout and requestTimeout only for connections it tracks,
      // and starts tracking when it begins listening, which this server never does.
      this.#tracking = true;
      this.httpServer.emit('listening');
    }
    this.httpServer.emit('connection', socket);
  }

  /** Opens the access log file when one was asked for. */
  override startFactory(): void {
    if (this.logPath !== undefined && this.#logFile === undefined) {
      this.#logFile = new LogFile(basename(this.logPath), dirname(this.logPath));
    }
  }

  /** Closes the access log file and stops the timeout checks (idle keep-alive connections close). */
  override stopFactory(): void {
    this.#logFile?.close();
    this.#logFile = undefined;
    if (this.#tracking) {
      this.#tracking = false;
      this.httpServer.close();
    }
  }

  /** Makes a session, keeps it in `sessions` and starts its expiry timer. */
  makeSession(): Session {
    this.counter += 1;
    const uid = randomBytes(32).toString('hex');
    const session = new this.sessionFactory(this, uid);
    this.sessions.set(uid, session);
    session.startCheckingExpiration();
    return session;
  }

  /** The live session `uid`, or `undefined` (where Twisted raises `KeyError`). */
  getSession(uid: string): Session | undefined {
    return this.sessions.get(uid);
  }

  /**
   * The resource that renders `request`: traversal from the root, recording where it began in
   * `request.sitepath` (Twisted's `getResourceFor`).
   */
  getResourceFor(request: Request): IResource {
    request.site = this;
    request.sitepath = request.prepath.slice();
    return getChildForRequest(this.resource, request);
  }

  /** The root's child `path` (a Site nested in a resource tree acts as its root). */
  getChildWithDefault(path: Buffer, request: Request): IResource {
    request.site = this;
    return this.resource.getChildWithDefault(path, request);
  }

  /** A Site rendered as a resource redirects to itself with a trailing slash. */
  render(request: Request): typeof NOT_DONE_YET {
    request.redirect(`${request.prePathURL()}/`);
    request.finish();
    return NOT_DONE_YET;
  }

  /**
   * Writes the access log line for a finished request: to `logPath` when given, else to the
   * logger (namespace `twisted-ts.web.access`, field `line`).
   */
  log(request: HTTPRequest): void {
    const now = this.reactor.seconds();
    const second = Math.floor(now);
    if (second !== this.#logSecond) {
      this.#logSecond = second;
      this.#logDate = datetimeToLogString(second);
    }
    let line: string;
    try {
      line = this.#logFormatter(this.#logDate, request);
    } catch (err) {
      accessLog.failure('The access log formatter failed', err);
      return;
    }
    if (this.#logFile !== undefined) this.#logFile.write(`${line}\n`);
    else accessLog.info('{line}', { line });
  }
}
