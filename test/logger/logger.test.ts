// Ports of twisted/logger/test (test_logger, test_levels, test_format, test_filter, test_observer,
// test_global, test_json) for what applies in JavaScript.
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type * as LoggerApi from '../../src/logger/index.ts';
import { resetProcessWideLogging } from '../support/fresh-logging.ts';

let api: typeof LoggerApi;
let legacy: typeof import('../../src/log/log.ts');
let stderr: string[];

beforeEach(async () => {
  vi.resetModules();
  resetProcessWideLogging();
  api = await import('../../src/logger/index.ts');
  legacy = await import('../../src/log/log.ts');
  stderr = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

function collector(): { events: LoggerApi.LogEvent[]; observer: LoggerApi.ILogObserver } {
  const events: LoggerApi.LogEvent[] = [];
  return { events, observer: (e) => void events.push(e) };
}

describe('Logger (test_logger)', () => {
  test('emit stores the format and fields unformatted, with the log_* keys', () => {
    const { events, observer } = collector();
    const source = { me: 1 };
    const log = new api.Logger({ namespace: 'ns.sub', source, observer });
    const before = Date.now() / 1000;
    log.info('got {count} from {peer!r}', { count: 3, peer: '127.0.0.1' });
    const e = events[0];
    expect(e).toMatchObject({
      count: 3,
      peer: '127.0.0.1',
      log_format: 'got {count} from {peer!r}',
      log_namespace: 'ns.sub',
      log_source: source,
    });
    expect(e.log_level).toBe(api.LogLevel.info);
    expect(e.log_logger).toBe(log);
    expect(e.log_time).toBeGreaterThanOrEqual(before - 1);
    expect(api.formatEvent(e)).toBe("got 3 from '127.0.0.1'");
  });

  test('each level method emits its level; positional constructor works', () => {
    const { events, observer } = collector();
    const log = new api.Logger('x', undefined, observer);
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    log.critical('c');
    expect(events.map((e) => (e.log_level as LoggerApi.LogLevel).name)).toEqual([
      'debug',
      'info',
      'warn',
      'error',
      'critical',
    ]);
  });

  test('the default namespace is derived from the calling file, never empty', () => {
    const log = new api.Logger();
    expect(log.namespace).toBe('test.logger.logger.test');
  });

  test('failure() carries a Failure (from an Error too), critical by default, and the traceback is printed after the text', () => {
    const { events, observer } = collector();
    const log = new api.Logger({ namespace: 'f', observer });
    log.failure('while frobbing {knob}', new RangeError('bad knob'), undefined, { knob: 7 });
    const e = events[0];
    expect(e.log_level).toBe(api.LogLevel.critical);
    expect(e.log_failure!.value.message).toBe('bad knob');
    const text = api.eventAsText(e, { includeTimestamp: false });
    expect(text).toMatch(/^\[f#critical\] while frobbing 7\nRangeError: bad knob\n\s+at /);
  });

  test('an invalid level is reported as a failure, not thrown (test_logger.test_logInvalidLogLevel)', () => {
    const { events, observer } = collector();
    new api.Logger({ namespace: 'x', observer }).emit('loud' as never, 'x');
    expect(events[0].log_level).toBe(api.LogLevel.critical);
    expect(api.formatEvent(events[0])).toBe("Got invalid log level 'loud' in <Logger 'x'>.emit().");
    expect(events[0].log_failure!.value.name).toBe('InvalidLogLevelError');
  });
});

describe('LogLevel (test_levels)', () => {
  test('levelWithName gives the constant; a bad name throws InvalidLogLevelError', async () => {
    const { InvalidLogLevelError } = await import('../../src/errors.ts');
    for (const l of api.LogLevel.iterconstants()) expect(api.LogLevel.levelWithName(l.name)).toBe(l);
    expect(() => api.LogLevel.levelWithName('loud')).toThrow(InvalidLogLevelError);
  });

  test('the constants are shared by every copy of the module (ESM and CommonJS builds)', async () => {
    vi.resetModules();
    const other = await import('../../src/logger/levels.ts?copy=2' as string);
    expect((other as typeof import('../../src/logger/levels.ts')).LogLevel.warn).toBe(api.LogLevel.warn);
  });
});

describe('formatEvent (test_format)', () => {
  const fmt = (format: string, fields: Record<string, unknown>) =>
    api.formatEvent({ log_format: format, ...fields });
  test('fields, !r, attributes, indices, calls, specs, escaped braces', () => {
    expect(
      fmt('{a} {b!r} {c.d} {e[1]} {f()} {{x}}', { a: 'A', b: 'B', c: { d: 'D' }, e: [0, 'E'], f: () => 'F' }),
    ).toBe("A 'B' D E F {x}");
    expect(fmt('{n:.2f}|{n:>8.1f}|{s:<4}|{i:05d}|{i:,}', { n: 3.14159, s: 'ab', i: 1234 })).toBe(
      '3.14|     3.1|ab  |01234|1,234',
    );
    expect(fmt('{o} {arr} {err}', { o: { k: 1 }, arr: [1, 2], err: new TypeError('t') })).toBe(
      '{ k: 1 } [ 1, 2 ] TypeError: t',
    );
  });

  test('a missing field or a bad format never throws: the text says so', () => {
    expect(fmt('{missing}', {})).toMatch(/^Unable to format event .*KeyError: "missing"/);
    expect(fmt('{unclosed', {})).toMatch(/^Unable to format event/);
    expect(api.formatEvent({})).toBe('');
  });

  test('eventAsText: system is log_system, else namespace#level; timestamps are RFC 3339 local time', () => {
    const saved = process.env.TZ;
    process.env.TZ = 'UTC';
    try {
      const event = { log_format: 'hi', log_namespace: 'ns', log_level: api.LogLevel.warn, log_time: 0 };
      expect(api.eventAsText(event)).toBe('1970-01-01T00:00:00+0000 [ns#warn] hi');
      expect(api.eventAsText({ ...event, log_system: 'UDP' })).toBe('1970-01-01T00:00:00+0000 [UDP] hi');
      expect(api.eventAsText({ log_format: 'hi' })).toBe('- [-#-] hi');
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });
});

describe('LogPublisher (test_observer)', () => {
  test('a throwing observer is reported after the loop; the others still get the event', () => {
    const publisher = new api.LogPublisher();
    const { events, observer } = collector();
    publisher.addObserver(function broken() {
      throw new Error('nope');
    });
    publisher.addObserver(observer);
    publisher({ log_format: 'x' });
    expect(events[0].log_format).toBe('x');
    expect(events[1].log_level).toBe(api.LogLevel.critical);
    expect(api.formatEvent(events[1])).toBe(
      'Temporarily disabling observer broken due to exception: [Failure instance: Error: nope]',
    );
  });

  test('adding twice adds once; removing an absent observer is harmless; non-functions are refused', () => {
    const publisher = new api.LogPublisher();
    const { events, observer } = collector();
    publisher.addObserver(observer);
    publisher.addObserver(observer);
    publisher({});
    expect(events).toHaveLength(1);
    publisher.removeObserver(observer);
    publisher.removeObserver(observer);
    expect(() => publisher.addObserver('x' as never)).toThrow(TypeError);
  });
});

describe('filtering (test_filter)', () => {
  test('LogLevelFilterPredicate: per namespace, dotted prefixes inherit, events without level or namespace are dropped', () => {
    const predicate = new api.LogLevelFilterPredicate(api.LogLevel.warn);
    predicate.setLogLevelForNamespace('chatty', api.LogLevel.debug);
    const { events, observer } = collector();
    const filtered = new api.FilteringLogObserver(observer, [predicate]);
    const log = (namespace: string, level: LoggerApi.LogLevel) =>
      filtered({ log_namespace: namespace, log_level: level, log_format: `${namespace} ${level.name}` });
    log('quiet', api.LogLevel.info);
    log('quiet', api.LogLevel.error);
    log('chatty.sub', api.LogLevel.debug);
    filtered({ log_format: 'no level' });
    expect(events.map((e) => e.log_format)).toEqual(['quiet error', 'chatty.sub debug']);
    expect(predicate.logLevelForNamespace('chatty.sub.deeper')).toBe(api.LogLevel.debug);
    expect(() => predicate.setLogLevelForNamespace('x', 'loud' as never)).toThrow();
  });

  test('yes/no/maybe predicates; the negative observer gets what is dropped', () => {
    const { events, observer } = collector();
    const dropped = collector();
    const filtered = new api.FilteringLogObserver(
      observer,
      [
        (e) => (e.n === 1 ? api.PredicateResult.yes : api.PredicateResult.maybe),
        (e) => (e.n === 2 ? api.PredicateResult.no : api.PredicateResult.maybe),
      ],
      dropped.observer,
    );
    for (const n of [1, 2, 3]) filtered({ n });
    expect(events.map((e) => e.n)).toEqual([1, 3]);
    expect(dropped.events.map((e) => e.n)).toEqual([2]);
  });
});

describe('globalLogBeginner (test_global)', () => {
  test('events before logging begins are held and replayed; errors are printed to stderr meanwhile', () => {
    const log = new api.Logger({ namespace: 'early' });
    log.info('held {n}', { n: 1 });
    log.error('printed {n}', { n: 2 });
    expect(stderr).toEqual(['[early#error] printed 2\n']);
    const { events, observer } = collector();
    api.globalLogBeginner.beginLoggingTo([observer]);
    expect(events.map((e) => api.formatEvent(e))).toEqual(['held 1', 'printed 2']);
    log.error('after');
    expect(stderr).toHaveLength(1);
    expect(events).toHaveLength(3);
  });

  test('the buffer is bounded (200 events), discardBuffer drops it, a second begin warns', () => {
    const log = new api.Logger({ namespace: 'flood' });
    for (let i = 0; i < 500; i++) log.info('{i}', { i });
    const { events, observer } = collector();
    api.globalLogBeginner.beginLoggingTo([observer]);
    expect(events).toHaveLength(200);
    expect(events[0].i).toBe(300);
    const second = collector();
    api.globalLogBeginner.beginLoggingTo([second.observer], { discardBuffer: true });
    expect(api.formatEvent(second.events[0])).toMatch(/^Warning: primary log target selected twice/);
  });

  test('standard output is not captured unless asked; redirectStandardIO turns writes into events', () => {
    const { events, observer } = collector();
    api.globalLogBeginner.beginLoggingTo([observer], { redirectStandardIO: true });
    try {
      process.stdout.write('printed line\n');
    } finally {
      api.globalLogBeginner.restoreStandardIO();
    }
    const e = events.find((ev) => ev.log_namespace === 'stdout')!;
    expect(api.formatEvent(e)).toBe('printed line');
    expect(e.log_level).toBe(api.LogLevel.info);
  });
});

describe('legacy and new observers reach each other (test_legacy)', () => {
  test('log.msg/err reach new observers with log_* keys; Logger events reach legacy observers with message/isError/why', () => {
    const fresh = collector();
    api.globalLogPublisher.addObserver(fresh.observer);
    const old: Record<string, unknown>[] = [];
    legacy.addObserver((e) => void old.push(e));
    legacy.msg('legacy', 1);
    legacy.err(new Error('legacy boom'), 'legacy why');
    new api.Logger({ namespace: 'modern' }).failure(
      'modern {x}',
      new Error('modern boom'),
      api.LogLevel.error,
      { x: 1 },
    );
    new api.Logger({ namespace: 'modern' }).info('plain');
    expect(fresh.events[0]).toMatchObject({
      log_namespace: 'log_legacy',
      log_level: api.LogLevel.info,
      log_system: '-',
    });
    expect(api.formatEvent(fresh.events[0])).toBe('legacy 1');
    expect(fresh.events[1].log_level).toBe(api.LogLevel.critical);
    expect(api.formatEvent(fresh.events[1])).toMatch(/^legacy why\nError: legacy boom/);
    expect(old[2]).toMatchObject({ isError: true, why: 'modern 1', system: '-' });
    expect(legacy.textFromEventDict(old[2] as never)).toMatch(/^modern 1\nError: modern boom/);
    expect(old[3]).toMatchObject({ isError: false, message: [] });
    expect(legacy.textFromEventDict(old[3] as never)).toBe('plain');
  });
});

describe('JSON (test_json)', () => {
  test('a round trip keeps the level identity, the failure and the text', () => {
    const event = {
      log_format: 'x {y!r}',
      y: 'z',
      log_level: api.LogLevel.warn,
      log_failure: undefined as never,
      log_namespace: 'n',
    };
    const back = api.eventFromJSON(
      api.eventAsJSON({ ...event, log_failure: new (require_failure())(new TypeError('tt')) }),
    );
    expect(back.log_level).toBe(api.LogLevel.warn);
    expect(api.formatEvent(back)).toBe("x 'z'");
    expect(back.log_failure!.value.name).toBe('TypeError');
    expect(back.log_failure!.getErrorMessage()).toBe('tt');
  });

  test('objects that are not data are unpersistable; bytes become latin-1 text; cycles do not throw', () => {
    class Thing {}
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const record = JSON.parse(
      api.eventAsJSON({ thing: new Thing(), bytes: Buffer.from([0xff, 0x41]), cyclic, big: 10n }),
    );
    expect(record.thing).toEqual({ unpersistable: true });
    expect(record.bytes).toBe('\u00ffA');
    expect(record.cyclic.self).toEqual({ unpersistable: true });
    expect(record.big).toBe('10');
  });

  test('an object whose toJSON throws loses its own field only; toJSON gets its key; a Date is its ISO text', () => {
    const keys: string[] = [];
    const broken = {
      toJSON: () => {
        throw new Error('no');
      },
    };
    class Keyed {
      toJSON(key: string) {
        keys.push(key);
        return `keyed:${key}`;
      }
    }
    const when = new Date(0);
    const record = JSON.parse(
      api.eventAsJSON({
        log_format: '{broken} {keyed}',
        broken,
        keyed: new Keyed(),
        when,
        log_level: api.LogLevel.error,
        kept: 1,
      }),
    );
    expect(record.broken).toEqual({ unpersistable: true });
    expect(record.keyed).toBe('keyed:keyed');
    expect(keys).toContain('keyed');
    expect(record.when).toBe('1970-01-01T00:00:00.000Z');
    expect(record.kept).toBe(1);
    expect(record.log_level).toEqual({
      name: 'error',
      __class_uuid__: '02e59486-f24d-46ad-8224-3acdf2a5732a',
    });
    expect(api.eventFromJSON(JSON.stringify(record)).log_level).toBe(api.LogLevel.error);
  });

  test('eventsFromJSONLogFile reads RS-separated records, detects line mode, skips truncated ones', async () => {
    const rs = '\x1e{"a":1}\n\x1e{"a":2}\n\x1e{"a":3';
    const bad: string[] = [];
    const read = async (chunks: string[], sep?: string) => {
      const out: unknown[] = [];
      for await (const e of api.eventsFromJSONLogFile(Readable.from(chunks), sep, (reason) =>
        bad.push(reason),
      ))
        out.push(e.a);
      return out;
    };
    expect(await read([rs.slice(0, 5), rs.slice(5)])).toEqual([1, 2]);
    expect(bad).toEqual(['Unable to read truncated JSON record']);
    expect(await read(['{"a":1}\n{"a":2}\nnot json\n'])).toEqual([1, 2]);
    expect(bad.at(-1)).toBe('Unable to read JSON record');
  });
});

function require_failure(): typeof import('../../src/failure.ts').Failure {
  return failureClass;
}
let failureClass: typeof import('../../src/failure.ts').Failure;
beforeEach(async () => {
  failureClass = (await import('../../src/failure.ts')).Failure;
});
