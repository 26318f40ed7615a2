/**
 * The shape of a log event and of an observer (Twisted's `LogEvent` and `ILogObserver`).
 *
 * @module
 */
import type { Failure } from '../failure.ts';
import type { LogLevel } from './levels.ts';

/**
 * A log event: a plain object with Twisted's `log_*` keys plus the fields of the format string.
 * Nothing is formatted when it is emitted; observers format it if and when they need text.
 */
export interface LogEvent {
  /** The format string (`'got {count} datagrams'`); `undefined`/`null` when there is no text. */
  log_format?: string | null;
  /** The level (one of the `LogLevel` constants). */
  log_level?: LogLevel;
  /** The namespace of the logger that emitted it (`'statsd.server'`). */
  log_namespace?: string;
  /** The object the logger belongs to, if any. */
  log_source?: unknown;
  /** When it was emitted, in epoch seconds. */
  log_time?: number;
  /** A failure (`Logger.failure`) whose traceback the text observers print after the text. */
  log_failure?: Failure;
  /** The `Logger` that emitted it. */
  log_logger?: unknown;
  /** A system name that the text observers show instead of `namespace#level`. */
  log_system?: string;
  /** The fields of the format string, pre-rendered (Twisted's flattening; set by the JSON observer). */
  log_flattened?: Record<string, unknown>;
  /** Any other field. */
  [key: string]: unknown;
}

/**
 * A log observer: a function that receives every event. It may return a Promise (an async
 * observer); a rejection is reported like a throw.
 */
export type ILogObserver = (event: LogEvent) => unknown;
