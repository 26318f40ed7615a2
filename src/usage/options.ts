/**
 * `Options` (Twisted's `twisted.python.usage.Options`): a command-line parser declared by
 * subclassing.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors/usage.ts';
import { arity } from './arity.ts';
import { getopt } from './getopt.ts';
import { docMakeChunks, wrap, type OptionDoc } from './usage-text.ts';

/** A coerce function: turns the text of a parameter into its value; `coerceDoc` is added to the help. */
export type Coerce = ((value: string) => unknown) & CoerceDoc;

/** The help text a coerce function may carry. */
export interface CoerceDoc {
  /** Added to the option's documentation in `--help`. */
  coerceDoc?: string;
}

/** A flag: `[long, short?, doc?]` (Twisted's `optFlags` rows). */
export type OptFlag = readonly [long: string, short?: string | null, doc?: string];

/** A parameter: `[long, short?, default?, doc?, coerce?]` (Twisted's `optParameters` rows). */
export type OptParameter = readonly [
  long: string,
  short?: string | null,
  defaultValue?: unknown,
  doc?: string,
  coerce?: Coerce,
];

/** A sub-command: `[name, short?, OptionsClass, doc]`. */
export type SubCommand = readonly [
  name: string,
  short: string | null | undefined,
  parser: new () => Options,
  doc: string,
];

/** What a subclass may declare as fields (read when `parseOptions` runs). */
interface Declared {
  optFlags?: readonly OptFlag[];
  optParameters?: readonly OptParameter[];
  subCommands?: readonly SubCommand[];
  defaultSubCommand?: string;
  synopsis?: string;
  longdesc?: string;
  optDocs?: Record<string, string>;
}

type Dispatch = (name: string, value: string | undefined) => void;

interface Table {
  longOpts: string[];
  shortOpts: string;
  synonyms: Map<string, string>;
  dispatch: Map<string, Dispatch>;
  docs: OptionDoc[];
}

/** This file's directory, from a stack frame (`import.meta` does not exist in the CommonJS build). */
function hereDirectory(): string {
  const line = new Error().stack?.split('\n').find((l) => /options\.[jt]s/.test(l)) ?? '';
  const m = /((?:file:\/\/)?\/[^():]+):\d+:\d+/.exec(line);
  if (m === null) throw new Error('no file');
  return dirname(m[1].startsWith('file://') ? fileURLToPath(m[1]) : m[1]);
}

function packageVersion(): string {
  try {
    let dir = hereDirectory();
    for (let i = 0; i < 5; i++) {
      try {
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
          name?: string;
          version?: string;
        };
        if (pkg.name === 'twisted-ts' && pkg.version) return pkg.version;
      } catch {
        // not here: look further up
      }
      dir = dirname(dir);
    }
  } catch {
    // no file URL (a bundle): fall through
  }
  return 'unknown';
}

/**
 * A command-line parser. Subclasses declare, as fields:
 *
 * - `optFlags`: `[long, short?, doc]` rows; a flag is `false` until given.
 * - `optParameters`: `[long, short?, default, doc, coerce?]` rows; `coerce` turns the text into
 *   the value (a throw, or `NaN`, is a `UsageError` naming the option and the value).
 * - `subCommands`: `[name, short, OptionsClass, doc]` rows (and `defaultSubCommand`).
 * - `opt_<name>` methods: `--name` (underscores become dashes) calls it, with the value when it
 *   declares a parameter; one-letter names are short options; the same function under two names
 *   makes synonyms. `optDocs` gives their help text.
 * - `synopsis` and `longdesc` for the help.
 *
 * and may override `parseArgs(...args)` (the positional arguments; how many it declares is how
 * many are accepted) and `postOptions()` (checks after parsing). Values are in `opts` (a plain
 * object) and `get(name)`. `--help` prints the usage and exits 0, as Twisted; so does `--version`.
 *
 * @example
 * class ServerOptions extends Options {
 *   optFlags = [['verbose', 'v', 'Log every datagram']] as const;
 *   optParameters = [['port', 'p', 8125, 'UDP port to listen on', Number]] as const;
 *   override parseArgs(configFile: string) { this.opts.configFile = configFile; }
 * }
 * const config = new ServerOptions();
 * config.parseOptions(['-v', '--port=9000', 'statsd.conf']);
 * config.get('port'); // 9000
 */
export class Options {
  /** The parsed values: flags (booleans), parameters and whatever `opt_` methods store. */
  readonly opts: Record<string, unknown> = {};
  /** The sub-command given, if any. */
  subCommand: string | undefined = undefined;
  /** The sub-command's parsed options. */
  subOptions: Options | undefined = undefined;
  /** The options of the command this one is a sub-command of. */
  parent: Options | undefined = undefined;
  #table: Table | undefined;

