/**
 * `Logger` (Twisted's `twisted.logger.Logger`): emits events with a level, a namespace and a
 * `{field}` format string, formatting nothing until an observer asks for text.
 *
 * @module
 */
import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Failure } from '../failure.ts';
import { InvalidLogLevelError } from '../errors/logger.ts';
import type { ILogObserver, LogEvent } from './event.ts';
import { globalLogPublisher } from './global-publisher.ts';
import { LogLevel } from './levels.ts';

/** What Twisted's JSON observer writes for an object that is not data. */
export interface Unpersistable {
  /** Always true. */
  unpersistable: true;
}

/** The fields of an event, beside the `log_*` keys the logger sets. */
export type LogFields = Record<string, unknown>;

/** The options of `new Logger({ … })`. */
export interface LoggerOptions {
  /** The namespace (dotted, as Python module names); by default derived from the file that creates the logger. */
  namespace?: string;
  /** The object the events are about (`log_source`). */
  source?: unknown;
  /** Where events go; by default `globalLogPublisher`. */
  observer?: ILogObserver;
}

/**
 * The namespace of the code that called `new Logger()`: its file path relative to the working
 * directory, without the extension, with `/` turned into `.` (`src/statsd/server.ts` →
 * `src.statsd.server`), as Twisted uses the caller's module name. `'<unknown>'` when there is no
 * file (code in `eval`, the REPL).
 */
function namespaceFromCaller(skip: abstract new (...a: never[]) => unknown): string {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 1;
  Error.captureStackTrace(holder, skip as unknown as (...a: never[]) => unknown);
  Error.stackTraceLimit = limit;
  const line = holder.stack?.split('\n')[1] ?? '';
  const m = /\(?((?:file:\/\/)?\/[^():]+|[A-Za-z]:\\[^():]+):\d+:\d+\)?\s*$/.exec(line);
  if (m === null) return '<unknown>';
  let file = m[1];
  if (file.startsWith('file://')) {
    try {
      file = fileURLToPath(file);
    } catch {
      return '<unknown>';
    }
  }
  let rel = relative(process.cwd(), file);
  if (rel.startsWith('..')) rel = file.split(sep).slice(-2).join(sep);
  const name = rel
    .replace(/\.[cm]?[jt]sx?$/, '')
    .split(sep)
    .filter(Boolean)
    .join('.');
  return name === '' ? '<unknown>' : name;
}

/**
 * Emits log events. Give each module or class its own logger; the namespace says where events
 * come from and lets `LogLevelFilterPredicate` set levels per namespace.
 *
 * Format strings use `{name}` fields, filled from the fields object when (and only if) an
 * observer formats the event: `{name!r}` shows a value inspected, `{obj.attr}` and `{list[0]}`
 * reach inside, `{fn()}` calls.
 *
 * @example
 * const log = new Logger({ namespace: 'statsd' });
 * log.info('got {count} datagrams from {peer}', { count: 3, peer: '127.0.0.1' });
 * d.addErrback((f) => log.failure('while flushing {bucket}', f, LogLevel.error, { bucket }));
 */
export class Logger {
  /** The namespace of the events (`log_namespace`). */
  readonly namespace: string;
  /** The object the events are about (`log_source`). */
  readonly source: unknown;
  /** Where the events go. */
  readonly observer: ILogObserver;

  /**
   * `new Logger(namespace?, source?, observer?)` or `new Logger({ namespace, source, observer })`.
   * Without a namespace, it is derived from the file that creates the logger (never empty).
   */
  constructor(namespaceOrOptions?: string | LoggerOptions, source?: unknown, observer?: ILogObserver) {
    let namespace: string | undefined;
    if (namespaceOrOptions !== null && typeof namespaceOrOptions === 'object') {
      ({ namespace, source, observer } = namespaceOrOptions);
    } else {
      namespace = namespaceOrOptions;
    }
    if (namespace !== undefined && typeof namespace !== 'string') {
      throw Object.assign(
        new TypeError(`The "namespace" argument must be of type string. Received ${typeof namespace}`),
        { code: 'ERR_INVALID_ARG_TYPE' },
      );
    }
    if (observer !== undefined && typeof observer !== 'function') {
      throw Object.assign(
        new TypeError(`The "observer" argument must be of type function. Received ${typeof observer}`),
        { code: 'ERR_INVALID_ARG_TYPE' },
      );
    }
    this.namespace =
      namespace === undefined || namespace === '' ? namespaceFromCaller(new.target) : namespace;
    this.source = source;
    this.observer = observer ?? globalLogPublisher;
  }

  /**
   * A logger for `source` with the namespace `<this namespace>.<its class name>` (what Twisted's
   * `Logger` does when read as a class attribute).
   */
  forSource(source: object): Logger {
    const name = (source as { constructor?: { name?: string } }).constructor?.name;
    return new Logger(name ? `${this.namespace}.${name}` : this.namespace, source, this.observer);
  }

  /**
   * Emits an event at `level` with `format` and `fields`. An invalid level is itself logged as
   * a failure (as Twisted does), not thrown.
   */
  emit(level: LogLevel, format?: string | null, fields?: LogFields): void {
    if (!LogLevel.isLogLevel(level)) {
      this.failure(
        'Got invalid log level {invalidLevel!r} in {logger}.emit().',
        new InvalidLogLevelError(level),
        LogLevel.critical,
        {
          invalidLevel: level,
          logger: this,
        },
      );
      return;
    }
    const event: LogEvent = fields === undefined ? {} : { ...fields };
    event.log_logger = this;
    event.log_level = level;
    event.log_namespace = this.namespace;
    event.log_source = this.source;
    event.log_format = format;
    event.log_time = Date.now() / 1000;
    this.observer(event);
  }

  /**
   * Logs a failure with its traceback, at `critical` unless told (Twisted's `Logger.failure`).
   * `failure` is a `Failure`, an `Error` or any thrown value (JavaScript has no "current
   * exception" to default to).
   */
  failure(format: string, failure: unknown, level: LogLevel = LogLevel.critical, fields?: LogFields): void {
    const f = failure instanceof Failure ? failure : new Failure(failure);
    this.emit(level, format, fields === undefined ? { log_failure: f } : { ...fields, log_failure: f });
  }

  /** Emits at `LogLevel.debug`. */
  debug(format?: string | null, fields?: LogFields): void {
    this.emit(LogLevel.debug, format, fields);
  }

  /** Emits at `LogLevel.info`. */
  info(format?: string | null, fields?: LogFields): void {
    this.emit(LogLevel.info, format, fields);
  }

  /** Emits at `LogLevel.warn`. */
  warn(format?: string | null, fields?: LogFields): void {
    this.emit(LogLevel.warn, format, fields);
  }

  /** Emits at `LogLevel.error`. */
  error(format?: string | null, fields?: LogFields): void {
    this.emit(LogLevel.error, format, fields);
  }

  /** Emits at `LogLevel.critical`. */
  critical(format?: string | null, fields?: LogFields): void {
    this.emit(LogLevel.critical, format, fields);
  }

  /** Loggers are not written to JSON logs (Python Twisted writes `{"unpersistable": true}` too). */
  toJSON(): Unpersistable {
    return { unpersistable: true };
  }

  /** `<Logger 'namespace'>`, as Twisted's repr. */
  toString(): string {
    return `<Logger '${this.namespace}'>`;
  }
}
