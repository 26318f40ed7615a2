// Log files on a real file system (twisted/test/test_logfile.py), and JSON logs read by and from
// Python Twisted (/usr/bin/python3).
import { execFileSync } from 'node:child_process';
import {
  createReadStream,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import {
  DailyLogFile,
  Failure,
  LogFile,
  LogLevel,
  Logger,
  eventsFromJSONLogFile,
  formatEvent,
  jsonFileLogObserver,
  textFileLogObserver,
} from '../../src/index.ts';

// Every directory a test makes is removed when the file's tests end.
const made: string[] = [];
const tmp = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'logfile-test-'));
  made.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function hasTwisted(): boolean {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import twisted.logger'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('LogFile (test_logfile.LogFileTests)', () => {
  test('writes, and rotates by size into name.1, name.2 …', () => {
    const dir = tmp();
    const log = new LogFile('test.log', dir, { rotateLength: 10 });
    log.write('123');
    log.write('4567890');
    log.write('1'.repeat(11));
    expect(existsSync(join(dir, 'test.log.1'))).toBe(true);
    expect(existsSync(join(dir, 'test.log.2'))).toBe(false);
    log.write('');
    expect(existsSync(join(dir, 'test.log.2'))).toBe(true);
    log.close();
    expect(readFileSync(join(dir, 'test.log.2'), 'utf8')).toBe('1234567890');
    expect(readFileSync(join(dir, 'test.log.1'), 'utf8')).toBe('11111111111');
    expect(readFileSync(join(dir, 'test.log'), 'utf8')).toBe('');
    expect(log.listLogs()).toEqual([1, 2]);
  });

  test('maxRotatedFiles deletes the oldest', () => {
    const dir = tmp();
    const log = new LogFile('test.log', dir, { rotateLength: 1, maxRotatedFiles: 2 });
    for (const c of 'abcde') log.write(c);
    log.close();
    expect(readdirSync(dir).sort()).toEqual(['test.log', 'test.log.1', 'test.log.2']);
    expect(readFileSync(join(dir, 'test.log.1'), 'utf8')).toBe('d');
    expect(readFileSync(join(dir, 'test.log.2'), 'utf8')).toBe('c');
  });

  test('an existing file is appended to and its size counted; getLog reads a rotated file', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'app.log'), '12345');
    const log = new LogFile('app.log', dir, 10);
    expect(log.size).toBe(5);
    log.write('67890');
    log.write('x\n');
    expect(log.getLog(1).readLines()).toEqual(['1234567890']);
    expect(() => log.getLog(9)).toThrow(/no such logfile/);
    log.close();
    expect(() => log.write('late')).toThrow(/closed log file/);
  });

  test('a directory that does not exist is a clear error at once', () => {
    expect(() => new LogFile('x.log', '/nonexistent-dir-for-test')).toThrow(/ENOENT/);
  });

  test('a burst of 100,000 lines through a text observer rotates without losing or reordering one', () => {
    const dir = tmp();
    const file = new LogFile('burst.log', dir, { rotateLength: 256 * 1024 });
    const log = new Logger({ namespace: 'burst', observer: textFileLogObserver(file) });
    for (let i = 0; i < 100_000; i++) log.info('line {i}', { i });
    file.close();
    const names = [
      ...file
        .listLogs()
        .reverse()
        .map((n) => `burst.log.${n}`),
      'burst.log',
    ];
    expect(names.length).toBeGreaterThan(10);
    const lines = names.flatMap((n) => readFileSync(join(dir, n), 'utf8').split('\n').filter(Boolean));
    expect(lines).toHaveLength(100_000);
    lines.forEach((line, i) => {
      if (!line.endsWith(` [burst#info] line ${i}`)) throw new Error(`line ${i} is ${line}`);
    });
    for (const n of names.slice(0, -1))
      expect(readFileSync(join(dir, n)).length).toBeLessThan(256 * 1024 + 200);
  });

  test('lines buffered at exit are written (process.exit in a child process)', () => {
    const dir = tmp();
    const script = `
      import { LogFile } from ${JSON.stringify(new URL('../../src/index.ts', import.meta.url).href)};
      const f = new LogFile('exit.log', ${JSON.stringify(dir)});
      for (let i = 0; i < 1000; i++) f.write('line ' + i + '\\n');
      process.exit(3);`;
    try {
      execFileSync(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' });
    } catch (e) {
      expect((e as { status: number }).status).toBe(3);
    }
    expect(readFileSync(join(dir, 'exit.log'), 'utf8').split('\n').filter(Boolean)).toHaveLength(1000);
  });
});

