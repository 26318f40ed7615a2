/**
 * The runner's pid file (Twisted's `twisted.application.runner._pidfile`): holds the pid while
 * the runner runs; a live pid refuses a second start, a stale one is replaced, the file is
 * removed on exit.
 *
 * @module
 */
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';

/** Another live process holds the pid file. */
export class AlreadyRunning extends Error {
  readonly path: string;
  readonly pid: number;
  constructor(path: string, pid: number) {
    super(`Already running: ${path} holds pid ${pid}, which is alive.`);
    this.path = path;
    this.pid = pid;
    this.name = 'AlreadyRunning';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Claims `path` for this process: refuses (`AlreadyRunning`) when it names a live process,
 * replaces it when stale or unreadable, and removes it when the process exits (if it still
 * holds this pid). Errors writing it (a missing directory, no permission) are thrown as they are.
 */
export function claimPidFile(path: string): void {
  let existing: string | undefined;
  try {
    existing = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (existing !== undefined) {
    const pid = Number(existing.trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid))
      throw new AlreadyRunning(path, pid);
    unlinkSync(path);
  }
  writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
  process.on('exit', () => releasePidFile(path));
}

/** Removes `path` if it holds this process's pid. */
export function releasePidFile(path: string): void {
  try {
    if (readFileSync(path, 'utf8').trim() === String(process.pid)) unlinkSync(path);
  } catch {
    // Already gone, or never ours.
  }
}
