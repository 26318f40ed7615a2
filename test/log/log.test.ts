import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as LogModule from '../../src/log/log.ts';
import type { LogEvent } from '../../src/log/log.ts';

// The log module keeps its observers in module state: each test gets a fresh copy of it (and of
// Failure, which it imports), so that what one test starts does not leak into the next.
let log: typeof LogModule;
import { resetProcessWideLogging } from '../support/fresh-logging.ts';
let FailureClass: typeof import('../../src/failure.ts').Failure;
let stderr: string[];

beforeEach(async () => {
  vi.resetModules();
  resetProcessWideLogging();
  log = await import('../../src/log/log.ts');
  FailureClass = (await import('../../src/failure.ts')).Failure;
  stderr = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** A stream that records what is written to it. */
function memoryStream(): { write(s: string): boolean; text: () => string } {
  const chunks: string[] = [];
  return {
    write(s: string) {
      chunks.push(s);
      return true;
    },
    text: () => chunks.join(''),
  };
}

function collect(): LogEvent[] {
  const events: LogEvent[] = [];
  log.addObserver((e) => events.push(e));
  return events;
}

describe('defaults', () => {
  it('msg is silent until someone observes', () => {
    log.msg('nobody hears this');
    expect(stderr).toEqual([]);
  });

  it('err goes to stderr, with why, system and the traceback', () => {
    log.err(new RangeError('bad thing'), 'while testing');
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(/^\[-\] while testing\nRangeError: bad thing\n\s+at /);
  });

  it('err without why is an "Unhandled Error"', () => {
    log.err(new Error('x'));
    expect(stderr[0]).toMatch(/^\[-\] Unhandled Error\nError: x/);
  });
});

describe('observers', () => {
  it('receive msg events with message, isError, system and time', () => {
    const events = collect();
    const before = Date.now() / 1000;
    log.msg('hello', 42, { a: 1 });
    expect(events).toHaveLength(1);
    const e = events[0];
    expect(e.message).toEqual(['hello', 42, { a: 1 }]);
    expect(e.isError).toBe(false);
    expect(e.system).toBe('-');
    expect(e.time).toBeGreaterThanOrEqual(before - 1);
    expect(e.time).toBeLessThanOrEqual(Date.now() / 1000 + 1);
    expect(e.failure).toBeUndefined();
  });

  it('receive err events with a Failure, why and an empty message', () => {
    const events = collect();
    const error = new TypeError('t');
    log.err(error, 'because', 'my-system');
    const e = events[0];
    expect(e.isError).toBe(true);
    expect(e.message).toEqual([]);
    expect(e.failure).toBeInstanceOf(FailureClass);
    expect(e.failure!.value).toBe(error);
    expect(e.why).toBe('because');
    expect(e.system).toBe('my-system');
  });

  it('err accepts a Failure as it is, and wraps thrown non-Errors', () => {
    const events = collect();
    const f = new FailureClass(new Error('f'));
    log.err(f);
    log.err(42);
    expect(events[0].failure).toBe(f);
    expect(events[1].failure!.getErrorMessage()).toContain('42');
  });

  it("err('a message') is one error line, as Twisted's log.err of a string (no traceback)", () => {
    const events = collect();
    log.err('disk full');
    log.err('disk full', 'while flushing');
    expect(events[0].isError).toBe(true);
    expect(events[0].failure).toBeUndefined();
    expect(log.textFromEventDict(events[0])).toBe("'disk full'");
    expect(log.textFromEventDict(events[1])).toBe("while flushing: 'disk full'");
    expect(stderr.join('')).toBe("[-] 'disk full'\n[-] while flushing: 'disk full'\n");
  });

  it('emit passes extra fields through', () => {
    const events = collect();
    log.emit({ message: ['m'], custom: 'field' });
    expect(events[0].custom).toBe('field');
  });

  it('removeObserver stops delivery; removing an unknown observer is harmless', () => {
    const events: LogEvent[] = [];
    const o = (e: LogEvent) => void events.push(e);
    log.addObserver(o);
    log.msg('one');
    log.removeObserver(o);
    log.removeObserver(o);
    log.msg('two');
    expect(events.map((e) => e.message[0])).toEqual(['one']);
  });

  it('addObserver refuses a non-function', () => {
    expect(() => log.addObserver('x' as never)).toThrow(TypeError);
    expect(() => log.addObserver('x' as never)).toThrow(/"observer"/);
  });

  it('an observer that throws is reported after the others got the event, each time (as Twisted)', () => {
    let calls = 0;
    log.addObserver(function brokenObserver() {
      calls++;
      throw new Error('observer bug');
    });
    const events = collect();
    log.msg('first');
    log.msg('second');
    expect(calls).toBe(2);
    const reports = events.filter((e) => e.isError);
    expect(reports).toHaveLength(2);
    expect(reports[0].why).toContain('brokenObserver');
    expect(reports[0].failure!.getErrorMessage()).toBe('observer bug');
    expect(reports[0].system).toBe('log');
    // The report comes after the event itself reached the others.
    expect(events.map((e) => (e.isError ? 'report' : e.message[0]))).toEqual([
      'first',
      'report',
      'second',
      'report',
    ]);
    expect(stderr.join('')).toContain('observer bug');
  });

  it('an observer whose returned Promise rejects is reported too', async () => {
    log.addObserver(async function asyncObserver() {
      throw new Error('async observer bug');
    });
    const events = collect();
    log.msg('x');
    await new Promise((r) => setImmediate(r));
    const report = events.find((e) => e.isError)!;
    expect(report.why).toContain('asyncObserver');
    expect(report.failure!.getErrorMessage()).toBe('async observer bug');
  });

  it('with every observer broken, the report reaches stderr', () => {
    log.startLogging({
      write() {
        throw new Error('lonely bug');
      },
    });
    log.msg('x');
    expect(stderr.join('')).toContain('lonely bug');
  });
});

describe('callWithContext', () => {
  it('sets the default system of what is logged inside, and restores it after', () => {
    const events = collect();
    const r = log.callWithContext({ system: 'UDP Port 9999' }, () => {
      log.msg('inside');
      log.callWithContext({ system: 'nested' }, () => log.msg('deeper'));
      log.err(new Error('e'), undefined, 'explicit');
      return 'value';
    });
    log.msg('outside');
    expect(r).toBe('value');
    expect(events.map((e) => e.system)).toEqual(['UDP Port 9999', 'nested', 'explicit', '-']);
  });

  it('restores the system when the function throws', () => {
    const events = collect();
    expect(() =>
      log.callWithContext({ system: 'temp' }, () => {
        throw new Error('x');
      }),
    ).toThrow('x');
    log.msg('after');
    expect(events[0].system).toBe('-');
  });
});

describe('textFromEventDict', () => {
  const base = { isError: false, system: '-', time: 0 };

  it('joins message parts, inspecting non-strings', () => {
    expect(log.textFromEventDict({ ...base, message: ['a', 1, { b: 2 }] })).toBe('a 1 { b: 2 }');
  });

  it('gives why and the traceback for an error', () => {
    const failure = new FailureClass(new Error('boom'));
    const text = log.textFromEventDict({ ...base, message: [], isError: true, failure, why: 'Why' });
    expect(text).toBe(`Why\n${failure.getTraceback()}`);
  });

  it('says "Unhandled Error" when an error has no why', () => {
    const failure = new FailureClass(new Error('boom'));
    expect(log.textFromEventDict({ ...base, message: [], isError: true, failure })).toMatch(
      /^Unhandled Error\nError: boom/,
    );
  });

  it('gives why, or undefined, for an event without message', () => {
    expect(log.textFromEventDict({ ...base, message: [], why: 'only why' })).toBe('only why');
    expect(log.textFromEventDict({ ...base, message: [] })).toBeUndefined();
  });
});

describe('startLogging', () => {
  it('writes "<time> [<system>] <text>" lines, messages included, and replaces the stderr printer', () => {
    const stream = memoryStream();
    const observer = log.startLogging(stream);
    log.msg('hello', 'world');
    log.callWithContext({ system: 'proto' }, () => log.err(new Error('oops'), 'it broke'));
    const lines = stream.text();
    expect(lines).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[+-]\d{4} \[-\] Log opened\.\n/);
    expect(lines).toMatch(/\n\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[+-]\d{4} \[-\] hello world\n/);
    // Multi-line texts are indented with a tab so each event stays one logical record.
    expect(lines).toMatch(/\[proto\] it broke\n\tError: oops\n\t\s*at /);
    expect(stderr).toEqual([]);
    log.removeObserver(observer);
    log.msg('not written');
    expect(stream.text()).toBe(lines);
  });

  it('timestamps the event time in local time with its offset, as twistd', () => {
    const saved = process.env.TZ;
    try {
      process.env.TZ = 'UTC';
      const stream = memoryStream();
      log.fileObserver(stream)({ message: ['fixed'], isError: false, system: 's', time: 0 });
      process.env.TZ = 'Asia/Kolkata';
      log.fileObserver(stream)({ message: ['later'], isError: false, system: 's', time: 0 });
      expect(stream.text()).toBe('1970-01-01 00:00:00+0000 [s] fixed\n1970-01-01 05:30:00+0530 [s] later\n');
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('refuses something that is not a writable stream', () => {
    expect(() => log.startLogging({} as never)).toThrow(TypeError);
    expect(() => log.startLogging(null as never)).toThrow(/"stream"/);
  });
});
