/**
 * The stdin/stdout protocol of the Node benchmark processes: JSON lines out, command lines in.
 *
 * @module
 */
import { createInterface } from 'node:readline';

/** Prints one JSON message for the orchestrator. */
export function out(message: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/**
 * Calls `handler` with each command line from the orchestrator; `quit` (or the end of stdin)
 * calls `onQuit`, which must let the process exit.
 */
export function onCommands(handler: (command: string) => void, onQuit: () => void): void {
  const rl = createInterface({ input: process.stdin });
  let quitting = false;
  const quit = () => {
    if (quitting) return;
    quitting = true;
    rl.close();
    // An open stdin would keep the process alive until the orchestrator closes its end.
    process.stdin.destroy();
    onQuit();
  };
  rl.on('line', (line) => {
    const command = line.trim();
    if (command === 'quit') quit();
    else if (command !== '') handler(command);
  });
  rl.on('close', quit);
}

/** CPU time of this process so far (user + system, all threads), in seconds. */
export function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** A monotonic clock in seconds. */
export function now(): number {
  return performance.now() / 1000;
}

/** One benchmark case: runs its operation `count` times. */
export type RateCase = (count: number) => void | Promise<void>;

/**
 * Runs each case of `cases` (in order) after a warm-up of a tenth of its count in `counts`, and
 * returns its rate in operations per second, by case name.
 */
export async function measureRates(
  cases: Record<string, RateCase>,
  counts: Record<string, number>,
): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const [name, fn] of Object.entries(cases)) {
    const count = counts[name];
    await fn(Math.ceil(count / 10));
    const t0 = now();
    await fn(count);
    result[name] = count / (now() - t0);
  }
  return result;
}

/** `--name value` arguments as a map. */
export function parseArgs(argv: readonly string[] = process.argv.slice(2)): Map<string, string> {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq !== -1) args.set(a.slice(2, eq), a.slice(eq + 1));
      else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) args.set(a.slice(2), argv[++i]);
      else args.set(a.slice(2), 'true');
    }
  }
  return args;
}

/** A numeric argument, with a default. */
export function numArg(args: Map<string, string>, name: string, fallback: number): number {
  const v = args.get(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new RangeError(`--${name} must be a number, got ${v}`);
  return n;
}
