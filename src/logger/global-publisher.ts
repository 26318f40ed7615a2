/**
 * The process-wide publisher every `Logger` without an observer of its own emits to (Twisted's
 * `globalLogPublisher`).
 *
 * @module
 */
import { LogPublisher } from './log-publisher.ts';
import { processWide } from './process-wide.ts';

/**
 * The process-wide publisher: every `Logger` without its own observer and every `log.msg` /
 * `log.err` event goes here. Add observers with `globalLogPublisher.addObserver`, or begin
 * logging with `globalLogBeginner.beginLoggingTo`.
 */
export const globalLogPublisher: LogPublisher = processWide('globalLogPublisher', () => new LogPublisher());
