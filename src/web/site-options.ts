/**
 * The options of `new Site(...)`, in Twisted's positional order or as one options object, parsed
 * and checked at the door.
 *
 * @internal
 * @module
 */
import type { IReactorTime } from '../interfaces.ts';
import {
  invalidArgType,
  invalidArgValue,
  validateFunction,
  validateInteger,
  validateNumber,
  validateObject,
} from '../validate.ts';
import type { AccessLogFormatter } from './access-log.ts';
import type { RequestFactory } from './request.ts';

/** The options of `new Site(resource, options)`. */
export interface SiteOptions {
  /** The class of the site's requests (Twisted's `requestFactory`); `Request` by default. */
  requestFactory?: RequestFactory;
  /** Write the access log to this file (rotated as `LogFile` does) instead of the logger. */
  logPath?: string;
  /**
   * Seconds a connection may stay idle (nothing read or written) before it is closed, as
   * Twisted's `timeout` (default 12 hours, as Twisted); `null` for none.
   */
  timeout?: number | null;
  /** Makes the access log's lines (Twisted's `logFormatter`); the combined format by default. */
  logFormatter?: AccessLogFormatter;
  /** The clock for sessions and log dates (Twisted's `reactor`); the global reactor by default. */
  reactor?: IReactorTime;
  /** Beyond Twisted: seconds to receive a request's headers before 408 (node:http's `headersTimeout`; default 60). */
  headersTimeout?: number;
  /** Beyond Twisted: seconds to receive a whole request before 408 (node:http's `requestTimeout`; default 300). */
  requestTimeout?: number;
  /** Beyond Twisted: seconds an idle keep-alive connection stays open after a response (default 5). */
  keepAliveTimeout?: number;
  /** Beyond Twisted: the most bytes of request headers before 431 (node:http's `maxHeaderSize`; default 16 KiB). */
  maxHeaderSize?: number;
}

/** The parsed options. */
export interface SiteConfig {
  requestFactory: RequestFactory | undefined;
  logPath: string | undefined;
  timeout: number | undefined;
  logFormatter: AccessLogFormatter | undefined;
  reactor: IReactorTime | undefined;
  headersTimeout: number;
  requestTimeout: number;
  keepAliveTimeout: number;
  maxHeaderSize: number;
}

/** Twisted's `_REQUEST_TIMEOUT`: 12 hours. */
export const DEFAULT_TIMEOUT = 60 * 60 * 12;

const KNOWN = new Set([
  'requestFactory',
  'logPath',
  'timeout',
  'logFormatter',
  'reactor',
  'headersTimeout',
  'requestTimeout',
  'keepAliveTimeout',
  'maxHeaderSize',
]);

/** Parses `new Site(resource, ...rest)`'s arguments after the resource. */
export function parseSiteArguments(rest: readonly unknown[]): SiteConfig {
  let options: SiteOptions;
  if (rest.length === 1 && rest[0] !== null && typeof rest[0] === 'object') {
    validateObject(rest[0], 'options');
    options = rest[0] as SiteOptions;
    for (const key of Object.keys(options)) {
      if (!KNOWN.has(key)) throw invalidArgValue('options', `Unknown option ${JSON.stringify(key)}`);
    }
  } else {
    const [requestFactory, logPath, timeout, logFormatter, reactor] = rest;
    options = { requestFactory, logPath, timeout, logFormatter, reactor } as SiteOptions;
  }
  const { requestFactory, logPath, logFormatter, reactor } = options;
  if (requestFactory !== undefined && requestFactory !== null)
    validateFunction(requestFactory, 'requestFactory');
  if (logPath !== undefined && logPath !== null && typeof logPath !== 'string') {
    throw invalidArgType('logPath', 'of type string', logPath);
  }
  if (logFormatter !== undefined && logFormatter !== null) validateFunction(logFormatter, 'logFormatter');
  if (reactor !== undefined && reactor !== null) {
    if (
      typeof (reactor as IReactorTime).callLater !== 'function' ||
      typeof (reactor as IReactorTime).seconds !== 'function'
    ) {
      throw invalidArgType('reactor', 'an IReactorTime (with callLater and seconds)', reactor);
    }
  }
  let timeout: number | undefined = DEFAULT_TIMEOUT;
  if (options.timeout === null) timeout = undefined;
  else if (options.timeout !== undefined) {
    validateNumber(options.timeout, 'timeout', 0);
    timeout = options.timeout;
  }
  const seconds = (value: unknown, name: string, fallback: number): number => {
    if (value === undefined) return fallback;
    validateNumber(value, name, 0);
    return value;
  };
  const maxHeaderSize = options.maxHeaderSize ?? 16384;
  validateInteger(maxHeaderSize, 'maxHeaderSize', 1);
  const requestTimeout = seconds(options.requestTimeout, 'requestTimeout', 300);
  const headersTimeout = seconds(
    options.headersTimeout,
    'headersTimeout',
    Math.min(60, requestTimeout || 60),
  );
  if (requestTimeout > 0 && headersTimeout > requestTimeout) {
    throw invalidArgValue(
      'headersTimeout',
      `It must be <= requestTimeout (${requestTimeout}). Received ${headersTimeout}`,
    );
  }
  return {
    requestFactory: (requestFactory ?? undefined) as RequestFactory | undefined,
    logPath: logPath ?? undefined,
    timeout,
    logFormatter: logFormatter ?? undefined,
    reactor: reactor ?? undefined,
    headersTimeout,
    requestTimeout,
    keepAliveTimeout: seconds(options.keepAliveTimeout, 'keepAliveTimeout', 5),
    maxHeaderSize,
  };
}
