/**
 * `LogLevel` (Twisted's `twisted.logger.LogLevel`): five constants compared by identity.
 *
 * @module
 */
import { InvalidLogLevelError } from '../errors/logger.ts';
import { processWide } from './process-wide.ts';

/** A level as JSON: Twisted's encoding of a named constant. */
export interface LogLevelJSON {
  /** The level's name. */
  name: LogLevelName;
  /** The UUID Twisted's JSON observer tags log levels with. */
  __class_uuid__: string;
}

/** The name of a log level. */
export type LogLevelName = 'debug' | 'info' | 'warn' | 'error' | 'critical';

const UUID = '02e59486-f24d-46ad-8224-3acdf2a5732a';
const names: readonly LogLevelName[] = ['debug', 'info', 'warn', 'error', 'critical'];

/**
 * A log level. There are exactly five, `LogLevel.debug` … `LogLevel.critical`, compared by
 * identity (`event.log_level === LogLevel.warn`) and ordered by {@link LogLevel.severity}. The
 * same five objects are shared by every copy of twisted-ts in the process (ESM and CommonJS), and
 * a level read back from a JSON log file (ours or Python Twisted's) is the constant itself.
 *
 * @example
 * log.emit(LogLevel.warn, 'disk {percent}% full', { percent: 91 });
 * LogLevel.levelWithName('warn') === LogLevel.warn; // true
 */
export class LogLevel {
  /** The level's name: `'debug'`, `'info'`, `'warn'`, `'error'` or `'critical'`. */
  readonly name: LogLevelName;
  /** 0 for debug up to 4 for critical: a higher level is more severe. */
  readonly severity: number;

  private constructor(name: LogLevelName, severity: number) {
    this.name = name;
    this.severity = severity;
    Object.freeze(this);
  }

  /** Debugging events: of interest to a developer diagnosing the software. */
  static readonly debug: LogLevel;
  /** Informational events: routine status (a port opened, a peer connected). */
  static readonly info: LogLevel;
  /** Warnings: may need an administrator's attention, not a systemic failure. */
  static readonly warn: LogLevel;
  /** Errors: a systemic failure (an unhandled exception, a lost dependency). */
  static readonly error: LogLevel;
  /** Critical failures: outage, data loss, or an error whose impact is unknown. */
  static readonly critical: LogLevel;

  /**
   * The level named `name`.
   *
   * @throws InvalidLogLevelError when no level has that name.
   */
  static levelWithName(name: string): LogLevel {
    const level = names.includes(name as LogLevelName) ? LogLevel[name as LogLevelName] : undefined;
    if (level === undefined) throw new InvalidLogLevelError(name);
    return level;
  }

  /** The five levels, from debug to critical (Twisted's `iterconstants()`). */
  static iterconstants(): LogLevel[] {
    return names.map((n) => LogLevel[n]);
  }

  /** Whether `value` is one of the five constants. */
  static isLogLevel(value: unknown): value is LogLevel {
    return (
      value !== null &&
      typeof value === 'object' &&
      LogLevel[(value as { name: LogLevelName }).name] === value &&
      names.includes((value as { name: LogLevelName }).name)
    );
  }

  /** Twisted's JSON form, `{ name, __class_uuid__ }`, which Python Twisted reads back as the same level. */
  toJSON(): LogLevelJSON {
    return { name: this.name, __class_uuid__: UUID };
  }

  /** `<LogLevel=info>`, as Twisted's constants print. */
  toString(): string {
    return `<LogLevel=${this.name}>`;
  }
}

/** The `__class_uuid__` Twisted's JSON observer writes for a log level. */
export const LOG_LEVEL_UUID = UUID;

const shared = processWide('LogLevel', () => {
  const make = (name: LogLevelName, severity: number): LogLevel =>
    new (LogLevel as unknown as new (n: LogLevelName, s: number) => LogLevel)(name, severity);
  return Object.freeze({
    debug: make('debug', 0),
    info: make('info', 1),
    warn: make('warn', 2),
    error: make('error', 3),
    critical: make('critical', 4),
  });
});
for (const n of names) Object.defineProperty(LogLevel, n, { value: shared[n], enumerable: true });
