/**
 * The first layer of the endpoint description grammar: characters to tokens, as Twisted's
 * `endpoints._tokenize`. A `:` separates arguments, the first `=` of an argument separates its
 * name from its value (later ones belong to the value: `unix:address=foo=bar`), and a backslash
 * makes the next character literal (`\:`, `\=`, `\\`).
 *
 * @internal
 */
import { EndpointSyntaxError } from '../../errors/endpoints.ts';

/** A run of text between operators, unescaped, with where it sits in the description. */
export interface TextToken {
  /** The kind of token. */
  readonly kind: 'text';
  /** The text with its escapes resolved. */
  readonly value: string;
  /** Offset of its first character in the description (its escapes included). */
  readonly index: number;
  /** Offset just after its last character. */
  readonly end: number;
}

/** A `:` (next argument) or the `=` that ends an argument's name. */
export interface OperatorToken {
  /** The kind of token. */
  readonly kind: ':' | '=';
  /** Offset of the operator in the description. */
  readonly index: number;
}

/** One token: text, or an operator. Texts and operators alternate, starting and ending with text. */
export type Token = TextToken | OperatorToken;

const BACKSLASH = 0x5c;
const COLON = 0x3a;
const EQUALS = 0x3d;

/**
 * Splits a description into alternating text and operator tokens. Twisted's generator fails
 * with a bare `StopIteration` on a trailing backslash; here that is an {@link EndpointSyntaxError}
 * pointing at it.
 */
export function tokenize(description: string): Token[] {
  const tokens: Token[] = [];
  let text = '';
  let start = 0;
  // After `=`, only `:` is an operator until the next argument begins.
  let equalsIsOperator = true;
  for (let i = 0; i < description.length; i++) {
    const c = description.charCodeAt(i);
    if (c === COLON || (c === EQUALS && equalsIsOperator)) {
      tokens.push({ kind: 'text', value: text, index: start, end: i });
      tokens.push({ kind: c === COLON ? ':' : '=', index: i });
      text = '';
      start = i + 1;
      equalsIsOperator = c === COLON;
    } else if (c === BACKSLASH) {
      if (i + 1 === description.length) {
        throw new EndpointSyntaxError({
          description,
          index: i,
          length: 1,
          reason:
            'a backslash escapes the character after it, and this one ends the description ' +
            '(write \\\\ for a backslash)',
        });
      }
      i++;
      // Keep a surrogate pair whole: the escape covers one character, not one UTF-16 unit.
      const code = description.codePointAt(i)!;
      text += String.fromCodePoint(code);
      if (code > 0xffff) i++;
    } else {
      text += description[i];
    }
  }
  tokens.push({ kind: 'text', value: text, index: start, end: description.length });
  return tokens;
}