  /** The value of option `name` (`undefined` when it has none). */
  get(name: string): unknown {
    this.#collect();
    return this.opts[name];
  }

  /**
   * Parses `argv` (default: `process.argv.slice(2)`), then runs the sub-command's parser or
   * `parseArgs`, then `postOptions`.
   *
   * @throws UsageError for anything wrong with the command line.
   */
  parseOptions(argv: readonly string[] = process.argv.slice(2)): void {
    if (!Array.isArray(argv) || argv.some((a) => typeof a !== 'string')) {
      throw Object.assign(new TypeError('The "argv" argument must be an array of strings'), {
        code: 'ERR_INVALID_ARG_TYPE',
      });
    }
    const table = this.#collect();
    const [parsed, rest] = getopt(argv, table.shortOpts, table.longOpts);
    for (const [typed, value, long] of parsed) {
      let name = table.synonyms.get(typed);
      if (name === undefined && long) name = table.synonyms.get(typed.replaceAll('_', '-'));
      if (name === undefined) throw new UsageError(`No such option '${typed}'`, { option: typed });
      table.dispatch.get(name)!(name, value);
    }
    const declared = this as Declared;
    const subCommands = declared.subCommands;
    if (
      subCommands !== undefined &&
      subCommands.length > 0 &&
      (rest.length > 0 || declared.defaultSubCommand !== undefined)
    ) {
      const args = rest.length > 0 ? rest : [declared.defaultSubCommand!];
      const [sub, ...subArgs] = args;
      const found = subCommands.find(([cmd, short]) => sub === cmd || (short && sub === short));
      if (found === undefined) throw new UsageError(`Unknown command: ${sub}`, { value: sub });
      this.subCommand = found[0];
      const subOptions = new found[2]();
      subOptions.parent = this;
      this.subOptions = subOptions;
      subOptions.parseOptions(subArgs);
    } else {
      // The base accepts no argument; an override accepts what its parameter list declares.
      const [min, max] =
        this.parseArgs === Options.prototype.parseArgs
          ? [0, 0]
          : arity(this.parseArgs as (...a: never[]) => unknown);
      if (rest.length < min || rest.length > max) {
        throw new UsageError(
          `Wrong number of arguments: expected ${min === max ? min : max === Infinity ? `at least ${min}` : `${min} to ${max}`}, got ${rest.length}` +
            (rest.length > 0 ? ` (${rest.map((a) => JSON.stringify(a)).join(' ')})` : ''),
        );
      }
      this.parseArgs(...rest);
    }
    this.postOptions();
  }

  /** Called after parsing; override to check the values (throw `UsageError`). */
  postOptions(): void {}

  /** Receives the positional arguments; override it declaring the ones you accept (none by default). */
  parseArgs(..._args: string[]): void {
    // The base accepts none (parseOptions refuses any); an override's own parameter list is read.
  }

  /** `--help`: prints the usage and exits 0. */
  opt_help(): void {
    process.stdout.write(`${this.toString()}\n`);
    process.exit(0);
  }

  /** `--version`: prints the version and exits 0. */
  opt_version(): void {
    process.stdout.write(`twisted-ts version: ${packageVersion()}\n`);
    process.exit(0);
  }

  /** The first line of the help: `Usage: <program> [options]`, or the declared `synopsis`. */
  getSynopsis(): string {
    const declared = this as Declared;
    const hasOptions = this.#collect().longOpts.length > 0;
    let synopsis: string;
    if (declared.synopsis !== undefined) synopsis = declared.synopsis;
    else if (this.parent === undefined) {
      synopsis = `Usage: ${basename(process.argv[1] ?? 'program')}${hasOptions ? ' [options]' : ''}`;
    } else synopsis = hasOptions ? '[options]' : '';
    synopsis = synopsis.trimEnd();
    if (this.parent !== undefined)
      synopsis = [this.parent.getSynopsis(), this.parent.subCommand, synopsis].join(' ').trimEnd();
    return synopsis;
  }

  /** The table of options with their documentation, the description and the sub-commands. */
  getUsage(width = Number(process.env.COLUMNS) || 80): string {
    if (this.subOptions !== undefined) return this.subOptions.getUsage(width);
    const declared = this as Declared;
    const table = this.#collect();
    let text =
      table.docs.length > 0 ? `Options:\n${docMakeChunks(table.docs, width).join('')}` : 'Options: None\n';
    if (declared.longdesc) text += `\n${wrap(declared.longdesc, width).join('\n')}\n`;
    if (declared.subCommands !== undefined && declared.subCommands.length > 0) {
      const commands: OptionDoc[] = declared.subCommands.map(([name, short, , doc]) => ({
        long: name,
        short: short ?? undefined,
        doc,
        optType: 'command',
      }));
      text += `Commands:\n${docMakeChunks(commands, width).join('')}`;
    }
    return text;
  }

