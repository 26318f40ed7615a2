/**
 * The new logging API (Twisted's `twisted.logger`): `Logger`, `LogLevel`, the global publisher
 * and beginner, text / JSON / filtering observers, and rotating log files.
 *
 * @module
 */
export type { LogEvent, ILogObserver } from './event.ts';
export { LogLevel, type LogLevelName, type LogLevelJSON } from './levels.ts';
export { Logger, type LoggerOptions, type LogFields, type Unpersistable } from './logger.ts';
export { CallableObserver } from './callable-observer.ts';
export { LogPublisher } from './log-publisher.ts';
export { globalLogPublisher } from './global-publisher.ts';
export { LogBeginner, globalLogBeginner, type BeginLoggingOptions } from './log-beginner.ts';
export { LimitedHistoryLogObserver } from './limited-history-log-observer.ts';
export {
  FilteringLogObserver,
  LogLevelFilterPredicate,
  PredicateResult,
  CallablePredicate,
  shouldLogEvent,
  type ILogFilterPredicate,
} from './filtering-log-observer.ts';
export { FileLogObserver, textFileLogObserver, type LogWritable } from './file-log-observer.ts';
export {
  jsonFileLogObserver,
  eventsFromJSONLogFile,
  eventAsJSON,
  eventFromJSON,
  failureAsJSON,
  failureFromJSON,
  type BadRecordHandler,
} from './json.ts';
export {
  formatEvent,
  eventAsText,
  formatTime,
  formatEventAsClassicLogText,
  flattenEvent,
  timeFormatRFC3339,
  type EventAsTextOptions,
} from './format.ts';
export { BaseLogFile, LogReader, type BaseLogFileOptions } from './base-log-file.ts';
export { LogFile, type LogFileOptions } from './log-file.ts';
export { DailyLogFile, type LogDate } from './daily-log-file.ts';
