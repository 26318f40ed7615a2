/**
 * Twisted's `endpoints.quoteStringArgument`.
 *
 * @module
 */
import { validateString } from '../validate.ts';

/**
 * Escapes backslashes and colons so that `argument` reads back unchanged as one argument of an
 * endpoint description (`serverFromString(reactor, \`unix:${quoteStringArgument(path)}\`)`).
 * An `=` needs no escape in a value, only in an argument without a name.
 *
 * @example
 * quoteStringArgument('C:\\key.pem'); // 'C\\:\\\\key.pem'
 */
export function quoteStringArgument(argument: string): string {
  validateString(argument, 'argument');
  return argument.replace(/[\\:]/g, (c) => `\\${c}`);
}
