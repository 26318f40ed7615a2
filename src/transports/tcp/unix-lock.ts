/**
 * The lock file of `listenUNIX(..., wantPID)` and `connectUNIX(..., checkPID)`: Twisted's
 * `twisted.python.lockfile.FilesystemLock`, on disk in the same format — a symbolic link
 * `<path>.lock` whose target is the holder's pid — so that a Python Twisted server and a
 * twisted-ts client (or the other way round) understand each other's locks.
 *
 * @internal
 * @module
 */
import { readlinkSync, symlinkSync, unlinkSync } from 'node:fs';

/** Whether the process `pid` is alive (EPERM: alive, but another user's). */
function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A lock held by the existence of a symbolic link naming the holder's pid. */
export class FilesystemLock {
  /** The lock file's path. */
  readonly name: string;
  /** Whether this object holds the lock. */
  locked = false;
  /** After `lock()`: `false` when a stale lock (its holder dead) was broken to take it. */
  clean = true;

  constructor(name: string) {
    this.name = name;
  }

  /**
   * Takes the lock: `true` if this process now holds it, `false` if a live process does. A
   * lock whose holder is dead is broken and taken (`clean` is then false).
   *
   * @throws the OS error when the link cannot be made for another reason (EACCES, ENOENT…).
   */
  lock(): boolean {
    let clean = true;
    for (;;) {
      try {
        symlinkSync(String(process.pid), this.name);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        let holder: string;
        try {
          holder = readlinkSync(this.name);
        } catch (r) {
          const code = (r as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') continue; // it vanished meanwhile: try again
          if (code === 'EINVAL') return false; // a regular file: not ours to break
          throw r;
        }
        if (alive(Number(holder))) return false;
        try {
          unlinkSync(this.name);
        } catch (u) {
          if ((u as NodeJS.ErrnoException).code !== 'ENOENT') throw u;
        }
        clean = false;
        continue;
      }
      this.locked = true;
      this.clean = clean;
      return true;
    }
  }

  /** Releases the lock (removes the link), if this process holds it. */
  unlock(): void {
    if (!this.locked) return;
    this.locked = false;
    try {
      if (readlinkSync(this.name) !== String(process.pid)) return;
      unlinkSync(this.name);
    } catch {
      // already gone
    }
  }
}

/** Whether a live process holds the lock `name` (Twisted's `lockfile.isLocked`). */
export function isLocked(name: string): boolean {
  const lock = new FilesystemLock(name);
  let taken = false;
  try {
    taken = lock.lock();
  } finally {
    if (taken) lock.unlock();
  }
  return !taken;
}
