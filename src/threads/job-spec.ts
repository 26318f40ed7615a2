/**
 * Turning the arguments of `deferToThread` / `callInThread` — `(fn, ...args)` or
 * `(moduleUrl, exportName, ...args)` — into a {@link Job}, with the checks at the door.
 *
 * @internal
 * @module
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { invalidArgType, invalidArgValue, validateString } from '../validate.ts';
import type { Job } from './job.ts';

export type { ThreadTarget } from '../interfaces.ts';

/** A URL scheme (`file:`, `data:`…), but not a Windows drive letter (`C:`). */
const SCHEME = /^[a-z][a-z0-9+.-]+:/i;

/**
 * The job for `(target, ...rest)`: `(fn, ...args)` or `(moduleUrl, exportName, ...args)`.
 *
 * @throws TypeError naming the argument: a function that has no sendable source (built-in or
 *   bound), a module given by a relative path or a bare name, a missing export name.
 */
export function makeJob(target: unknown, rest: readonly unknown[], argName = 'fn'): Job {
  if (typeof target === 'function') {
    const source = Function.prototype.toString.call(target);
    if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) {
      throw invalidArgValue(
        argName,
        'Its source cannot be sent to a worker thread (a built-in or bound function): pass a ' +
          'self-contained function, or a module URL and an export name.',
      );
    }
    return { kind: 'source', source, args: rest };
  }
  if (typeof target === 'string' || target instanceof URL) {
    const [exportName, ...args] = rest;
    validateString(exportName, 'exportName');
    return { kind: 'module', url: moduleUrl(target), exportName, args };
  }
  throw invalidArgType(
    argName,
    'a function, or a module URL (a string or a URL) followed by an export name',
    target,
  );
}

function moduleUrl(target: string | URL): string {
  if (target instanceof URL) return target.href;
  if (isAbsolute(target)) return pathToFileURL(target).href;
  if (SCHEME.test(target)) return new URL(target).href;
  throw invalidArgValue(
    'moduleUrl',
    `It must be an absolute URL or path; received ${JSON.stringify(target)}. A worker cannot ` +
      "know what it is relative to: write new URL('./jobs.js', import.meta.url), or " +
      "require.resolve('./jobs.js').",
  );
}
