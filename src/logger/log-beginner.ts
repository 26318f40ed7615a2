/**
 * `LogBeginner` (Twisted's `twisted.logger.LogBeginner`) and the process-wide
 * `globalLogBeginner`: holds events logged before logging begins, prints errors meanwhile, and
 * begins logging to the observers it is given.
 *
 * @module
 */
import type { ILogObserver, LogEvent } from './event.ts';
import { eventAsText, formatSystem } from './format.ts';
import { globalLogPublisher } from './global-publisher.ts';
import { LimitedHistoryLogObserver } from './limited-history-log-observer.ts';
import { isDispatching, type LogPublisher } from './log-publisher.ts';
import { LogLevel } from './levels.ts';
import { Logger } from './logger.ts';
import { processWide } from './process-wide.ts';

const MORE_THAN_ONCE_WARNING =
  'Warning: primary log target selected twice at <{fileNow}> - previously selected at <{fileThen}>. ' +
  'Remove one of the calls to beginLoggingTo.';

/** The options of {@link LogBeginner.beginLoggingTo}. */
export interface BeginLoggingOptions {
  /** Drop the events held since start-up instead of replaying them to the new observers (default false). */
  discardBuffer?: boolean;
  /**
   * Also turn what is written to `process.stdout` / `process.stderr` into log events (info /
   * error, namespaces `stdout` / `stderr`). Default false: a Node program's own output stays its own.
   */
  redirectStandardIO?: boolean;
}

/** Where the writes of a redirected standard stream go. */
type Write = (chunk: string | Uint8Array, ...rest: unknown[]) => boolean;

function callerLocation(): string {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, LogBeginner.prototype.beginLoggingTo);
  const line = holder.stack?.split('\n')[1] ?? '';
  return line.trim().replace(/^at /, '');
}

/**
 * Holds the state of logging before it begins. Until `beginLoggingTo` is called, events are
 * kept (the last `initialBufferSize`, 200 by default) and errors (level `error` and above) are
 * printed to `errorStream` as `[system] text`; then the held events are replayed to the new
 * observers and the printing stops.
 */
export class LogBeginner {
  readonly #publisher: LogPublisher;
  readonly #buffer: LimitedHistoryLogObserver;
  readonly #log: Logger;
  #begun = false;
  #previousBegin = '';
  #restoreStdio: (() => void) | undefined;
  /**
   * The observer that prints errors to the error stream until logging begins (`log`'s
   * `defaultErrorObserver` is the same printer).
   */
  readonly errorPrinter: ILogObserver;

  /** A beginner for `publisher`, printing early errors to `errorStream`. */
  constructor(
    publisher: LogPublisher,
    errorStream: { write(text: string): unknown },
    initialBufferSize = 200,
  ) {
    this.#publisher = publisher;
    this.#buffer = new LimitedHistoryLogObserver(initialBufferSize);
    this.#log = new Logger('twisted-ts.logger.LogBeginner', undefined, publisher);
    this.errorPrinter = function defaultErrorObserver(event: LogEvent): void {
      const level = event.log_level as LogLevel | undefined;
      const isError =
        level === undefined ? event.isError === true : level.severity >= LogLevel.error.severity;
      if (!isError) return;
      const text = eventAsText(event, { includeTimestamp: false, includeSystem: false });
      if (text !== '') errorStream.write(`[${formatSystem(event)}] ${text}\n`);
    };
    publisher.addObserver(this.#buffer);
    publisher.addObserver(this.errorPrinter);
  }

  /** Whether `beginLoggingTo` was called. */
  get begun(): boolean {
    return this.#begun;
  }

  /**
   * Begins logging to `observers`: adds them to the publisher, replays the held events to them
   * (unless `discardBuffer`), stops printing errors to stderr, and — only if asked — redirects
   * standard output and error into the log. Meant to be called once; a second call adds its
   * observers and logs a warning. `beginLoggingTo(observers, discardBuffer?, redirectStandardIO?)`
   * also works, in Twisted's order.
   */
  beginLoggingTo(
    observers: Iterable<ILogObserver>,
    discardBufferOrOptions?: boolean | BeginLoggingOptions,
    redirectStandardIO?: boolean,
  ): void {
    const options: BeginLoggingOptions =
      typeof discardBufferOrOptions === 'object' && discardBufferOrOptions !== null
        ? discardBufferOrOptions
        : { discardBuffer: discardBufferOrOptions, redirectStandardIO };
    const list = [...observers];
    for (const o of list) {
      if (typeof o !== 'function') {
        throw Object.assign(new TypeError('The "observers" argument must hold functions'), {
          code: 'ERR_INVALID_ARG_TYPE',
        });
      }
    }
    const location = callerLocation();
    for (const o of list) this.#publisher.addObserver(o);
    if (!this.#begun) {
      this.#begun = true;
      this.#publisher.removeObserver(this.#buffer);
      this.#publisher.removeObserver(this.errorPrinter);
      if (options.discardBuffer !== true) {
        for (const o of list) this.#buffer.replayTo(o);
      }
    } else {
      this.#log.warn(MORE_THAN_ONCE_WARNING, { fileNow: location, fileThen: this.#previousBegin });
    }
    this.#previousBegin = location;
    if (options.redirectStandardIO === true && this.#restoreStdio === undefined) this.#redirect();
  }

  /** Puts `process.stdout`/`stderr` back if `redirectStandardIO` replaced their `write`. */
  restoreStandardIO(): void {
    this.#restoreStdio?.();
    this.#restoreStdio = undefined;
  }

  #redirect(): void {
    const streams = [
      [process.stdout, new Logger('stdout', undefined, this.#publisher), LogLevel.info],
      [process.stderr, new Logger('stderr', undefined, this.#publisher), LogLevel.error],
    ] as const;
    const saved: [NodeJS.WriteStream, Write][] = [];
    for (const [stream, logger, level] of streams) {
      const original = stream.write as Write;
      let partial = '';
      const write: Write = function write(this: NodeJS.WriteStream, chunk, ...rest) {
        // An observer writing to this very stream (a text observer on stdout) must reach it.
        if (isDispatching()) return original.call(this, chunk, ...rest);
        const text = partial + (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        const lines = text.split('\n');
        partial = lines.pop()!;
        for (const line of lines) logger.emit(level, '{log_io}', { log_io: line });
        const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
        if (callback) process.nextTick(callback);
        return true;
      };
      stream.write = write as typeof stream.write;
      saved.push([stream, original]);
    }
    this.#restoreStdio = () => {
      for (const [stream, original] of saved) stream.write = original as typeof stream.write;
    };
  }
}

/**
 * The process-wide beginner (Twisted's `globalLogBeginner`): call
 * `globalLogBeginner.beginLoggingTo([observer])` once, early, to begin logging.
 *
 * @example
 * import { globalLogBeginner, textFileLogObserver } from 'twisted-ts';
 * globalLogBeginner.beginLoggingTo([textFileLogObserver(process.stdout)]);
 */
export const globalLogBeginner: LogBeginner = processWide(
  'globalLogBeginner',
  () => new LogBeginner(globalLogPublisher, process.stderr),
);
