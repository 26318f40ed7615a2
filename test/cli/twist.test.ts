// `twisted-ts twist`, run as `npx twisted-ts twist` runs it: the built bin in child processes,
// with real signals, pid files and log files (Twisted's twist/test/test_twist.py and
// runner/test/test_runner.py, test_pidfile.py).
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const bin = resolve(root, 'dist/esm/cli/main.js');
const fixture = (name: string): string => resolve(import.meta.dirname, 'fixtures', name);

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
  /** Resolves once stdout contains `text`. */
  waitFor: (text: string | RegExp) => Promise<void>;
}

const running: ChildProcess[] = [];
afterEach(() => {
  for (const c of running.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

function twist(args: string[]): Run {
  const child = spawn(process.execPath, [bin, 'twist', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let out = '';
  let err = '';
  const waiters: [string | RegExp, () => void][] = [];
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of waiters.splice(0)) {
      if (typeof w[0] === 'string' ? out.includes(w[0]) : w[0].test(out)) w[1]();
      else waiters.push(w);
    }
  });
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exit,
    waitFor: (text) =>
      new Promise<void>((r, reject) => {
        if (typeof text === 'string' ? out.includes(text) : text.test(out)) return r();
        waiters.push([text, r]);
        exit.then(() => reject(new Error(`exited before printing ${String(text)}:\n${out}\n${err}`)));
      }),
  };
}

/** The records of a JSON log (`\x1e`-separated). */
function records(text: string): Record<string, unknown>[] {
  return text
    .split('\x1e')
    .filter((r) => r.trim() !== '')
    .map((r) => JSON.parse(r) as Record<string, unknown>);
}

// Every directory a test makes is removed when the file's tests end.
const made: string[] = [];
const tmp = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'twist-test-'));
  made.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

describe('running an application', () => {
  test('starts the tree, serves, and on SIGTERM stops it and exits 0; the log is JSON when not a terminal', async () => {
    const run = twist([fixture('udp-app.ts')]);
    await run.waitFor('Starting reactor...');
    const listening = records(run.stdout()).find((r) => r.log_format === 'echo listening on {port}')!;
    const port = listening.port as number;
    const client = createSocket('udp4');
    const reply = new Promise<string>((r) => client.once('message', (m) => r(m.toString())));
    client.send('ping', port, '127.0.0.1');
    expect(await reply).toBe('ping');
    client.close();
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
    const texts = records(run.stdout()).map(
      (r) => (r.log_flattened as Record<string, string> | undefined)?.['log_text!s:'] ?? r.log_format,
    );
    expect(texts).toContain('Received {signal}, shutting down.');
    expect(texts).toContain(`(UDP Port ${port} Closed)`);
    expect(texts.slice(-2)).toEqual(['Main loop terminated.', 'Server Shut Down.']);
    // The levels read back as Twisted writes them.
    expect(records(run.stdout())[0].log_level).toMatchObject({
      __class_uuid__: '02e59486-f24d-46ad-8224-3acdf2a5732a',
    });
  });

  test('SIGINT stops it too; --log-format text writes twistd-style lines', async () => {
    const run = twist(['--log-format', 'text', fixture('udp-app.ts')]);
    await run.waitFor('Starting reactor...');
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(0);
    expect(run.stdout()).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} \[Echo\] Echo starting on \d+\n/);
    expect(run.stdout()).toMatch(/\[-\] Received SIGINT, shutting down\.\n/);
    expect(run.stdout()).toMatch(
      /\[-\] Main loop terminated\.\n.*\[twisted-ts\.twist#info\] Server Shut Down\.\n$/,
    );
  });

  test('a default export that is an application is run', async () => {
    const run = twist(['--log-format', 'text', fixture('default-export.ts')]);
    await run.waitFor('Starting reactor...');
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
  });

  test('--log-level filters; --log-file writes there instead of stdout', async () => {
    const dir = tmp();
    const file = join(dir, 'app.log');
    const pidfile = join(dir, 'app.pid');
    const run = twist([
      '--pidfile',
      pidfile,
      '--log-file',
      file,
      '--log-format',
      'text',
      '--log-level',
      'warn',
      fixture('maker.ts'),
      '--fail-stop',
    ]);
    // Nothing reaches stdout to wait for. The pid file is written once twist handles SIGTERM (a
    // fixed delay was too short on a loaded machine: the child was killed before that).
    for (let waited = 0; !existsSync(pidfile) && waited < 30_000; waited += 50) {
      await new Promise((r) => setTimeout(r, 50));
    }
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(1);
    expect(run.stdout()).toBe('');
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('started with port');
    expect(text).toMatch(
      /\[twisted-ts\.twist#critical\] Stopping the service tree failed\n\tError: cannot stop cleanly \(simulated\)/,
    );
  });
});

