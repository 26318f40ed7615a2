/**
 * Twisted-style logging: `msg`, `err`, observers and `startLogging`. An event is a plain object;
 * observers receive every event. By default errors are printed to stderr and informational
 * messages go nowhere until `startLogging(stream)` is called, as a library should behave.
 *
 * @module
 */
import type { Writable } from 'node:stream';
import { inspect } from 'node:util';
import { Failure } from '../failure.ts';
import { validateFunction } from '../validate.ts';

/** What observers receive. */
export interface LogEvent {
  /** The positional arguments of `msg` (empty for `err`). */
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
  /** Other keys given through {@link emit}. */
  [key: string]: unknown;
}

/** A function that receives every log event. */
export type LogObserver = (event: LogEvent) => void;

const observers: LogObserver[] = [];
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

/** Sends a complete event to every observer. An observer that throws is removed and reported. */
export function emit(fields: Partial<LogEvent>): void {
  const event: LogEvent = {
    message: [],
    isError: false,
    system: contextSystem,
    time: Date.now() / 1000,
    ...fields,
  };
  for (const observer of observers.slice()) {
    try {
      observer(event);
    } catch (e) {
      removeObserver(observer);
      const report = new Failure(e);
      emit({
        isError: true,
        failure: report,
        why: `Log observer ${observer.name || '<anonymous>'} failed and was removed`,
        system: 'log',
      });
      if (observers.length === 0) process.stderr.write(`${report.getTraceback()}\n`);
    }
  }
}

/** Logs an informational message (Twisted's `log.msg`). */
export function msg(...message: unknown[]): void {
  // Nobody listens to informational messages until startLogging/addObserver: skip the event.
  if (observers.length === 0 || (observers.length === 1 && observers[0] === defaultErrorObserver)) return;
  emit({ message });
}

/**
 * Logs an error (Twisted's `log.err`): an Error, a `Failure`, or any thrown value, with an
 * optional explanation. `system` overrides the current context's.
 */
export function err(reason: unknown, why?: string, system?: string): void {
  const failure = reason instanceof Failure ? reason : new Failure(reason);
  const fields: Partial<LogEvent> = { isError: true, failure };
  if (why !== undefined) fields.why = why;
  if (system !== undefined) fields.system = system;
  emit(fields);
}

/** Adds an observer; it receives every event from now on. */
export function addObserver(observer: LogObserver): void {
  validateFunction(observer, 'observer');
  observers.push(observer);
}

/** Removes an observer; removing one that is not there does nothing. */
export function removeObserver(observer: LogObserver): void {
  const i = observers.indexOf(observer);
  if (i !== -1) observers.splice(i, 1);
}

/**
 * The text of an event as Twisted formats it: the message, or for an error `why` (or
 * "Unhandled Error") followed by the traceback. `undefined` when there is nothing to say.
 */
export function textFromEventDict(event: LogEvent): string | undefined {
  if (event.isError && event.failure) {
    return `${event.why ?? 'Unhandled Error'}\n${event.failure.getTraceback()}`;
  }
  if (event.message.length === 0) return event.why;
  return event.message.map((m) => (typeof m === 'string' ? m : inspect(m))).join(' ');
}

function timestamp(seconds: number): string {
  return `${new Date(seconds * 1000)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, '')}+0000`;
}

/** An observer that writes `<time> [<system>] <text>` lines to a stream (Twisted's FileLogObserver). */
export function fileObserver(stream: Pick<Writable, 'write'>): LogObserver {
  return function fileLogObserver(event: LogEvent): void {
    const text = textFromEventDict(event);
    if (text === undefined) return;
    stream.write(`${timestamp(event.time)} [${event.system}] ${text.replaceAll('\n', '\n\t')}\n`);
  };
}

/** Until `startLogging` is called, errors are printed to stderr so that none is lost. */
export const defaultErrorObserver: LogObserver = function defaultErrorObserver(event) {
  if (!event.isError) return;
  const text = textFromEventDict(event);
  if (text !== undefined) process.stderr.write(`[${event.system}] ${text}\n`);
};
observers.push(defaultErrorObserver);

/**
 * Starts logging every event to `stream` (e.g. `process.stdout`); the default stderr error
 * printer is then replaced by it. Returns the observer, for `removeObserver`.
 */
export function startLogging(stream: Pick<Writable, 'write'>): LogObserver {
  if (stream === null || typeof stream !== 'object' || typeof stream.write !== 'function') {
    throw new TypeError('The "stream" argument must be a writable stream (an object with write())');
  }
  removeObserver(defaultErrorObserver);
  const observer = fileObserver(stream);
  addObserver(observer);
  return observer;
}
