/**
 * The `{field}` format strings of `twisted.logger` (a subset of Python's PEP 3101 syntax):
 * `{name}`, `{name!r}` (inspected), `{name.attr}`, `{name[0]}`, `{name()}` (called), a format
 * spec after `:` (`{rate:.2f}`, `{n:>5}`), and `{{`/`}}` for literal braces.
 *
 * Parsed formats are cached, so an event costs a lookup and string concatenation, not a parse.
 *
 * @internal
 * @module
 */
import { inspect } from 'node:util';

/** One `{…}` replacement field. */
export interface FormatField {
  /** The field name as written, `()` included (`'peer'`, `'obj.attr'`, `'fn()'`). */
  readonly fieldName: string;
  /** The path inside the event: the first key, then attributes or indices. */
  readonly path: readonly string[];
  /** Whether the value is called (a trailing `()`). */
  readonly call: boolean;
  /** `'r'` for `!r`, `'s'` for `!s`, `''` when none was written. */
  readonly conversion: '' | 'r' | 's';
  /** The format spec after `:` (`''` when none). */
  readonly spec: string;
}

/** A parsed format: literal text and fields, alternating. */
export type ParsedFormat = readonly (string | FormatField)[];

/** A format string that cannot be parsed. */
export class FormatSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FormatSyntaxError';
  }
}

const cache = new Map<string, ParsedFormat>();
const CACHE_LIMIT = 1000;

function parseField(text: string): FormatField {
  let rest = text;
  let spec = '';
  let conversion: '' | 'r' | 's' = '';
  const colon = rest.indexOf(':');
  if (colon !== -1) {
    spec = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const bang = rest.indexOf('!');
  if (bang !== -1) {
    const c = rest.slice(bang + 1);
    if (c !== 'r' && c !== 's') throw new FormatSyntaxError(`Unknown conversion specifier ${c}`);
    conversion = c;
    rest = rest.slice(0, bang);
  }
  const fieldName = rest;
  let call = false;
  if (rest.endsWith('()')) {
    call = true;
    rest = rest.slice(0, -2);
  }
  const path: string[] = [];
  const re = /^([^.[\]]*)|\.([^.[\]]+)|\[([^\]]*)\]/y;
  re.lastIndex = 0;
  let first = true;
  while (re.lastIndex < rest.length || first) {
    const m = re.exec(rest);
    if (m === null) throw new FormatSyntaxError(`Invalid field name ${JSON.stringify(fieldName)}`);
    path.push(m[1] ?? m[2] ?? m[3]);
    first = false;
  }
  if (path[0] === '') throw new FormatSyntaxError('Format fields must be named ({name}, not {})');
  return { fieldName, path, call, conversion, spec };
}

/** Parses a format string (cached). */
export function parseFormat(format: string): ParsedFormat {
  const cached = cache.get(format);
  if (cached !== undefined) return cached;
  const parts: (string | FormatField)[] = [];
  let literal = '';
  let i = 0;
  while (i < format.length) {
    const c = format[i];
    if (c === '{') {
      if (format[i + 1] === '{') {
        literal += '{';
        i += 2;
        continue;
      }
      const end = format.indexOf('}', i);
      if (end === -1) throw new FormatSyntaxError("Single '{' encountered in format string");
      if (literal !== '') parts.push(literal);
      literal = '';
      parts.push(parseField(format.slice(i + 1, end)));
      i = end + 1;
    } else if (c === '}') {
      if (format[i + 1] !== '}') throw new FormatSyntaxError("Single '}' encountered in format string");
      literal += '}';
      i += 2;
    } else {
      literal += c;
      i += 1;
    }
  }
  if (literal !== '') parts.push(literal);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(format, parts);
  return parts;
}

/** A missing field of a format string. */
export class MissingFieldError extends Error {
  constructor(name: string) {
    super(`KeyError: ${JSON.stringify(name)}`);
    this.name = 'MissingFieldError';
  }
}

/** The value a field refers to in `event` (called when it ends with `()`). */
export function fieldValue(field: FormatField, event: Record<string, unknown>): unknown {
  const path = field.path;
  const key = path[0];
  if (!(key in event)) throw new MissingFieldError(key);
  let value: unknown = event[key];
  for (let i = 1; i < path.length; i++) {
    const k = path[i];
    if (value === null || value === undefined) throw new MissingFieldError(`${field.fieldName}`);
    const index = /^\d+$/.test(k) ? Number(k) : k;
    value = (value as Record<string | number, unknown>)[index];
  }
  if (field.call) value = (value as () => unknown)();
  return value;
}

