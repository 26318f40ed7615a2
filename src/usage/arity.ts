/**
 * How many positional arguments `parseArgs` accepts, read from its declared parameters (Python
 * raises `TypeError` for a wrong count; JavaScript does not, so the count is read from the
 * function's own text).
 *
 * @internal
 * @module
 */

/** `[minimum, maximum]` (`Infinity` with a rest parameter). */
export function arity(fn: (...args: never[]) => unknown): [number, number] {
  const source = Function.prototype.toString.call(fn);
  const open = source.indexOf('(');
  if (open === -1) return [fn.length, fn.length];
  let depth = 0;
  let close = -1;
  for (let i = open; i < source.length; i++) {
    const c = source[i];
    if (c === '(' || c === '[' || c === '{' || c === '<') depth++;
    else if (c === ')' || c === ']' || c === '}' || (c === '>' && source[i - 1] !== '=')) {
      depth--;
      if (depth === 0 && c === ')') {
        close = i;
        break;
      }
    }
  }
  if (close === -1) return [fn.length, fn.length];
  const params: string[] = [];
  let current = '';
  depth = 0;
  for (const c of source.slice(open + 1, close)) {
    if (c === '(' || c === '[' || c === '{' || c === '<') depth++;
    if (c === ')' || c === ']' || c === '}') depth--;
    if (c === '>' && !current.endsWith('=')) depth--;
    if (c === ',' && depth === 0) {
      params.push(current.trim());
      current = '';
    } else {
      current += c;
    }
  }
  if (current.trim() !== '') params.push(current.trim());
  let min = 0;
  let sawOptional = false;
  for (const p of params) {
    if (p.startsWith('...')) return [min, Infinity];
    const optional = /(^|[^=!<>])=(?!>)/.test(p) || /^[\w$]+\?\s*:/.test(p);
    if (optional) sawOptional = true;
    else if (!sawOptional) min++;
  }
  return [min, params.length];
}
