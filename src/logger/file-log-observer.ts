/**
 * `FileLogObserver` and `textFileLogObserver` (Twisted's `twisted.logger._file`): write each
 * event's text to a stream.
 *
 * @module
 */
import { CallableObserver } from './callable-observer.ts';
import type { LogEvent } from './event.ts';
import { formatEventAsClassicLogText, formatTime, timeFormatRFC3339 } from './format.ts';

/**
 * Where a file observer writes: a Node `Writable` (`process.stdout`, `fs.createWriteStream`),
 * a `LogFile`, or anything with `write(text)`.
 */
export interface LogWritable {
  /** Writes one piece of text. */
  write(text: string): unknown;
}

type EventEmitterLike = {
  on?: (event: string, listener: (e: unknown) => void) => unknown;
  listenerCount?: (event: string) => number;
};

/**
 * Writes `formatEvent(event)` to a stream for every event that has text. A Node stream that
 * fails later (a full disk, a closed pipe) is reported once on stderr instead of crashing the
 * process with an unhandled `'error'` event.
 */
export class FileLogObserver extends CallableObserver {
  /** The formatter: an event's text, or `undefined`/`''` to write nothing. */
  readonly formatEvent: (event: LogEvent) => string | undefined | null;
  #stream: LogWritable;

  /** An observer writing `formatEvent(event)` to `stream`. */
  constructor(stream: LogWritable, formatEvent: (event: LogEvent) => string | undefined | null) {
    super();
    if (stream === null || typeof stream !== 'object' || typeof stream.write !== 'function') {
      throw Object.assign(
        new TypeError('The "stream" argument must be a writable stream (an object with write())'),
        { code: 'ERR_INVALID_ARG_TYPE' },
      );
    }
    if (typeof formatEvent !== 'function') {
      throw Object.assign(new TypeError('The "formatEvent" argument must be of type function'), {
        code: 'ERR_INVALID_ARG_TYPE',
      });
    }
    this.#stream = stream;
    this.formatEvent = formatEvent;
    const emitter = stream as EventEmitterLike;
    if (typeof emitter.on === 'function' && emitter.listenerCount?.('error') === 0) {
      let reported = false;
      emitter.on('error', (e: unknown) => {
        if (reported) return;
        reported = true;
        process.stderr.write(
          `twisted-ts: a log stream failed, its events are lost: ${e instanceof Error ? e.message : String(e)}\n`,
        );
      });
    }
  }

  /** Writes the event's text, if it has any. */
  observe(event: LogEvent): void {
    const text = this.formatEvent(event);
    if (text) this.#stream.write(text);
  }
}

/**
 * An observer writing `<time> [<namespace>#<level>] <text>` lines (`[<system>]` when the event
 * has one), continuation lines indented with a tab, the traceback after an event with a failure
 * (Twisted's `textFileLogObserver`). `timeFormat` is a `strftime` format, local time; `null`
 * writes `-`.
 *
 * @example
 * globalLogBeginner.beginLoggingTo([textFileLogObserver(process.stdout)]);
 */
export function textFileLogObserver(
  stream: LogWritable,
  timeFormat: string | null = timeFormatRFC3339,
): FileLogObserver {
  const timeFormatter = (when: number | undefined): string => formatTime(when, timeFormat);
  return new FileLogObserver(stream, (event) => formatEventAsClassicLogText(event, timeFormatter));
}
