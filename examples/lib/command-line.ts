/**
 * The examples' command lines: node:util's `parseArgs`, plus what a command-line program owes its
 * user and `parseArgs` leaves out — `--help` (and `-h`) prints the usage and exits 0, and a
 * mistake (an unknown option, a missing value) prints what was wrong and the usage on stderr and
 * exits 2, instead of a stack trace.
 *
 * Not an example itself: the examples import it (`./lib/command-line.ts`).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Exit status for a command line that could not be understood (as most Unix tools use). */
export const USAGE_ERROR = 2;

/**
 * Parses `process.argv` with `config` (strict, as `parseArgs` is by default). `usage` is printed
 * for `--help`/`-h` and after any parse error.
 */
export function parseCommandLine<const T extends ParseArgsConfig>(
  usage: string,
  config: T,
): ReturnType<typeof parseArgs<T>> {
  const argv = config.args ?? process.argv.slice(2);
  const end = argv.indexOf('--'); // after `--` everything is a positional, `--help` included
  if ((end === -1 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h')) {
    process.stdout.write(`${usage.trim()}\n`);
    process.exit(0);
  }
  try {
    return parseArgs(config);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS_')) throw e;
    process.stderr.write(`${(e as Error).message}\n\n${usage.trim()}\n`);
    process.exit(USAGE_ERROR);
  }
}

/**
 * Reads a number option: `name` is the option (for the message), `text` its value. Exits with
 * the usage when it is not a finite number, rather than letting `NaN` travel.
 */
export function numberOption(usage: string, name: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) {
    process.stderr.write(`--${name} must be a number, not ${JSON.stringify(text)}\n\n${usage.trim()}\n`);
    process.exit(USAGE_ERROR);
  }
  return value;
}