/** The `!r` form of a value: Node's `inspect` on one line (a string is quoted, as Python's repr). */
export function reprValue(value: unknown): string {
  return inspect(value, { breakLength: Infinity, depth: 4 });
}

/**
 * The `!s` (default) form of a value: strings as they are, numbers and the like through
 * `String`, objects with their own `toString` (errors, dates, addresses) through it, and plain
 * objects, arrays, maps and sets inspected (as Python's `str()` of a dict shows its contents).
 */
export function strValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'bigint':
    case 'boolean':
    case 'undefined':
    case 'symbol':
      return String(value);
    case 'function':
      return `<function ${value.name || '<anonymous>'}>`;
    default:
      if (value === null) return 'null';
      if (Array.isArray(value) || value instanceof Map || value instanceof Set) return reprValue(value);
      if ((value as { toString: unknown }).toString !== Object.prototype.toString) {
        try {
          return String(value);
        } catch {
          return reprValue(value);
        }
      }
      return reprValue(value);
  }
}

const specRe = /^(?:(.)?([<>^=]))?([+\- ])?(0)?(\d+)?(,)?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/;

/** Applies a PEP 3101 format spec (fill, align, sign, width, grouping, precision, type) to a value. */
export function applySpec(value: unknown, text: string, spec: string): string {
  if (spec === '') return text;
  const m = specRe.exec(spec);
  if (m === null) throw new FormatSyntaxError(`Invalid format specifier ${JSON.stringify(spec)}`);
  const [, fillChar, align, sign, zero, width, group, precision, type] = m;
  let out = text;
  if (typeof value === 'number' || typeof value === 'bigint') {
    const n = Number(value);
    const p = precision === undefined ? undefined : Number(precision);
    switch (type) {
      case 'f':
      case 'F':
        out = n.toFixed(p ?? 6);
        break;
      case 'e':
      case 'E':
        out = n.toExponential(p ?? 6);
        if (type === 'E') out = out.toUpperCase();
        break;
      case '%':
        out = `${(n * 100).toFixed(p ?? 6)}%`;
        break;
      case 'd':
      case 'n':
        out = Math.trunc(n).toString();
        break;
      case 'x':
        out = Math.trunc(n).toString(16);
        break;
      case 'X':
        out = Math.trunc(n).toString(16).toUpperCase();
        break;
      case 'o':
        out = Math.trunc(n).toString(8);
        break;
      case 'b':
        out = Math.trunc(n).toString(2);
        break;
      case 'g':
      case 'G':
        out = n.toPrecision(p ?? 6);
        break;
      default:
        out = p === undefined ? String(value) : n.toFixed(p);
    }
    if (group) {
      const [int, frac] = out.split('.');
      out = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (frac === undefined ? '' : `.${frac}`);
    }
    if (sign === '+' && n >= 0) out = `+${out}`;
    else if (sign === ' ' && n >= 0) out = ` ${out}`;
  } else if (precision !== undefined) {
    out = out.slice(0, Number(precision));
  }
  const w = width === undefined ? 0 : Number(width);
  if (out.length < w) {
    const fill = fillChar ?? (zero ? '0' : ' ');
    const a = align ?? (zero || typeof value === 'number' ? '>' : '<');
    const pad = w - out.length;
    if (a === '<') out = out + fill.repeat(pad);
    else if (a === '>') out = fill.repeat(pad) + out;
    else if (a === '^') out = fill.repeat(Math.floor(pad / 2)) + out + fill.repeat(Math.ceil(pad / 2));
    else {
      const signed = /^[+\- ]/.test(out);
      out = signed ? out[0] + fill.repeat(pad) + out.slice(1) : fill.repeat(pad) + out;
    }
  }
  return out;
}

/** Renders one field of `event`. */
export function renderField(field: FormatField, event: Record<string, unknown>): string {
  const value = fieldValue(field, event);
  const text = field.conversion === 'r' ? reprValue(value) : strValue(value);
  return field.spec === '' ? text : applySpec(value, text, field.spec);
}

/** Formats `format` with the fields of `event` (throws on a missing field or a bad format). */
export function formatWithFields(format: string, event: Record<string, unknown>): string {
  const parts = parseFormat(format);
  if (parts.length === 1 && typeof parts[0] === 'string') return parts[0];
  let out = '';
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    out += typeof part === 'string' ? part : renderField(part, event);
  }
  return out;
}

/** Twisted's key for a field in `log_flattened`: `name!conversion:spec`. */
export function flatKey(field: FormatField, conversion: string): string {
  return `${field.fieldName}!${conversion}:${field.spec}`;
}
