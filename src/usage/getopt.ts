/**
 * Python's `getopt.getopt`, which Twisted's `usage.Options` parses with: options stop at the
 * first argument that is not one (so `twist --log-level info mymodule --port 5` leaves
 * `mymodule --port 5` to the module), `--` ends them, long options may be abbreviated to a
 * unique prefix and take `--name=value` or `--name value`, short options cluster (`-vq`,
 * `-ofile`).
 *
 * @internal
 * @module
 */
import { UsageError } from '../errors/usage.ts';

/** `[option as typed without dashes, value or undefined]`. */
export type ParsedOption = [name: string, value: string | undefined, long: boolean];

/**
 * Parses `args`: `shortOpts` as getopt's string (`'vo:'`), `longOpts` as names with a trailing
 * `=` for those that take a value.
 */
export function getopt(
  args: readonly string[],
  shortOpts: string,
  longOpts: readonly string[],
): [ParsedOption[], string[]] {
  const opts: ParsedOption[] = [];
  let i = 0;
  while (i < args.length) {
    const arg = args[i];
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const typed = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      let value: string | undefined = eq === -1 ? undefined : arg.slice(eq + 1);
      const [name, takesValue] = longMatch(typed, longOpts);
      if (takesValue) {
        if (value === undefined) {
          if (i + 1 >= args.length) {
            throw new UsageError(`option --${name} requires argument`, { option: `--${name}` });
          }
          value = args[++i];
        }
      } else if (value !== undefined) {
        throw new UsageError(`option --${name} must not have an argument`, { option: `--${name}`, value });
      }
      opts.push([name, value, true]);
      i++;
      continue;
    }
    let rest = arg.slice(1);
    while (rest !== '') {
      const c = rest[0];
      rest = rest.slice(1);
      const at = shortOpts.indexOf(c);
      if (at === -1 || c === ':') throw new UsageError(`option -${c} not recognized`, { option: `-${c}` });
      if (shortOpts[at + 1] === ':') {
        let value = rest;
        if (value === '') {
          if (i + 1 >= args.length)
            throw new UsageError(`option -${c} requires argument`, { option: `-${c}` });
          value = args[++i];
        }
        opts.push([c, value, false]);
        rest = '';
      } else {
        opts.push([c, undefined, false]);
      }
    }
    i++;
  }
  return [opts, args.slice(i)];
}

function longMatch(typed: string, longOpts: readonly string[]): [string, boolean] {
  if (longOpts.includes(typed)) return [typed, false];
  if (longOpts.includes(`${typed}=`)) return [typed, true];
  const candidates = longOpts.filter((o) => o.startsWith(typed));
  if (candidates.length === 0)
    throw new UsageError(`option --${typed} not recognized`, { option: `--${typed}` });
  const names = [...new Set(candidates.map((c) => c.replace(/=$/, '')))];
  if (names.length > 1) {
    throw new UsageError(`option --${typed} not a unique prefix (${names.map((n) => `--${n}`).join(', ')})`, {
      option: `--${typed}`,
    });
  }
  return [names[0], candidates[0].endsWith('=')];
}
