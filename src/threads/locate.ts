/**
 * Where the worker module is. The same source is built twice (ESM and CommonJS), and
 * `import.meta.url` cannot be written in a file compiled to CommonJS; V8's structured stack
 * trace gives this module's own file name in both builds — and under type stripping or vitest,
 * where it is a `.ts` file.
 *
 * @internal
 * @module
 */
import { basename, dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The absolute path of the worker module beside this one, with this module's extension. */
export function workerEntryPath(): string {
  cached ??= join(dirname(ownFile()), `worker-entry${extname(ownFile())}`);
  return cached;
}

function ownFile(): string {
  const savedPrepare = Error.prepareStackTrace;
  const savedLimit = Error.stackTraceLimit;
  let file: string | null | undefined;
  try {
    Error.stackTraceLimit = 1;
    Error.prepareStackTrace = (_error, frames) => frames[0]?.getFileName();
    file = new Error().stack as unknown as string | null | undefined;
  } finally {
    Error.prepareStackTrace = savedPrepare;
    Error.stackTraceLimit = savedLimit;
  }
  if (typeof file !== 'string' || basename(file).startsWith('locate.') === false) {
    throw new Error(
      `twisted-ts cannot find its worker module (this module reports its file as ${String(file)}); ` +
        'a bundler that merged twisted-ts into one file must copy threads/worker-entry.js beside it',
    );
  }
  return file.startsWith('file:') ? fileURLToPath(file) : file;
}
