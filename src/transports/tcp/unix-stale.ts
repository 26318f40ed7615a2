/**
 * Whether a UNIX socket file is stale — left behind by a server that is gone — so that
 * `listenUNIX` may replace it, while a path a live server listens on stays an error.
 *
 * A connect would tell, but Node has no synchronous connect and `listenUNIX` returns bound. On
 * Linux, `/proc/net/unix` lists every bound UNIX socket of this network namespace, with the path
 * it was bound to and a flag for listening sockets (`__SO_ACCEPTCON`, 0x10000): a socket file
 * that no listening entry names (as given, or resolved to the same file) is stale. Elsewhere
 * nothing tells, and the file is left alone (Twisted removes one only when its `wantPID` lock
 * was stale, which `listenUNIX` does too).
 *
 * @internal
 * @module
 */
import { lstatSync, readFileSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';

const SO_ACCEPTCON = 0x10000;

/**
 * The paths of the listening UNIX sockets of this network namespace, or `undefined` where the
 * platform does not say (no `/proc/net/unix`).
 */
function listeningPaths(): string[] | undefined {
  let table: string;
  try {
    table = readFileSync('/proc/net/unix', 'latin1');
  } catch {
    return undefined;
  }
  const paths: string[] = [];
  for (const line of table.split('\n').slice(1)) {
    // Num RefCount Protocol Flags Type St Inode Path
    const fields = line.trim().split(/\s+/);
    if (fields.length < 8) continue;
    if ((Number.parseInt(fields[3], 16) & SO_ACCEPTCON) === 0) continue;
    paths.push(fields.slice(7).join(' '));
  }
  return paths;
}

/** `'stale'`: a socket file no listener uses; `'live'`: a listener does; `'unknown'`: no way to tell (or not a socket). */
export function socketFileStatus(path: string): 'stale' | 'live' | 'unknown' {
  let target;
  try {
    target = lstatSync(path);
  } catch {
    return 'unknown';
  }
  if (!target.isSocket()) return 'unknown';
  const paths = listeningPaths();
  if (paths === undefined) return 'unknown';
  const name = basename(path);
  for (const entry of paths) {
    if (entry.startsWith('@')) continue; // abstract
    if (entry === path) return 'live';
    if (!entry.startsWith('/')) {
      // Bound through a relative path from a working directory we do not know: same name, assume it is this one.
      if (basename(entry) === name) return 'live';
      continue;
    }
    try {
      const s = statSync(resolve(entry));
      if (s.dev === target.dev && s.ino === target.ino) return 'live';
    } catch {
      // that listener's file is gone
    }
  }
  return 'stale';
}
