/**
 * The code each pool worker runs: piscina loads this module in every worker thread and calls
 * its default export once per job. It imports nothing of twisted-ts (a worker starts fast and
 * needs no reactor); the job types are erased at build time.
 *
 * @internal
 * @module
 */
import { inspect } from 'node:util';
import type { Job, ModuleJob, Outcome, SerializedError } from './job.ts';

type JobFunction = (...args: unknown[]) => unknown;

/** Compiled sources by their text; bounded, so a program sending endless new sources stays small. */
const compiled = new Map<string, JobFunction>();
const MAX_COMPILED = 256;

/**
 * Runs one job and reports its outcome. Never throws: a failure comes back as a serialized
 * error, so that its name, fields and stack survive the crossing (structured cloning keeps only
 * the message and stack of most errors).
 */
export default async function runJob(job: Job): Promise<Outcome> {
  try {
    const fn = job.kind === 'source' ? compile(job.source) : await load(job);
    const value = await fn(...job.args);
    checkCloneable(value);
    return { ok: true, value };
  } catch (e) {
    return { ok: false, error: serialize(e, 0) };
  }
}

/**
 * Throws the `DataCloneError` posting `value` would throw. Left to the pool, that error would
 * end the worker and reach the reactor's thread without its message (on Node 22 as an empty
 * object); checked here, it comes back as the job's failure, with a hint. Values that always
 * cross (primitives, binary data) are not copied for the check; others are, once.
 */
function checkCloneable(value: unknown): void {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return;
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return;
  try {
    structuredClone(value);
  } catch (e) {
    if (!(e instanceof Error) || e.name !== 'DataCloneError') throw e;
    throw Object.assign(
      new Error(
        `${e.message} (a job's result is copied to the reactor's thread with the structured clone ` +
          'algorithm: functions, Deferreds and objects holding them cannot cross; return plain data)',
      ),
      { name: 'DataCloneError' },
    );
  }
}

function compile(source: string): JobFunction {
  let fn = compiled.get(source);
  if (fn !== undefined) return fn;
  fn = evaluate(source);
  if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
  compiled.set(source, fn);
  return fn;
}

/**
 * The function whose source is given. A function expression or arrow evaluates as it is; a
 * method's source (`name(a) { … }`, from an object literal or a class) is not an expression, so
 * it is evaluated inside an object literal instead.
 */
function evaluate(source: string): JobFunction {
  let value: unknown;
  try {
    value = new Function(`return (${source}\n);`)();
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    const holder = new Function(`return ({ ${source}\n});`)() as Record<string, unknown>;
    value = Object.values(holder)[0];
  }
  if (typeof value !== 'function') {
    throw new TypeError(`The source sent to the worker is not a function: ${source.slice(0, 80)}`);
  }
  return value as JobFunction;
}

async function load(job: ModuleJob): Promise<JobFunction> {
  const module = (await import(job.url)) as Record<string, unknown>;
  let fn = module[job.exportName];
  // A CommonJS module's exports may be reachable only through `default`.
  if (fn === undefined && module.default !== null && typeof module.default === 'object') {
    fn = (module.default as Record<string, unknown>)[job.exportName];
  }
  if (typeof fn !== 'function') {
    throw new TypeError(
      `The module ${job.url} has no exported function named ${JSON.stringify(job.exportName)} ` +
        `(found ${fn === undefined ? 'nothing' : typeof fn})`,
    );
  }
  return fn as JobFunction;
}

function serialize(e: unknown, depth: number): SerializedError {
  if (!(e instanceof Error)) {
    return {
      name: 'Error',
      message: `The job threw a non-Error value: ${inspect(e, { depth: 1, breakLength: Infinity })}`,
      stack: undefined,
      fields: {},
      notAnError: true,
    };
  }
  const fields: Record<string, string | number | boolean | null> = {};
  for (const [key, value] of Object.entries(e)) {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) {
      fields[key] = value as string | number | boolean | null;
    }
  }
  const serialized: SerializedError = {
    name: e.name,
    message: e.message,
    stack: e.stack,
    fields,
    ...(e.cause !== undefined && depth < 4 ? { cause: serialize(e.cause, depth + 1) } : {}),
  };
  return serialized;
}
