/**
 * Log capture for the test suites (one copy for transports, testing and hardening): collects
 * log events until `stop()`, with the default stderr printer off meanwhile, so that expected
 * errors do not clutter the output.
 */
import { addObserver, defaultErrorObserver, removeObserver } from '../../src/log/log.ts';
import type { LogEvent } from '../../src/log/log.ts';

/** What {@link captureLog} returns. */
export interface LogCapture {
  /** Every event logged since the capture started, in order. */
  events: LogEvent[];
  /** The text of the non-error events (`log.msg` lines). */
  messages: () => string[];
  /** The error events (`log.err`). */
  errors: () => LogEvent[];
  /** Ends the capture and puts the default stderr printer back. */
  stop: () => void;
}

/** Captures log events until `stop()`; the default stderr printer is off while capturing. */
export function captureLog(): LogCapture {
  const events: LogEvent[] = [];
  const observer = (e: LogEvent): void => {
    events.push(e);
  };
  removeObserver(defaultErrorObserver);
  addObserver(observer);
  return {
    events,
    messages: () => events.filter((e) => !e.isError).map((e) => e.message.map(String).join(' ')),
    errors: () => events.filter((e) => e.isError),
    stop: () => {
      removeObserver(observer);
      // Removing first keeps it from being added twice if a test put it back itself.
      removeObserver(defaultErrorObserver);
      addObserver(defaultErrorObserver);
    },
  };
}