  /** The synopsis and the usage: what `--help` prints. */
  toString(): string {
    return `${this.getSynopsis()}\n${this.getUsage()}`;
  }

  #collect(): Table {
    if (this.#table !== undefined) return this.#table;
    const declared = this as Declared;
    const table: Table = { longOpts: [], shortOpts: '', synonyms: new Map(), dispatch: new Map(), docs: [] };
    const addShort = (
      short: string | null | undefined,
      long: string,
      takesValue: boolean,
    ): string | undefined => {
      if (!short) return undefined;
      if (short.length !== 1)
        throw new TypeError(
          `The short option of --${long} must be one character, not ${JSON.stringify(short)}`,
        );
      table.shortOpts += takesValue ? `${short}:` : short;
      table.synonyms.set(short, long);
      return short;
    };
    for (const row of declared.optFlags ?? []) {
      const [long, short, doc = ''] = row;
      if (!long) throw new TypeError('A flag cannot be without a name.');
      this.opts[long] = false;
      table.longOpts.push(long);
      table.synonyms.set(long, long);
      table.dispatch.set(long, (name, value) => {
        if (value !== undefined && value !== '') {
          throw new UsageError(`Flag '${name}' takes no argument. Not even "${value}".`, {
            option: `--${name}`,
            value,
          });
        }
        this.opts[name] = true;
      });
      table.docs.push({ long, short: addShort(short, long, false), doc, optType: 'flag' });
    }
    for (const row of declared.optParameters ?? []) {
      const [long, short, defaultValue, doc = '', coerce] = row;
      if (!long) throw new TypeError('A parameter cannot be without a name.');
      this.opts[long] = defaultValue ?? undefined;
      table.longOpts.push(`${long}=`);
      table.synonyms.set(long, long);
      table.dispatch.set(long, (name, value) => {
        if (value === undefined)
          throw new UsageError(`Parameter '${name}' requires an argument.`, { option: `--${name}` });
        if (coerce === undefined) {
          this.opts[name] = value;
          return;
        }
        let coerced: unknown;
        try {
          coerced = coerce(value);
        } catch (e) {
          throw new UsageError(
            `Invalid value ${JSON.stringify(value)} for --${name}: ${e instanceof Error ? e.message : String(e)}`,
            { option: `--${name}`, value, cause: e },
          );
        }
        if (typeof coerced === 'number' && Number.isNaN(coerced)) {
          throw new UsageError(
            `Invalid value ${JSON.stringify(value)} for --${name}: not a number${coerce.coerceDoc ? ` (${coerce.coerceDoc})` : ''}`,
            { option: `--${name}`, value },
          );
        }
        this.opts[name] = coerced;
      });
      table.docs.push({
        long,
        short: addShort(short, long, true),
        doc,
        optType: 'parameter',
        default: defaultValue,
        coerceDoc: coerce?.coerceDoc,
      });
    }
    // opt_ methods, own fields first, then up the prototype chain; one function under several names is one option.
    const seen = new Map<unknown, string[]>();
    const takes = new Map<unknown, boolean>();
    const holders: object[] = [this];
    for (
      let p = Object.getPrototypeOf(this);
      p !== null && p !== Object.prototype;
      p = Object.getPrototypeOf(p)
    )
      holders.push(p);
    const visited = new Set<string>();
    for (const holder of holders) {
      for (const key of Object.getOwnPropertyNames(holder)) {
        if (!key.startsWith('opt_') || visited.has(key)) continue;
        visited.add(key);
        const fn = (this as unknown as Record<string, unknown>)[key];
        if (typeof fn !== 'function') continue;
        const name = key.slice(4).replaceAll('_', '-');
        if (name === '') continue;
        seen.set(fn, [...(seen.get(fn) ?? []), name]);
        takes.set(fn, fn.length >= 1);
      }
    }
    const docs = declared.optDocs ?? {};
    for (const [fn, names] of seen) {
      const takesValue = takes.get(fn)!;
      const canonical = names.reduce((a, b) => (b.length > a.length ? b : a));
      const method = fn as (value?: string) => unknown;
      table.dispatch.set(canonical, (_n, value) => {
        if (takesValue) method.call(this, value);
        else method.call(this);
      });
      let short: string | undefined;
      for (const n of names) {
        table.synonyms.set(n, canonical);
        if (n.length === 1) {
          table.shortOpts += takesValue ? `${n}:` : n;
          short = n;
        } else {
          table.longOpts.push(takesValue ? `${n}=` : n);
        }
      }
      const doc =
        docs[canonical] ??
        (canonical === 'help'
          ? 'Display this help and exit.'
          : canonical === 'version'
            ? 'Display the version and exit.'
            : '');
      if (canonical.length > 1)
        table.docs.push({ long: canonical, short, doc, optType: takesValue ? 'parameter' : 'flag' });
    }
    this.#table = table;
    return table;
  }
}
