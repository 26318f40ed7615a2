/**
 * Coerce functions for `optParameters` (Twisted's `usage.portCoerce`).
 *
 * @module
 */
import type { Coerce } from './options.ts';

/** A port number 0–65535 from its text (Twisted's `portCoerce`). */
export const portCoerce: Coerce = Object.assign(
  function portCoerce(value: string): number {
    if (!/^\d+$/.test(value))
      throw new RangeError(`Port number must be an integer, not ${JSON.stringify(value)}`);
    const n = Number(value);
    if (n > 65535) throw new RangeError(`Port number not in range: ${n}`);
    return n;
  },
  { coerceDoc: 'Must be an int between 0 and 65535.' },
);
