/**
 * Child processes that speak JSON lines: every benchmark process (Node or Python) prints one JSON
 * object per line on stdout and reads one-word commands (`stats`, `quit`, …) on stdin. The
 * orchestrator stays out of the measured path: it only starts processes and asks them for their
 * counters.
 *
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** One parsed line of a child's stdout. */
export type Message = Record<string, unknown>;

/** A running benchmark process. */
export class Child {
  readonly name: string;
  readonly process: ChildProcess;
  #queue: Message[] = [];
  #waiters: { resolve: (m: Message) => void; reject: (e: Error) => void }[] = [];
  #stderr = '';
  #exit: Promise<number | null>;
  #exited = false;

  constructor(name: string, command: string, args: readonly string[], env?: NodeJS.ProcessEnv) {
    this.name = name;
    this.process = spawn(command, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    createInterface({ input: this.process.stdout! }).on('line', (line) => this.#onLine(line));
    this.process.stderr!.on('data', (chunk: Buffer) => {
      // Keep the tail only: it is for error messages.
      this.#stderr = (this.#stderr + chunk.toString()).slice(-4000);
    });
    this.#exit = new Promise((resolve) => {
      this.process.on('close', (code) => {
        this.#exited = true;
        const waiters = this.#waiters;
        this.#waiters = [];
        for (const w of waiters) w.reject(this.#failure(`exited (code ${code}) before answering`));
        resolve(code);
      });
    });
    // A closed stdin (the child already exited) must not crash the orchestrator.
    this.process.stdin!.on('error', () => {});
  }

  #onLine(line: string): void {
    const text = line.trim();
    if (!text.startsWith('{')) return;
    let message: Message;
    try {
      message = JSON.parse(text) as Message;
    } catch {
      return;
    }
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) waiter.resolve(message);
    else this.#queue.push(message);
  }

  #failure(what: string): Error {
    const tail = this.#stderr.trim().split('\n').slice(-8).join('\n');
    return new Error(`${this.name} ${what}${tail ? `:\n${tail}` : ''}`);
  }

  /** The next JSON message, or an error after `timeoutMs` or when the process exits first. */
  next(timeoutMs = 30_000): Promise<Message> {
    const queued = this.#queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.#exited) return Promise.reject(this.#failure('exited before answering'));
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (m: Message) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const timer = setTimeout(() => {
        const i = this.#waiters.indexOf(waiter);
        if (i !== -1) this.#waiters.splice(i, 1);
        reject(this.#failure(`did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /** Sends a command line and returns the answer. */
  async ask(command: string, timeoutMs = 30_000): Promise<Message> {
    this.send(command);
    return this.next(timeoutMs);
  }

  /** Writes one command line to the child's stdin. */
  send(command: string): void {
    if (!this.#exited) this.process.stdin!.write(`${command}\n`);
  }

  /** Waits for the exit; kills the process if it takes longer than `timeoutMs`. */
  async close(timeoutMs = 5_000): Promise<number | null> {
    if (!this.#exited) {
      this.send('quit');
      this.process.stdin!.end();
    }
    const timer = setTimeout(() => this.kill(), timeoutMs);
    try {
      return await this.#exit;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills the process (SIGKILL): for errors and timeouts. */
  kill(): void {
    if (!this.#exited) this.process.kill('SIGKILL');
  }
}

/** Starts a Node child running a TypeScript file of bench/procs (Node's type stripping). */
export function nodeChild(
  name: string,
  file: string,
  args: readonly string[],
  nodeFlags: readonly string[] = [],
): Child {
  const url = new URL(`../procs/${file}`, import.meta.url);
  return new Child(name, process.execPath, [...nodeFlags, url.pathname, ...args]);
}

/** The Python used for the Twisted contender: Debian's, where python3-twisted installs. */
export const PYTHON = process.env.TWISTED_TS_BENCH_PYTHON ?? '/usr/bin/python3';

/** Starts a Python child running a script of bench/procs. */
export function pythonChild(name: string, file: string, args: readonly string[]): Child {
  const url = new URL(`../procs/${file}`, import.meta.url);
  return new Child(name, PYTHON, ['-u', url.pathname, ...args]);
}

/** Runs `fn` with the children it starts, killing any still running afterwards (errors included). */
export async function withChildren<R>(fn: (track: <C extends Child>(c: C) => C) => Promise<R>): Promise<R> {
  const children: Child[] = [];
  try {
    return await fn((c) => {
      children.push(c);
      return c;
    });
  } finally {
    await Promise.all(children.map((c) => c.close(3_000)));
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Waits for the one report of a child that runs to completion, lets it exit and returns the
 * report; kills the child on an error or a timeout.
 */
export async function reportOf(child: Child, timeoutMs: number): Promise<Message> {
  try {
    const done = await child.next(timeoutMs);
    await child.close(5_000);
    return done;
  } catch (e) {
    child.kill();
    throw e;
  }
}
