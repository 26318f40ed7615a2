/**
 * Name resolution for the fakes: answered at once from what the test set up, never from DNS,
 * with the same argument check and result shapes as the real reactor's `resolve`.
 *
 * @internal
 * @module
 */
import { Deferred } from '../defer/index.ts';
import { DNSLookupError } from '../errors.ts';
import { ipFamily, validateString } from '../validate.ts';

/**
 * Resolves `name` at once: an IP literal to itself, `''` to `'0.0.0.0'` (as the real reactor's
 * `resolve`), any other name through `lookupName`; a name it does not know errbacks with
 * `DNSLookupError(unknownMessage)`. Nothing leaves the process.
 *
 * @param name the name to resolve; not a string → `TypeError` (`ERR_INVALID_ARG_TYPE`), thrown.
 * @param lookupName the fake's table of names.
 * @param unknownMessage the error message for a name not in the table.
 */
export function resolveLocally(
  name: unknown,
  lookupName: (name: string) => string | undefined,
  unknownMessage: (name: string) => string,
): Deferred<string> {
  validateString(name, 'name');
  const d = new Deferred<string>();
  const ip = name === '' ? '0.0.0.0' : ipFamily(name) !== 0 ? name : lookupName(name);
  if (ip !== undefined) d.callback(ip);
  else d.errback(new DNSLookupError(unknownMessage(name)));
  return d;
}
