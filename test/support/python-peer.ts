/**
 * A Python Twisted peer process for the interop tests: it prints one JSON event a line on stdout
 * and ends when its stdin closes.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { until } from './wait.ts';

/** Debian's Python, where python3-twisted installs. */
export const PYTHON = '/usr/bin/python3';

/** One line the peer printed: `{"event": kind, …}`. */
export type PeerEvent = { event: string; [key: string]: unknown };

/** A running peer: `events` fills with its JSON lines; `next(kind)` waits for one. */
export interface PythonPeer {
  /** Every event so far, in order. */
  readonly events: PeerEvent[];
  /** What the peer wrote to stderr so far. */
  stderr(): string;
  /** The first event of `kind`, waiting up to `timeoutMs` for it. */
  next(kind: string, timeoutMs?: number): Promise<PeerEvent>;
  /** Closes the peer's stdin (its signal to end) and waits for it to exit. */
  stop(): Promise<void>;
  /** The peer's exit code. */
  readonly exited: Promise<number | null>;
}

/** Runs `script` (a path) under {@link PYTHON} with `args`. */
export function pythonPeer(script: string, args: readonly string[]): PythonPeer {
  const child = spawn(PYTHON, [script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const events: PeerEvent[] = [];
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  createInterface({ input: child.stdout }).on('line', (line) => events.push(JSON.parse(line) as PeerEvent));
  const exited = new Promise<number | null>((r) => child.on('exit', r));
  return {
    events,
    stderr: () => stderr,
    async next(kind: string, timeoutMs = 20_000): Promise<PeerEvent> {
      await until(
        () => events.some((e) => e.event === kind),
        `the peer's "${kind}" (stderr: ${stderr})`,
        timeoutMs,
      );
      return events.find((e) => e.event === kind)!;
    },
    async stop(): Promise<void> {
      child.stdin.end();
      await exited;
    },
    exited,
  };
}
