/**
 * The errors of command-line parsing (`twisted.python.usage`).
 *
 * @module
 */
import { TwistedError } from './base.ts';

/**
 * A command line that cannot be parsed (Twisted's `usage.UsageError`): an unknown option, a
 * missing or refused value, a wrong number of arguments, or whatever `postOptions` rejects.
 * `option` and `value` name the culprit when there is one.
 */
export class UsageError extends TwistedError {
  override readonly code = 'ERR_USAGE';
  /** The option at fault (`'--port'`), when there is one. */
  readonly option: string | undefined;
  /** The value at fault, when there is one. */
  readonly value: string | undefined;
  constructor(message: string, details: { option?: string; value?: string; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.option = details.option;
    this.value = details.value;
  }
}
