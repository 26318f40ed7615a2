/**
 * Twisted's legacy logging API (`twisted.python.log`): `msg`, `err`, observers and
 * `startLogging`, bridged to the new API (`twisted.logger`) as Twisted bridges them: every event
 * goes through `globalLogPublisher`, so `Logger` events reach the observers added here (with the
 * legacy keys filled in) and `msg`/`err` events reach the new observers (with `log_*` keys).
 *
 * Until logging begins (`startLogging`, or `globalLogBeginner.beginLoggingTo`), informational
 * events are held (the last 200) and errors are printed to stderr, as a library should behave.
 *
 * @module
 */
import type { Writable } from 'node:stream';
import { inspect } from 'node:util';
import { Failure } from '../failure.ts';
import type { ILogObserver, LogEvent as NewLogEvent } from '../logger/event.ts';
import { formatEvent } from '../logger/format.ts';
import { globalLogPublisher } from '../logger/global-publisher.ts';
import { globalLogBeginner } from '../logger/log-beginner.ts';
import { LogLevel } from '../logger/levels.ts';
import { processWide } from '../logger/process-wide.ts';
import { validateFunction } from '../validate.ts';

/** What observers receive. */
export interface LogEvent {
  /** The positional arguments of `msg` (empty for `err` with an error). */
  message: unknown[];
  /** `true` for events from `err` (or an `emit` that says so); `false` for `msg`. */
  isError: boolean;
  /** For errors: the failure. */
  failure?: Failure;
  /** For errors: why it happened, as the caller of `err` put it. */
  why?: string;
  /** Who logged it: a port's or protocol's log prefix, or `'-'`. */
  system: string;
  /** Epoch seconds. */
  time: number;
  /** Other keys given through {@link emit}, and the new API's `log_*` keys. */
  [key: string]: unknown;
}

/** A function that receives every log event. */
export type LogObserver = (event: LogEvent) => unknown;

// The legacy observers and the wrappers that adapt new-style events for them; shared by every copy
// of the package, as the publisher is.
const wrappers = processWide('legacyLogObservers', () => new Map<LogObserver, ILogObserver>());
let contextSystem = '-';

/**
 * Runs `fn` with `system` as the default system of what it logs (Twisted's `callWithContext`),
 * restoring the previous one afterwards.
 */
export function callWithContext<R>(context: { system: string }, fn: () => R): R {
  const saved = contextSystem;
  contextSystem = context.system;
  try {
    return fn();
  } finally {
    contextSystem = saved;
  }
}

/**
 * Gives a legacy event the new API's keys (Twisted's `publishToNewObserver`): the text of the
 * event becomes `log_text` with the format `{log_text}`, errors are `critical`, the namespace is
 * `log_legacy`.
 */
function publish(event: LogEvent): void {
  const e = event as LogEvent & NewLogEvent;
  if (e.log_time === undefined) e.log_time = event.time;
  if (e.log_format === undefined) {
    const text = textFromEventDict(event);
    if (text !== undefined) {
      e.log_text = text;
      e.log_format = '{log_text}';
    }
  }
  if (e.log_level === undefined) e.log_level = event.isError ? LogLevel.critical : LogLevel.info;
  if (e.log_namespace === undefined) e.log_namespace = 'log_legacy';
  if (e.log_system === undefined) e.log_system = event.system;
  globalLogPublisher(e);
}

/** Sends a complete event to every observer (the legacy ones and the new API's). */
export function emit(fields: Partial<LogEvent>): void {
  const event: LogEvent = {
    message: [],
    isError: false,
    system: contextSystem,
    time: Date.now() / 1000,
    ...fields,
  };
  publish(event);
}

/** Logs an informational message (Twisted's `log.msg`): the arguments joined by spaces. */
export function msg(...message: unknown[]): void {
  publish({ message, isError: false, system: contextSystem, time: Date.now() / 1000 });
}

/**
 * Logs an error (Twisted's `log.err`) with an optional explanation; `system` overrides the
 * current context's.
 *
 * - An `Error` or a `Failure` is logged with its traceback, under `why` (or "Unhandled Error").
 * - A string is logged as one error line, as Twisted does (`log.err('disk full')` prints
 *   `'disk full'`); with `why`, as `why: 'disk full'`. No traceback: there is no exception.
 * - Any other thrown value is wrapped in a `Failure` (`NonErrorThrown`).
 */
export function err(reason: unknown, why?: string, system?: string): void {
  const event: LogEvent = {
    message: [],
    isError: true,
    system: system ?? contextSystem,
    time: Date.now() / 1000,
  };
  if (typeof reason === 'string') {
    event.message = [inspect(reason)];
  } else {
    event.failure = reason instanceof Failure ? reason : new Failure(reason);
  }
  if (why !== undefined) event.why = why;
  publish(event);
}

/**
 * Adapts a new-style event for a legacy observer (Twisted's `LegacyLogObserverWrapper`): fills
 * in `message`, `time`, `system`, `isError`, `failure` and `why` when they are missing.
 */
