/**
 * The third layer of the endpoint description grammar: binding the arguments of one endpoint
 * type to its parameters, the way Python binds a call's arguments (`_parseTCP(factory, port,
 * interface='', backlog=50)`), and reading each value as its type. Every failure is an
 * {@link EndpointSyntaxError} pointing at the argument at fault and naming it `"<type>:<name>"`.
 *
 * @internal
 */
import { isIP } from 'node:net';
import { EndpointSyntaxError } from '../../errors/endpoints.ts';
import type { Part, ParsedDescription } from './arguments.ts';

/** The parameters of an endpoint type, positional ones first, in the order they may be given. */
export interface Signature {
  /** The endpoint type as written in descriptions (`'tcp'`), for messages. */
  readonly type: string;
  /** Every parameter, in positional order (Python's parameter order). */
  readonly parameters: readonly string[];
  /** How many of `parameters` may be given by position (default: all of them). */
  readonly positional?: number;
  /** An example description, shown when a required parameter is missing. */
  readonly example: string;
}

const DIGITS = /^[0-9]+$/;
const DECIMAL = /^[0-9]+(?:\.[0-9]+)?$/;
const OCTAL = /^(?:0o)?[0-7]+$/i;

const quote = (s: string): string => `'${s.replace(/[\\']/g, (c) => `\\${c}`)}'`;

/** Reads the parameters of one endpoint type from a parsed description. */
export class ArgumentReader {
  readonly #parsed: ParsedDescription;
  readonly #signature: Signature;
  readonly #bound = new Map<string, Part>();

