/**
 * The checks on what is written to a stream transport, shared by the real connections and the
 * testing fakes (`StringTransport`), so that a fake refuses exactly what a connection refuses.
 *
 * @internal
 * @module
 */
import { invalidArgType } from '../../validate.ts';

const expected =
  'an instance of Buffer or Uint8Array (a transport sends bytes, as in Twisted: encode text first, ' +
  'e.g. Buffer.from(text))';

/** `data` must be a `Uint8Array` (a `Buffer`): strings are not coerced (Twisted: "Data must be bytes"). */
export function checkStreamData(data: unknown, name = 'data'): asserts data is Uint8Array {
  if (!(data instanceof Uint8Array)) throw invalidArgType(name, expected, data);
}

/** `data` must be an array (or other iterable) of `Uint8Array`s; every element is checked before any is written. */
export function checkStreamSequence(data: unknown, name = 'data'): Uint8Array[] {
  if (
    data === null ||
    typeof data !== 'object' ||
    data instanceof Uint8Array ||
    typeof (data as Iterable<unknown>)[Symbol.iterator] !== 'function'
  ) {
    throw invalidArgType(name, 'an array of Buffers or Uint8Arrays', data);
  }
  const chunks = Array.isArray(data) ? (data as unknown[]) : [...(data as Iterable<unknown>)];
  for (let i = 0; i < chunks.length; i++) checkStreamData(chunks[i], `${name}[${i}]`);
  return chunks as Uint8Array[];
}