describe('DailyLogFile (test_logfile.DailyLogFileTests)', () => {
  test('rotates to name.YYYY_M_D when the date changes', () => {
    const dir = tmp();
    let today: [number, number, number] = [2024, 5, 1];
    class TestDaily extends DailyLogFile {
      override toDate(when?: number): readonly [number, number, number] {
        return when === undefined ? today : super.toDate(when);
      }
    }
    const log = new TestDaily('daily.log', dir);
    log.lastDate = [2024, 5, 1];
    log.write('first day\n');
    today = [2024, 5, 2];
    log.write('second day\n');
    log.close();
    expect(readFileSync(join(dir, 'daily.log.2024_5_1'), 'utf8')).toBe('first day\n');
    expect(readFileSync(join(dir, 'daily.log'), 'utf8')).toBe('second day\n');
    expect(log.suffix([2024, 12, 31])).toBe('2024_12_31');
  });
});

describe.skipIf(!hasTwisted())('JSON logs and Python Twisted', () => {
  test('Python Twisted reads what jsonFileLogObserver writes (levels, text, failures)', () => {
    const dir = tmp();
    const file = new LogFile('ours.json', dir);
    const log = new Logger({ namespace: 'ts.side', observer: jsonFileLogObserver(file) });
    log.info('got {count} datagrams from {peer}', { count: 3, peer: '127.0.0.1' });
    log.warn('{a} and {a} again, {b!r}', { a: 1, b: 'quoted' });
    log.failure('it broke {why}', new Failure(new RangeError('out of range')), LogLevel.error, {
      why: 'here',
    });
    file.close();
    const out = execFileSync(
      '/usr/bin/python3',
      [
        '-c',
        `
import sys
from twisted.logger import eventsFromJSONLogFile, formatEvent, LogLevel
with open(sys.argv[1]) as f:
    for e in eventsFromJSONLogFile(f):
        print(e["log_level"] is LogLevel.levelWithName(e["log_level"].name), e["log_level"].name, e["log_namespace"], formatEvent(e), sep="|")
        if "log_failure" in e:
            print("failure", e["log_failure"].type.__name__, e["log_failure"].getErrorMessage(), sep="|")
`,
        join(dir, 'ours.json'),
      ],
      { encoding: 'utf8' },
    );
    expect(out.trim().split('\n')).toEqual([
      'True|info|ts.side|got 3 datagrams from 127.0.0.1',
      "True|warn|ts.side|1 and 1 again, 'quoted'",
      'True|error|ts.side|it broke here',
      'failure|RangeError|out of range',
    ]);
  });

  test('we read what Python Twisted writes (levels are our constants, text formats, failures come back)', async () => {
    const dir = tmp();
    const path = join(dir, 'python.json');
    execFileSync('/usr/bin/python3', [
      '-c',
      `
import sys
from twisted.logger import Logger, jsonFileLogObserver
with open(sys.argv[1], "w") as f:
    log = Logger(namespace="py.side", observer=jsonFileLogObserver(f))
    log.info("got {count} datagrams from {peer!r}", count=3, peer=("127.0.0.1", 53))
    log.debug("bytes {b}", b=b"ab")
    try:
        1 / 0
    except Exception:
        log.failure("oops {x}", x=1)
`,
      path,
    ]);
    const events = [];
    for await (const e of eventsFromJSONLogFile(createReadStream(path))) events.push(e);
    expect(events.map((e) => [e.log_level, e.log_namespace, formatEvent(e)])).toEqual([
      [LogLevel.info, 'py.side', "got 3 datagrams from ('127.0.0.1', 53)"],
      [LogLevel.debug, 'py.side', "bytes b'ab'"],
      [LogLevel.critical, 'py.side', 'oops 1'],
    ]);
    expect(events[2].log_failure!.value.name).toBe('ZeroDivisionError');
  });
});