  /**
   * Binds positional arguments to parameters in order, then named ones by name; too many
   * positional arguments, an unknown name, or a parameter given both ways is an error.
   */
  constructor(parsed: ParsedDescription, signature: Signature) {
    this.#parsed = parsed;
    this.#signature = signature;
    const { parameters, type } = signature;
    const byPosition = parameters.slice(0, signature.positional ?? parameters.length);
    parsed.positional.forEach((arg, i) => {
      if (i >= byPosition.length) {
        throw this.#error(
          arg,
          `"${type}" endpoints take at most ${byPosition.length} argument` +
            `${byPosition.length === 1 ? '' : 's'} without a name (${byPosition.join(', ')}); ` +
            `give this one as name=value`,
        );
      }
      this.#bound.set(parameters[i], arg);
    });
    for (const [name, arg] of parsed.named) {
      const span = { value: arg.value.value, index: arg.name.index, end: arg.value.end };
      if (!parameters.includes(name)) {
        throw this.#error(
          { ...arg.name, value: name },
          `"${type}" endpoints have no "${name}" parameter; they take ${parameters.join(', ')}`,
        );
      }
      if (this.#bound.has(name)) {
        throw this.#error(span, `"${type}:${name}" is given twice: by position and by name`, name);
      }
      this.#bound.set(name, arg.value);
    }
  }

  /** The endpoint type as written (`'tcp'`). */
  get type(): string {
    return this.#signature.type;
  }

  /** Whether the parameter was given. */
  has(name: string): boolean {
    return this.#bound.has(name);
  }

  /** The raw part of a parameter (for errors found later), or `undefined`. */
  part(name: string): Part | undefined {
    return this.#bound.get(name);
  }

  /** A positioned error about a parameter (or, when it was not given, the description's end). */
  error(name: string, reason: string, cause?: unknown): EndpointSyntaxError {
    const at = this.#bound.get(name) ?? this.#end();
    return this.#error(at, reason, name, cause);
  }

  /** A required parameter, or an error saying it is missing and how to give it. */
  required(name: string): Part {
    const part = this.#bound.get(name);
    if (part === undefined) {
      throw this.#error(
        this.#end(),
        `"${this.type}:${name}" is missing (for example ${this.#signature.example})`,
        name,
      );
    }
    return part;
  }

  /** A string parameter, or `fallback` when absent. */
  string<D extends string | undefined>(name: string, fallback: D): string | D {
    return this.#bound.get(name)?.value ?? fallback;
  }

  /** A required string that may not be empty. */
  nonEmpty(name: string): string {
    const part = this.required(name);
    if (part.value === '') throw this.#error(part, `"${this.type}:${name}" is empty`, name);
    return part.value;
  }

  /** A decimal integer within [min, max], or `fallback` when absent. */
  integer<D extends number | undefined>(name: string, fallback: D, min: number, max: number): number | D {
    const part = this.#bound.get(name);
    if (part === undefined) return fallback;
    return this.#integerOf(part, name, min, max);
  }

  /** A required port number, `min`–65535 (0 lets a server take any free port; a client needs 1+). */
  port(name = 'port', min = 0): number {
    return this.#integerOf(this.required(name), name, min, 65535);
  }

  /** A time in seconds (decimal, `> 0`), or `fallback` when absent. */
  seconds(name: string, fallback: number): number {
    const part = this.#bound.get(name);
    if (part === undefined) return fallback;
    if (!DECIMAL.test(part.value) || Number(part.value) === 0) {
      throw this.#error(
        part,
        `"${this.type}:${name}" must be a number of seconds above 0 such as 30 or 2.5; received ${quote(part.value)}`,
        name,
      );
    }
    return Number(part.value);
  }

  /** A file mode in octal (`660`, `0660` or `0o660`), or `fallback` when absent. */
  octalMode(name: string, fallback: number): number {
    const part = this.#bound.get(name);
    if (part === undefined) return fallback;
    const mode = OCTAL.test(part.value) ? parseInt(part.value.replace(/^0o/i, ''), 8) : NaN;
    if (!(mode <= 0o7777)) {
      throw this.#error(
        part,
        `"${this.type}:${name}" must be an octal file mode from 0 to 7777 such as 660; ` +
          `received ${quote(part.value)}`,
        name,
      );
    }
    return mode;
  }

  /** A `0`/`1` flag (Twisted's `bool(int(value))` over the values that make sense), or `fallback`. */
  flag(name: string, fallback: boolean): boolean {
    const part = this.#bound.get(name);
    if (part === undefined) return fallback;
    if (part.value !== '0' && part.value !== '1') {
      throw this.#error(part, `"${this.type}:${name}" must be 0 or 1; received ${quote(part.value)}`, name);
    }
    return part.value === '1';
  }

  /** An IP address literal (or `''` when `allowEmpty`), or `fallback` when absent; never a host name. */
  address<D extends string | undefined>(name: string, fallback: D, allowEmpty: boolean): string | D {
    const part = this.#bound.get(name);
    if (part === undefined) return fallback;
    if ((part.value === '' && allowEmpty) || isIP(part.value) !== 0) return part.value;
    throw this.#error(
      part,
      `"${this.type}:${name}" must be ${allowEmpty ? 'empty (all interfaces) or ' : ''}an IP address ` +
        `literal (write an IPv6 one's colons escaped, as in interface=\\:\\:1); host names are ` +
        `not resolved here; received ${quote(part.value)}`,
      name,
    );
  }

  /** One of `choices` (exactly as written), or `fallback` when absent. */
  oneOf<T extends string, D extends T | undefined>(name: string, choices: readonly T[], fallback: D): T | D {
    const part = this.#bound.get(name);
    if (part === undefined) return fallback;
    if ((choices as readonly string[]).includes(part.value)) return part.value as T;
    throw this.#error(
      part,
      `"${this.type}:${name}" must be one of ${choices.join(', ')}; received ${quote(part.value)}`,
      name,
    );
  }

  #integerOf(part: Part, name: string, min: number, max: number): number {
    const n = DIGITS.test(part.value) ? Number(part.value) : NaN;
    if (!(n >= min && n <= max)) {
      throw this.#error(
        part,
        `"${this.type}:${name}" must be a decimal integer from ${min} to ${max}; received ${quote(part.value)}`,
        name,
      );
    }
    return n;
  }

  #end(): Part {
    const end = this.#parsed.description.length;
    return { value: '', index: end, end };
  }

  #error(at: Part, reason: string, name?: string, cause?: unknown): EndpointSyntaxError {
    return new EndpointSyntaxError({
      description: this.#parsed.description,
      index: at.index,
      length: at.end - at.index,
      reason,
      part: name === undefined ? undefined : `${this.type}:${name}`,
      cause,
    });
  }
}
