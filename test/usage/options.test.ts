// Ports of twisted/python/test/test_usage.py (the cases that apply without Python's getopt module).
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { Options, UsageError, portCoerce } from '../../src/index.ts';

class WellBehaved extends Options {
  optParameters = [
    ['long', 'w', 'default', 'and a docstring'],
    ['another', 'n', 'no docstring'],
    ['longonly', null, 'noshort'],
    ['shortless', null, 'except', 'this one got docstring'],
  ] as const;
  optFlags = [
    ['aflag', 'f', 'flagallicious docstringness for this here'],
    ['flout', 'o'],
  ] as const;
  myflag_called = 0;
  opt_myflag(): void {
    this.opts.myflag = 'PONY!';
  }
  opt_myparam(value: string): void {
    this.opts.myparam = `${value} WITH A PONY!`;
  }
}

class Typed extends Options {
  optParameters = [
    ['fooint', null, 392, 'Foo int', Number],
    ['foofloat', null, 4.23, 'Foo float', Number],
    ['eggint', null, undefined, 'Egg int without default', Number],
    ['port', 'p', 8080, 'A port', portCoerce],
  ] as const;
}

describe('parseOptions (ParseCorrectnessTests)', () => {
  test('flags, parameters, short forms, opt_ methods', () => {
    const config = new WellBehaved();
    config.parseOptions(['-w', 'x', '--another', 'y', '--longonly=z', '-fo', '--myflag', '--myparam', 'p']);
    expect(config.opts).toMatchObject({
      long: 'x',
      another: 'y',
      longonly: 'z',
      shortless: 'except',
      aflag: true,
      flout: true,
      myflag: 'PONY!',
      myparam: 'p WITH A PONY!',
    });
    expect(config.get('long')).toBe('x');
  });

  test('defaults: flags false, parameters their default, undefined without one', () => {
    const config = new Typed();
    config.parseOptions([]);
    expect(config.opts).toEqual({ fooint: 392, foofloat: 4.23, eggint: undefined, port: 8080 });
    const flags = new WellBehaved();
    flags.parseOptions([]);
    expect(flags.get('aflag')).toBe(false);
  });

  test('coerce converts (TypedOptionsTests)', () => {
    const config = new Typed();
    config.parseOptions(['--fooint', '912', '--foofloat', '-823.1', '--eggint', '32', '-p', '53']);
    expect(config.opts).toEqual({ fooint: 912, foofloat: -823.1, eggint: 32, port: 53 });
  });

  test('a coerce that throws or gives NaN is a UsageError naming option and value', () => {
    for (const [args, option, value] of [
      [['--fooint', 'egg'], '--fooint', 'egg'],
      [['-p', '70000'], '--port', '70000'],
    ] as const) {
      const config = new Typed();
      let caught: unknown;
      try {
        config.parseOptions([...args]);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(UsageError);
      expect((caught as UsageError).option).toBe(option);
      expect((caught as UsageError).value).toBe(value);
      expect((caught as UsageError).message).toContain(option);
      expect((caught as UsageError).message).toContain(value);
    }
  });

  test('unknown options, missing values and flag values are UsageErrors', () => {
    expect(() => new WellBehaved().parseOptions(['--bogus'])).toThrow('option --bogus not recognized');
    expect(() => new WellBehaved().parseOptions(['-z'])).toThrow('option -z not recognized');
    expect(() => new WellBehaved().parseOptions(['--long'])).toThrow('option --long requires argument');
    expect(() => new WellBehaved().parseOptions(['--aflag=yes'])).toThrow(
      /--aflag must not have an argument/,
    );
  });

  test('a unique prefix of a long option is accepted, an ambiguous one refused', () => {
    const config = new WellBehaved();
    config.parseOptions(['--anot', 'v']);
    expect(config.get('another')).toBe('v');
    expect(() => new WellBehaved().parseOptions(['--l', 'x'])).toThrow(/not a unique prefix/);
  });

  test('options stop at the first argument that is not one; -- ends them', () => {
    class Rest extends Options {
      optFlags = [['verbose', 'v', '']] as const;
      rest: string[] = [];
      override parseArgs(...rest: string[]): void {
        this.rest = rest;
      }
    }
    const config = new Rest();
    config.parseOptions(['-v', 'module', '--port', '5']);
    expect(config.rest).toEqual(['module', '--port', '5']);
    const dashed = new Rest();
    dashed.parseOptions(['--', '-v']);
    expect([dashed.get('verbose'), dashed.rest]).toEqual([false, ['-v']]);
  });
});

describe('parseArgs arity (WrongNumberOfArguments)', () => {
  class One extends Options {
    file: string | undefined;
    override parseArgs(file: string): void {
      this.file = file;
    }
  }
  class OneOrTwo extends Options {
    got: string[] = [];
    override parseArgs(a: string, b: string = 'default'): void {
      this.got = [a, b];
    }
  }
  test('the declared parameters say how many positionals are accepted', () => {
    expect(() => new Options().parseOptions(['extra'])).toThrow(
      /Wrong number of arguments: expected 0, got 1/,
    );
    expect(() => new One().parseOptions([])).toThrow(UsageError);
    expect(() => new One().parseOptions(['a', 'b'])).toThrow(/expected 1, got 2/);
    const one = new One();
    one.parseOptions(['f']);
    expect(one.file).toBe('f');
    const two = new OneOrTwo();
    two.parseOptions(['x']);
    expect(two.got).toEqual(['x', 'default']);
    expect(() => new OneOrTwo().parseOptions(['1', '2', '3'])).toThrow(/expected 1 to 2/);
  });
});

describe('subCommands (SubCommandTests)', () => {
  class Inquisition extends Options {
    optFlags = [['expect', 'e']] as const;
    optParameters = [['torture-device', 't', 'comfy-chair', 'set preferred torture device']] as const;
  }
  class HolyQuest extends Options {
    optFlags = [['horseback', 'h', 'use a horse']] as const;
  }
  class SubCommandOptions extends Options {
    optFlags = [['europian-swallow', undefined, 'set default swallow type to Europian']] as const;
    subCommands = [
      ['inquisition', 'inquest', Inquisition, 'Perform an inquisition'],
      ['holyquest', 'quest', HolyQuest, 'Embark upon a holy quest'],
    ] as const;
  }

  test('the first positional picks the sub-command, which parses the rest', () => {
    const o = new SubCommandOptions();
    o.parseOptions(['--europian-swallow', 'inquisition', '-t', 'rack']);
    expect(o.get('europian-swallow')).toBe(true);
    expect(o.subCommand).toBe('inquisition');
    expect(o.subOptions).toBeInstanceOf(Inquisition);
    expect(o.subOptions!.get('torture-device')).toBe('rack');
    expect(o.subOptions!.parent).toBe(o);
    const short = new SubCommandOptions();
    short.parseOptions(['quest', '--horseback']);
    expect(short.subCommand).toBe('holyquest');
  });

  test('an unknown command is a UsageError; no command leaves subCommand undefined', () => {
    expect(() => new SubCommandOptions().parseOptions(['nope'])).toThrow('Unknown command: nope');
    const none = new SubCommandOptions();
    none.parseOptions([]);
    expect(none.subCommand).toBeUndefined();
  });

  test('defaultSubCommand is used when none is given', () => {
    class WithDefault extends SubCommandOptions {
      defaultSubCommand = 'holyquest';
    }
    const o = new WithDefault();
    o.parseOptions([]);
    expect(o.subCommand).toBe('holyquest');
  });
});

describe('postOptions and getUsage (HelpStringTests)', () => {
  test('postOptions runs after parsing and may refuse', () => {
    class Checked extends Options {
      optParameters = [['count', 'c', 1, 'how many', Number]] as const;
      override postOptions(): void {
        if ((this.get('count') as number) < 1)
          throw new UsageError('--count must be at least 1', { option: '--count' });
      }
    }
    expect(() => new Checked().parseOptions(['-c', '0'])).toThrow('--count must be at least 1');
  });

  test('getUsage lists every option with its doc, short form, default and coerceDoc', () => {
    const usage = new WellBehaved().getUsage(80);
    expect(usage).toMatch(/^Options:\n/);
    expect(usage).toContain('  -w, --long=       and a docstring [default: default]');
    expect(usage).toContain('--shortless=');
    expect(usage).toContain('this one got docstring [default: except]');
    expect(usage).toContain('  -f, --aflag');
    expect(usage).toContain('--myparam=');
    expect(usage).toContain('--help');
    expect(usage).toContain('Display this help and exit.');
    expect(new Typed().getUsage()).toContain('Must be an int between 0 and 65535.');
  });

  test('--help prints the usage and exits 0 (in a child process)', async () => {
    const fixture = resolve(import.meta.dirname, 'fixtures/help.ts');
    const result = await new Promise<{ code: number | null; stdout: string }>((done) =>
      execFile(process.execPath, [fixture, '--help'], (error, stdout) =>
        done({ code: error === null ? 0 : (error.code as number), stdout }),
      ),
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: help\.ts \[options\]\nOptions:\n/);
    expect(result.stdout).toContain('--port=');
  });
});
