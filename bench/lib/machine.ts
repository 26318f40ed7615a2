/**
 * What machine and software a run was measured on: the tables are meaningless without it.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { PYTHON } from './child.ts';

/** The facts printed above every results table. */
export interface MachineInfo {
  date: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  v8: string;
  python: string | null;
  twisted: string | null;
  commit: string;
  load: string;
}

/** Python and Twisted versions, or `null` with the reason when Twisted cannot be imported. */
export function detectPython(): { version: string; twisted: string } | null {
  try {
    const text = execFileSync(
      PYTHON,
      ['-c', 'import sys, twisted; print(sys.version.split()[0]); print(twisted.__version__)'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 15_000 },
    );
    const [version, twisted] = text.trim().split('\n');
    return { version, twisted };
  } catch {
    return null;
  }
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

export function machineInfo(python: { version: string; twisted: string } | null): MachineInfo {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    node: process.version,
    v8: process.versions.v8,
    python: python?.version ?? null,
    twisted: python?.twisted ?? null,
    commit:
      git(['rev-parse', '--short', 'HEAD']) +
      (git(['status', '--porcelain', 'src']) ? ' (+ uncommitted src changes)' : ''),
    load: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
  };
}