function legacyWrapper(observer: LogObserver): ILogObserver {
  const wrapped = function legacyObserver(e: NewLogEvent): unknown {
    if (e.message === undefined) e.message = [];
    if (e.time === undefined) e.time = e.log_time;
    if (e.system === undefined) e.system = e.log_system ?? '-';
    if (e.log_failure !== undefined) {
      if (e.failure === undefined) e.failure = e.log_failure;
      if (e.isError === undefined) e.isError = true;
      if (e.why === undefined) e.why = formatEvent(e);
    } else if (e.isError === undefined) {
      const level = e.log_level as LogLevel | undefined;
      e.isError = level !== undefined && level.severity >= LogLevel.error.severity;
    }
    return observer(e as unknown as LogEvent);
  };
  // Reports of a failing observer name the user's function, not this wrapper.
  Object.defineProperty(wrapped, 'name', { value: observer.name || 'legacyObserver' });
  return wrapped;
}

/** Adds an observer; it receives every event from now on (those of `Logger` too). */
export function addObserver(observer: LogObserver): void {
  validateFunction(observer, 'observer');
  if (wrappers.has(observer)) return;
  const wrapped =
    observer === defaultErrorObserver ? globalLogBeginner.errorPrinter : legacyWrapper(observer);
  wrappers.set(observer, wrapped);
  globalLogPublisher.addObserver(wrapped);
}

/** Removes an observer; removing one that is not there does nothing. */
export function removeObserver(observer: LogObserver): void {
  if (observer === defaultErrorObserver) {
    wrappers.delete(observer);
    globalLogPublisher.removeObserver(globalLogBeginner.errorPrinter);
    return;
  }
  const wrapped = wrappers.get(observer);
  if (wrapped === undefined) return;
  wrappers.delete(observer);
  globalLogPublisher.removeObserver(wrapped);
}

/**
 * The text of an event as Twisted formats it: the message (and for `err` of a string, `why`
 * before it), or for an error `why` (or "Unhandled Error") followed by the traceback, or the
 * new API's formatted `log_format`. `undefined` when there is nothing to say.
 */
export function textFromEventDict(event: LogEvent): string | undefined {
  const message = event.message;
  if (message === undefined || message.length === 0) {
    if (event.isError && event.failure) {
      return `${event.why || 'Unhandled Error'}\n${event.failure.getTraceback()}`;
    }
    const format = (event as NewLogEvent).log_format;
    if (typeof format === 'string') return formatEvent(event as NewLogEvent);
    return event.why;
  }
  const text =
    message.length === 1 && typeof message[0] === 'string'
      ? message[0]
      : message.map((m) => (typeof m === 'string' ? m : inspect(m))).join(' ');
  return event.isError && event.why !== undefined ? `${event.why}: ${text}` : text;
}

function timestamp(seconds: number): string {
  const d = new Date(seconds * 1000);
  const offset = -d.getTimezoneOffset();
  const local = new Date(d.getTime() + offset * 60_000);
  const abs = Math.abs(offset);
  const zone = `${offset < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
  return `${local
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, '')}${zone}`;
}

/**
 * An observer that writes `<time> [<system>] <text>` lines to a stream (Twisted's legacy
 * `FileLogObserver`, the format `twistd` and `log.startLogging` write: `2024-05-01 12:00:00+0000
 * [-] text`), continuation lines indented with a tab.
 */
export function fileObserver(stream: Pick<Writable, 'write'>): LogObserver {
  return function fileLogObserver(event: LogEvent): void {
    const text = textFromEventDict(event);
    if (text === undefined) return;
    stream.write(`${timestamp(event.time)} [${event.system}] ${text.replaceAll('\n', '\n\t')}\n`);
  };
}

/**
 * Until logging begins, errors are printed to stderr (as `[system] text`) so that none is lost.
 * Remove it (`removeObserver(defaultErrorObserver)`) to silence them; `startLogging` and
 * `globalLogBeginner.beginLoggingTo` remove it.
 */
export const defaultErrorObserver: LogObserver = function defaultErrorObserver(event): void {
  void globalLogBeginner.errorPrinter(event as unknown as NewLogEvent);
};
if (!globalLogBeginner.begun && !wrappers.has(defaultErrorObserver)) {
  // The printer is already on the publisher (the beginner put it there); record it so that
  // removeObserver(defaultErrorObserver) finds it.
  wrappers.set(defaultErrorObserver, globalLogBeginner.errorPrinter);
}

/**
 * Starts logging every event to `stream` (e.g. `process.stdout`) in `twistd`'s text format and
 * logs "Log opened." (Twisted's `startLogging`); the default stderr error printer is then
 * replaced by it. Events logged earlier are not replayed (as Twisted's `startLogging`). With
 * `setStdout` true, what the program writes to stdout/stderr becomes log events too (Twisted's
 * default is true; here it is false, since a Node program's own output is rarely meant for the
 * log). Returns the observer, for `removeObserver`.
 */
export function startLogging(stream: Pick<Writable, 'write'>, setStdout = false): LogObserver {
  if (stream === null || typeof stream !== 'object' || typeof stream.write !== 'function') {
    throw new TypeError('The "stream" argument must be a writable stream (an object with write())');
  }
  removeObserver(defaultErrorObserver);
  const observer = fileObserver(stream);
  const wrapped = legacyWrapper(observer);
  wrappers.set(observer, wrapped);
  globalLogBeginner.beginLoggingTo([wrapped], {
    discardBuffer: true,
    redirectStandardIO: setStdout === true,
  });
  msg('Log opened.');
  return observer;
}
