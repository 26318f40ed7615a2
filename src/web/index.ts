/**
 * twisted.web: `Site`, `Resource`, `Request`, static files and sessions on the server; `Agent`
 * and its helpers on the client. HTTP parsing and framing are Node's own.
 *
 * @module
 */
export { Headers, type HeadersInit } from './headers.ts';
export type { BytesLike } from './bytes.ts';
export {
  Resource,
  ErrorPage,
  NoResource,
  ForbiddenResource,
  NOT_DONE_YET,
  getChildForRequest,
  computeAllowedMethods,
  escapeHTML,
  type IResource,
  type RenderResult,
} from './resource.ts';
export { Data } from './data.ts';
export { redirectTo, Redirect } from './redirect.ts';
export { IncomingRequest } from './incoming-request.ts';
export { HTTPRequest, type RequestChannel } from './http-request.ts';
export { Request, SERVER_VERSION, type RequestFactory } from './request.ts';
export { RequestContent, MEMORY_LIMIT, type Whence } from './request-content.ts';
export { CACHED } from './conditional.ts';
export type { CookieOptions } from './cookies.ts';
export { Session, type SessionSite } from './session.ts';
export { Site, type SessionFactory } from './site.ts';
export type { SiteOptions } from './site-options.ts';
export { HTTPChannel } from './http-channel.ts';
export { combinedLogFormatter, type AccessLogFormatter } from './access-log.ts';
export { datetimeToString, datetimeToLogString, stringToDatetime } from './http-date.ts';
export { File, type FileOptions, type FileProcessor } from './static/file.ts';
export { DirectoryLister, formatFileSize } from './static/directory-lister.ts';
export { StaticProducer, type StaticPart, type FileSpan } from './static/static-producer.ts';
export { loadMimeTypes, getTypeAndEncoding } from './static/mime.ts';
export {
  UNKNOWN_LENGTH,
  type IAgent,
  type IBodyProducer,
  type IBodyProtocol,
  type IBodyTransport,
  type IResponse,
  type IPolicyForHTTPS,
} from './iweb.ts';
export { URI } from './client/uri.ts';
export { Response, type RequestSummary } from './client/response.ts';
export { readBody } from './client/read-body.ts';
export { FileBodyProducer, type FileLike } from './client/file-body-producer.ts';
export { HTTPConnectionPool } from './client/connection-pool.ts';
export { Agent, type AgentOptions, type AgentReactor, type NameResolver } from './client/agent.ts';
export { RedirectAgent, BrowserLikeRedirectAgent } from './client/redirect-agent.ts';
export { ContentDecoderAgent, GzipDecoder, type ContentDecoder } from './client/content-decoder-agent.ts';
export { BrowserLikePolicyForHTTPS } from './client/https-policy.ts';
