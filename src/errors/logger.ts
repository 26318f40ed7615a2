/**
 * The errors of the logging layer (`twisted.logger`).
 *
 * @module
 */
import { TwistedError } from './base.ts';

/** A value that is not one of the `LogLevel` constants was used as a level (Twisted's `InvalidLogLevelError`). */
export class InvalidLogLevelError extends TwistedError {
  override readonly code = 'ERR_INVALID_LOG_LEVEL';
  /** The rejected level (a name, or whatever was passed). */
  readonly level: unknown;
  constructor(level: unknown) {
    super(`Invalid log level: ${typeof level === 'string' ? JSON.stringify(level) : String(level)}`);
    this.level = level;
  }
}
