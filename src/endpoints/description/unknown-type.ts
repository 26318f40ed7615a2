/**
 * The error for a description whose type no parser knows.
 *
 * @internal
 */
import { EndpointSyntaxError } from '../../errors/endpoints.ts';
import type { ParsedDescription } from './arguments.ts';

/** Twisted's `Unknown endpoint type: 'ftl'`, pointing at the type and listing the known ones. */
export function unknownType(parsed: ParsedDescription, known: readonly string[]): EndpointSyntaxError {
  const { type, description } = parsed;
  const reason =
    type.value === ''
      ? `a description starts with the endpoint type (${known.join(', ')}) and a colon, as in 'tcp:8080'`
      : `Unknown endpoint type: '${type.value}' (known types: ${known.join(', ')})`;
  return new EndpointSyntaxError({
    description,
    index: type.index,
    length: type.end - type.index,
    reason,
  });
}
