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
