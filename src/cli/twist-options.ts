/**
 * The global options of `twisted-ts twist` (Twisted's `twist` options plus `--pidfile`,
 * `--uid`, `--gid` and `--stop-timeout`).
 *
 * @module
 */
import { UsageError } from '../errors/usage.ts';
import { LogLevel } from '../logger/levels.ts';
import { Options, type Coerce, type OptParameter } from '../usage/options.ts';

const level: Coerce = Object.assign((value: string) => LogLevel.levelWithName(value), {
  coerceDoc: 'One of debug, info, warn, error, critical.',
});
const format: Coerce = Object.assign(
  (value: string) => {
    if (value !== 'text' && value !== 'json') throw new RangeError('must be "text" or "json"');
    return value;
  },
  { coerceDoc: 'text or json (default: text on a terminal, json otherwise).' },
);
const seconds: Coerce = Object.assign(
  (value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new RangeError('must be a positive number of seconds');
    return n;
  },
  { coerceDoc: 'Seconds.' },
);

/** `twisted-ts twist [options] <module> [module options]`. */
export class TwistOptions extends Options {
  synopsis = 'Usage: twisted-ts twist [options] <module> [module options]';
  longdesc =
    'Loads <module> (a path relative to the working directory, or a package), which exports serviceMaker, ' +
    'application, or a default export that is one of them; starts its services; runs the reactor until ' +
    'SIGINT or SIGTERM, then stops the services and exits 0 (1 if stopping failed). "twisted-ts twist ' +
    '<module> --help" lists the module\'s own options.';
  optParameters: readonly OptParameter[] = [
    ['log-file', undefined, '-', 'Log to this file ("-" for stdout, "+" for stderr).'],
    ['log-level', undefined, 'info', 'The lowest level logged.', level],
    ['log-format', undefined, undefined, 'The log format.', format],
    [
      'pidfile',
      undefined,
      undefined,
      'Write the pid to this file; refuse to start if it names a live process.',
    ],
    ['uid', 'u', undefined, 'Switch to this user (name or number) after privilegedStartService.'],
    ['gid', 'g', undefined, 'Switch to this group (name or number) after privilegedStartService.'],
    ['stop-timeout', undefined, 10, 'Abandon a service stop that has not finished after this long.', seconds],
  ];
  /** The module to run, then its own arguments. */
  module: string | undefined = undefined;
  /** The module's arguments. */
  moduleArgs: string[] = [];

  /** `<module> [module options]`. */
  override parseArgs(...args: string[]): void {
    if (args.length === 0)
      throw new UsageError('No module given: twisted-ts twist [options] <module> [module options]');
    [this.module] = args;
    this.moduleArgs = args.slice(1);
  }

  /** The level the `--log-level` option names. */
  get logLevel(): LogLevel {
    const value = this.get('log-level');
    return typeof value === 'string' ? LogLevel.levelWithName(value) : (value as LogLevel);
  }
}
