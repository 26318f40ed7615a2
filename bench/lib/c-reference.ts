/**
 * The C reference of the native I/O benchmark (bench/procs/udp_reference.c), compiled when the
 * benchmark starts into a temporary directory — it is never committed as a binary.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The compiled reference and how to remove it, or why there is none. */
export type CReference = { path: string; remove: () => void } | { reason: string };

/** Compiles udp_reference.c with the host's C compiler (`$CC`, else `cc`), with -O2. */
export function compileCReference(): CReference {
  if (process.platform !== 'linux')
    return { reason: 'the C reference uses Linux system calls (recvmmsg, pidfd_getfd)' };
  const dir = mkdtempSync(join(tmpdir(), 'twisted-ts-bench-c-'));
  const path = join(dir, 'udp_reference');
  const source = fileURLToPath(new URL('../procs/udp_reference.c', import.meta.url));
  try {
    execFileSync(process.env.CC || 'cc', ['-O2', '-o', path, source], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    const why = (e as { stderr?: Buffer }).stderr?.toString().trim().split('\n')[0] ?? (e as Error).message;
    return { reason: `the C reference did not compile (${why || 'no C compiler'}): its column is skipped` };
  }
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
