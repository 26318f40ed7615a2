// Runs an example as a user would: `node examples/<name>.ts` (Node's type stripping, Node >= 23.6
// and 22.18), or `npx ts-node examples/<name>.ts`. On Node 22.12 (CI's lowest leg) stripping needs
// `--experimental-strip-types`, and ts-node cannot run files of a "type": "module" package there
// (Node hands .ts entry points of such a package to its ESM loader), so only the flag is used.
// The examples import 'twisted-ts', which resolves through the package's exports to dist/:
// `npm test` builds it first (pretest).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '../..');

/** How an example is started. */
export type Runner = 'node' | 'ts-node';

/** The runners this Node can use, with the reason when ts-node is left out. */
export const runners: Runner[] = process.features.typescript ? ['node', 'ts-node'] : ['node'];
export const tsNodeSkipReason = process.features.typescript
  ? undefined
  : `ts-node cannot run the examples on Node ${process.versions.node} (a "type": "module" package's .ts ` +
    'entry point goes to the ESM loader); they run with --experimental-strip-types instead';

/** Inside CI's private network namespace (.ci/netns.sh), loopback multicast is known to work. */
export const inNetns = process.env.TWISTED_TS_IN_NETNS === '1';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function command(runner: Runner, file: string): string[] {
  if (runner === 'ts-node') return [resolve(root, 'node_modules/ts-node/dist/bin.js'), file];
  return process.features.typescript ? [file] : ['--experimental-strip-types', '--no-warnings', file];
}

/** Runs `examples/<name>.ts` with `args`; resolves when it exits (it must end by itself). */
export function runExample(
  name: string,
  args: string[] = [],
  runner: Runner = 'node',
  timeout = 30_000,
): Promise<RunResult> {
  if (!existsSync(resolve(root, 'dist/esm/index.js')) || !existsSync(resolve(root, 'dist/cjs/index.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm test does it)');
  }
  const file = resolve(root, 'examples', `${name}.ts`);
  return new Promise((done) => {
    execFile(
      process.execPath,
      [...command(runner, file), ...args],
      { cwd: root, timeout, killSignal: 'SIGKILL', encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        done({ code, stdout, stderr });
      },
    );
  });
}

/** Starts a long-running example and resolves with the first stdout line matching `ready`. */
export function startExample(
  name: string,
  args: string[],
  ready: RegExp,
  runner: Runner = 'node',
): { match: Promise<RegExpMatchArray>; exit: Promise<RunResult> } {
  const file = resolve(root, 'examples', `${name}.ts`);
  let stdout = '';
  let onMatch!: (m: RegExpMatchArray) => void;
  let onFail!: (e: Error) => void;
  const match = new Promise<RegExpMatchArray>((res, rej) => {
    onMatch = res;
    onFail = rej;
  });
  const exit = new Promise<RunResult>((done) => {
    const child = execFile(
      process.execPath,
      [...command(runner, file), ...args],
      { cwd: root, timeout: 30_000, killSignal: 'SIGKILL', encoding: 'utf8' },
      (error, out, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        onFail(new Error(`${name} exited (${code}) before printing ${ready}:\n${out}\n${stderr}`));
        done({ code, stdout: out, stderr });
      },
    );
    child.stdout!.on('data', (chunk: string) => {
      stdout += chunk;
      const m = stdout.match(ready);
      if (m) onMatch(m);
    });
  });
  return { match, exit };
}

/** A child process whose output a test reads line by line as it comes. */
export interface Watched {
  /** Resolves with the first match of `pattern` in stdout (already printed or still to come). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Everything printed so far. */
  readonly stdout: string;
  readonly stderr: string;
  /** Sends `signal` (SIGTERM by default) and resolves once the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<RunResult>;
  /** Resolves when the process exits, by itself or stopped. */
  readonly exit: Promise<RunResult>;
}

/** Starts `file` with `args` (a program and its arguments); killed after `timeout` ms at most. */
export function watchProcess(file: string, args: string[], timeout = 60_000): Watched {
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  const child = execFile(file, args, { cwd: root, timeout, killSignal: 'SIGKILL', encoding: 'utf8' });
  const exit = new Promise<RunResult>((done) => {
    child.on('exit', (code) => {
      for (const w of waiters) w();
      done({ code, stdout: out, stderr: err });
    });
  });
  child.stdout!.on('data', (chunk: string) => {
    out += chunk;
    for (const w of waiters) w();
  });
  child.stderr!.on('data', (chunk: string) => (err += chunk));
  return {
    get stdout() {
      return out;
    },
    get stderr() {
      return err;
    },
    exit,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolvePromise, reject) => {
        const check = (): void => {
          const m = out.match(pattern);
          if (m) {
            cleanup();
            resolvePromise(m);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            cleanup();
            reject(new Error(`${file} exited before printing ${pattern}:\n${out}\n${err}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${out}\n${err}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exit;
    },
  };
}

/** Starts `examples/<name>.ts` with `args` under `runner`, to be read with `waitFor`. */
export function watchExample(name: string, args: string[], runner: Runner = 'node'): Watched {
  return watchProcess(process.execPath, [
    ...command(runner, resolve(root, 'examples', `${name}.ts`)),
    ...args,
  ]);
}
