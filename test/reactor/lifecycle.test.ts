// The reactor's lifecycle as a process sees it: real Node child processes run small scripts
// (test/reactor/fixtures) that import the BUILT package and print one event per line. Run
// `npm run build` first (`npm test` does it in pretest).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';

const fixtures = resolve(import.meta.dirname, 'fixtures');
const built = resolve(import.meta.dirname, '../../dist/esm/index.js');
/** How long a process may take to exit once it should: a bound, not a timing assertion. */
const PROMPTLY_MS = 5000;

interface Child {
  proc: ChildProcess;
  lines: string[];
  stderr: () => string;
  /** Resolves once `line` has been printed. */
  waitFor: (line: string) => Promise<void>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(fixture: string, ...args: string[]): Child {
  const proc = spawn(process.execPath, [resolve(fixtures, fixture), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  let partial = '';
  const waiters: { line: string; resolve: () => void }[] = [];
  proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (const w of waiters.filter((w) => w.line === line)) w.resolve();
    }
  });
  proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    proc.on('close', (code, signal) => res({ code, signal })),
  );
  return {
    proc,
    lines,
    stderr: () => stderr,
    waitFor: (line) =>
      lines.includes(line)
        ? Promise.resolve()
        : new Promise<void>((res, rej) => {
            waiters.push({ line, resolve: res });
            void exit.then(() =>
              rej(
                new Error(`exited before printing ${JSON.stringify(line)}: ${lines.join(' | ')} ${stderr}`),
              ),
            );
          }),
    exit,
  };
}

/** The exit, which must come within `ms`; the process is killed otherwise and the test fails. */
async function exitWithin(
  child: Child,
  ms = PROMPTLY_MS,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, rej) => {
    timer = setTimeout(() => {
      child.proc.kill('SIGKILL');
      rej(
        new Error(
          `did not exit within ${ms} ms; printed: ${child.lines.join(' | ')}; stderr: ${child.stderr()}`,
        ),
      );
    }, ms);
  });
  try {
    return await Promise.race([child.exit, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits for `child` to exit (within the usual time) and checks its exit code and what it printed. */
async function expectExit(child: Child, code: number, lines: string[]): Promise<void> {
  const exit = await exitWithin(child);
  expect(exit.code).toBe(code);
  expect(child.lines).toEqual(lines);
}

/** True if the process is still running after `ms` (it must be kept alive by something). */
async function stillAliveAfter(child: Child, ms: number): Promise<boolean> {
  const exited = await Promise.race([
    child.exit.then(() => true),
    new Promise<false>((res) => setTimeout(() => res(false), ms)),
  ]);
  return !exited;
}

beforeAll(() => {
  if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` first`);
});

describe('reactor lifecycle in a real process', () => {
  test('startup and shutdown run in order, then the process exits by itself, promptly', async () => {
    const child = start('lifecycle.mjs');
    await child.waitFor('stop returned');
    await expectExit(child, 0, [
      'calling run',
      // before-startup triggers run inside run(); this one returns a Deferred, the rest waits.
      'before startup running=false',
      'run returned',
      'during startup running=true',
      'after startup',
      'callWhenRunning 1',
      'callWhenRunning 2',
      'event startup',
      'stopping',
      // Shutdown begins after stop() returns, never inside it.
      'stop returned',
      'before shutdown running=true',
      'before shutdown Deferred fires',
      'during shutdown running=false',
      'after shutdown',
      'event shutdown',
      'run resolved',
      // The call due in an hour neither ran nor kept the process alive.
      'exit 0',
    ]);
    expect(child.stderr()).toBe('');
  });

  test.runIf(process.platform !== 'win32')(
    'run() with nothing scheduled stays alive until stop()',
    async () => {
      const child = start('keepalive.mjs', 'run');
      await child.waitFor('running');
      expect(await stillAliveAfter(child, 500)).toBe(true);
      child.proc.kill('SIGUSR2');
      await expectExit(child, 0, ['running', 'stopping', 'run resolved', 'exit 0']);
    },
  );

  test('without run(), a pending callLater keeps the process alive until it fires', async () => {
    const child = start('keepalive.mjs', 'pending');
    await expectExit(child, 0, ['scheduled', 'fired', 'exit 0']);
  });

  test('a cancelled callLater does not keep the process alive', async () => {
    const child = start('keepalive.mjs', 'cancelled');
    await expectExit(child, 0, ['cancelled', 'exit 0']);
  });

  test('crash() resolves run() and lets the process exit', async () => {
    const child = start('keepalive.mjs', 'crash');
    await expectExit(child, 0, ['running', 'crashed', 'run resolved', 'exit 0']);
  });
});

describe.runIf(process.platform !== 'win32')('signals', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    test(`${signal} stops the reactor cleanly (exit 0) and the handlers are removed`, async () => {
      const child = start('signals.mjs');
      await child.waitFor('ready');
      child.proc.kill(signal);
      const { code, signal: killedBy } = await exitWithin(child);
      expect(killedBy).toBeNull();
      expect(code).toBe(0);
      expect(child.lines).toEqual([
        'ready',
        'before shutdown',
        'after shutdown',
        'run resolved, listeners left: 0',
        'exit 0',
      ]);
    });
  }

  test('a second SIGINT during a hung shutdown exits at once with code 130', async () => {
    const child = start('signals.mjs', 'hang');
    await child.waitFor('ready');
    child.proc.kill('SIGINT');
    await child.waitFor('before shutdown');
    // The shutdown hangs on a Deferred that never fires.
    expect(await stillAliveAfter(child, 300)).toBe(true);
    child.proc.kill('SIGINT');
    await expectExit(child, 130, ['ready', 'before shutdown', 'exit 130']);
    expect(child.stderr()).toContain('Received SIGINT again during shutdown');
  });
});

/** What react.mjs prints when react exited with `exit`: main runs at once, before the reactor does, as in Twisted. */
function reactLines(exit: number): string[] {
  return [
    'main running=false word=hello',
    'react returned',
    'main resumed',
    'before shutdown',
    `exit ${exit}`,
  ];
}

describe('react', () => {
  test('exit code 0 when main succeeds', async () => {
    const child = start('react.mjs', 'ok');
    await expectExit(child, 0, reactLines(0));
    expect(child.stderr()).toBe('');
  });

  test('exit code 1 when main fails, and the error is printed', async () => {
    const child = start('react.mjs', 'fail');
    await expectExit(child, 1, reactLines(1));
    expect(child.stderr()).toContain('main function encountered error');
    expect(child.stderr()).toContain('Error: main failed on purpose');
  });

  test('SystemExit(3) exits with code 3, without printing an error', async () => {
    const child = start('react.mjs', 'exit3');
    const { code } = await exitWithin(child);
    expect(code).toBe(3);
    expect(child.lines.at(-1)).toBe('exit 3');
    expect(child.stderr()).toBe('');
  });

  test('when something else stops the reactor, react exits with 0 once shutdown completes', async () => {
    const child = start('react.mjs', 'stopped');
    await expectExit(child, 0, reactLines(0));
  });
});
