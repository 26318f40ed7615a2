/**
 * The second layer of the endpoint description grammar: tokens to arguments, as Twisted's
 * `endpoints._parse`. The first argument is the endpoint type; the others are positional
 * (`tcp:8080`) or named (`interface=127.0.0.1`), in any order.
 *
 * @internal
 */
import { EndpointSyntaxError } from '../../errors/endpoints.ts';
import { tokenize, type TextToken } from './lexer.ts';

/** One piece of text of the description: its unescaped value and where it was written. */
export interface Part {
  /** The text, escapes resolved. */
  readonly value: string;
  /** Offset of its first character in the description. */
  readonly index: number;
  /** Offset just after its last character. */
  readonly end: number;
}

/** A `name=value` argument. */
export interface NamedArgument {
  /** The name, before the first `=`. */
  readonly name: Part;
  /** The value, after it (it may contain more `=`). */
  readonly value: Part;
}

/** A description split into its type and its arguments. */
export interface ParsedDescription {
  /** The whole description, for error messages. */
  readonly description: string;
  /** The endpoint type: the text before the first `:` (`tcp`, `unix`, `ssl`…). */
  readonly type: Part;
  /** The arguments without a name, in order. */
  readonly positional: readonly Part[];
  /** The named arguments, by name. */
  readonly named: ReadonlyMap<string, NamedArgument>;
}

const part = (t: TextToken): Part => ({ value: t.value, index: t.index, end: t.end });

/**
 * Splits a description into its type, positional and named arguments. Unlike Twisted (whose
 * keyword dictionary keeps the last), a name given twice is an error pointing at the second,
 * and so is an empty name (`tcp:=80`).
 */
export function parseArguments(description: string): ParsedDescription {
  const tokens = tokenize(description);
  const args: (Part | NamedArgument)[] = [];
  // Texts sit at even positions; each argument is `text` or `text = text`.
  for (let i = 0; i < tokens.length; i += 2) {
    const first = tokens[i] as TextToken;
    if (tokens[i + 1]?.kind === '=') {
      const value = tokens[i + 2] as TextToken;
      args.push({ name: part(first), value: part(value) });
      i += 2;
    } else {
      args.push(part(first));
    }
  }
  const [type, ...rest] = args;
  if ('name' in type) {
    throw new EndpointSyntaxError({
      description,
      index: type.name.index,
      length: 0,
      reason:
        "a description starts with the endpoint type, such as 'tcp:8080' or " +
        "'unix:/run/app.sock', not with a named argument",
    });
  }
  const positional: Part[] = [];
  const named = new Map<string, NamedArgument>();
  for (const arg of rest) {
    if (!('name' in arg)) {
      positional.push(arg);
      continue;
    }
    const { name, value } = arg;
    if (name.value === '') {
      throw new EndpointSyntaxError({
        description,
        index: name.index,
        length: value.end - name.index,
        reason: 'a named argument needs a name before its "="',
      });
    }
    if (named.has(name.value)) {
      throw new EndpointSyntaxError({
        description,
        index: name.index,
        length: value.end - name.index,
        reason: `"${name.value}" is given twice`,
      });
    }
    named.set(name.value, arg);
  }
  return { description, type, positional, named };
}
