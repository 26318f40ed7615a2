/**
 * The description argument of `serverFromString`/`clientFromString`: text, or bytes as Twisted
 * also takes (UTF-8).
 *
 * @internal
 */
import { invalidArgType } from '../../validate.ts';

/** The description as text, or a TypeError naming it. */
export function checkDescription(description: unknown): string {
  if (typeof description === 'string') return description;
  if (description instanceof Uint8Array) return Buffer.from(description).toString('utf8');
  throw invalidArgType(
    'description',
    'of type string (an endpoint description such as "tcp:8080")',
    description,
  );
}