describe('a service maker', () => {
  test('gets its options parsed, and "<module> --help" prints its usage and exits 0', async () => {
    const run = twist([fixture('maker.ts'), '--help']);
    expect(await run.exit).toBe(0);
    expect(run.stdout()).toContain('--fail-start');
    expect(run.stdout()).toContain('-p, --port=');
  });

  test('module options reach makeService; stop waits and exits 0', async () => {
    const run = twist(['--log-format', 'text', fixture('maker.ts'), '-p', '53']);
    await run.waitFor('Starting reactor...');
    expect(run.stdout()).toContain('started with port 53');
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
    expect(run.stdout()).toContain('[fixture.maker#info] stopping');
  });

  test('a bad module option is a usage error naming option and value: exit 64', async () => {
    const run = twist([fixture('maker.ts'), '--port', '70000']);
    expect(await run.exit).toBe(64);
    expect(run.stderr()).toMatch(
      /^Error: Invalid value "70000" for --port: Port number not in range: 70000\n\n/,
    );
    expect(run.stderr()).toContain('--hang-stop');
    const post = twist([fixture('maker.ts'), '--hang-stop', '--fail-stop']);
    expect(await post.exit).toBe(64);
    expect(post.stderr()).toContain('choose one of --hang-stop and --fail-stop');
  });

  test('a stop that never finishes is abandoned after --stop-timeout with a log line: exit 1', async () => {
    const run = twist(['--log-format', 'text', '--stop-timeout', '0.5', fixture('maker.ts'), '--hang-stop']);
    await run.waitFor('Starting reactor...');
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(1);
    expect(run.stdout()).toContain(
      'Stopping the service tree did not finish within 0.5 seconds; abandoning it.',
    );
  });
});

describe('the command line', () => {
  test('twist --help lists the global options and exits 0', async () => {
    const run = twist(['--help']);
    expect(await run.exit).toBe(0);
    expect(run.stdout()).toMatch(/^Usage: twisted-ts twist \[options\] <module> \[module options\]\n/);
    for (const o of [
      '--log-file=',
      '--log-level=',
      '--log-format=',
      '--pidfile=',
      '--uid=',
      '--gid=',
      '--stop-timeout=',
    ]) {
      expect(run.stdout()).toContain(o);
    }
  });

  test('a bad global option, a bad value or no module is a usage error: exit 64 with the usage', async () => {
    for (const args of [
      ['--bogus', fixture('udp-app.ts')],
      ['--log-format', 'xml', fixture('udp-app.ts')],
      ['--log-level', 'loud', 'x'],
      [],
    ]) {
      const run = twist(args);
      expect(await run.exit).toBe(64);
      expect(run.stderr()).toMatch(/^Error: /);
      expect(run.stderr()).toContain('Usage: twisted-ts twist');
    }
  });

  test('the doctor still answers through the same bin', async () => {
    const child = spawn(process.execPath, [bin, 'doctor', '--help'], { cwd: root });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise((r) => child.on('exit', r));
    expect(code).toBe(0);
    expect(out).toContain('Usage: twisted-ts doctor');
  });
});

describe('faults at start', () => {
  test('a module that throws while loading: non-zero exit, the error shown, no pid file left', async () => {
    const pidfile = join(tmp(), 'app.pid');
    const run = twist(['--pidfile', pidfile, fixture('throws-on-load.ts')]);
    expect(await run.exit).toBe(1);
    expect(run.stderr()).toContain('broken at load time');
    expect(existsSync(pidfile)).toBe(false);
  });

  test('a startService that throws: non-zero exit, the error shown, no pid file left', async () => {
    const pidfile = join(tmp(), 'app.pid');
    const run = twist(['--pidfile', pidfile, fixture('maker.ts'), '--fail-start']);
    expect(await run.exit).toBe(1);
    expect(run.stderr()).toContain('cannot start: port busy (simulated)');
    expect(existsSync(pidfile)).toBe(false);
  });

  test('a module that does not exist or exports nothing runnable: exit 1 saying so', async () => {
    const missing = twist([fixture('no-such-module.ts')]);
    expect(await missing.exit).toBe(1);
    expect(missing.stderr()).toContain('Could not load');
    const empty = twist([resolve(root, 'test/support/wait.ts')]);
    expect(await empty.exit).toBe(1);
    expect(empty.stderr()).toContain('exports neither serviceMaker nor application');
  });

  test('an unwritable log file or pid file is a clear error at start: exit 73', async () => {
    const log = twist(['--log-file', '/nonexistent-dir/app.log', fixture('udp-app.ts')]);
    expect(await log.exit).toBe(73);
    expect(log.stderr()).toMatch(/Cannot open the log file "\/nonexistent-dir\/app.log": ENOENT/);
    const pid = twist(['--pidfile', '/nonexistent-dir/app.pid', fixture('udp-app.ts')]);
    expect(await pid.exit).toBe(73);
    expect(pid.stderr()).toMatch(/Cannot write the pid file/);
  });
});

describe('--pidfile', () => {
  test('holds the pid while running and is removed on exit', async () => {
    const pidfile = join(tmp(), 'app.pid');
    const run = twist(['--pidfile', pidfile, fixture('udp-app.ts')]);
    await run.waitFor('Starting reactor...');
    expect(readFileSync(pidfile, 'utf8')).toBe(`${run.child.pid}\n`);
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
    expect(existsSync(pidfile)).toBe(false);
  });

  test('a live one refuses to start (exit 78, "already running"); a stale one is replaced', async () => {
    const pidfile = join(tmp(), 'app.pid');
    writeFileSync(pidfile, `${process.pid}\n`);
    const refused = twist(['--pidfile', pidfile, fixture('udp-app.ts')]);
    expect(await refused.exit).toBe(78);
    expect(refused.stderr()).toMatch(/Already running/);
    expect(readFileSync(pidfile, 'utf8')).toBe(`${process.pid}\n`);
    // A pid no process has (beyond pid_max).
    writeFileSync(pidfile, '99999999\n');
    const run = twist(['--pidfile', pidfile, fixture('udp-app.ts')]);
    await run.waitFor('Starting reactor...');
    expect(readFileSync(pidfile, 'utf8')).toBe(`${run.child.pid}\n`);
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
  });
});
