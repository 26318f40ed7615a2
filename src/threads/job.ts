/**
 * What crosses between the reactor's thread and a pool worker: a job (a function's source, or
 * a module export, with its arguments) and its outcome. Only types and plain data, so that the
 * worker's module can share them without importing anything of the reactor.
 *
 * @internal
 * @module
 */

/** Run a function from its source text: `(source)(...args)`. */
export interface SourceJob {
  readonly kind: 'source';
  /** `fn.toString()` of a self-contained function. */
  readonly source: string;
  /** The arguments, structured-cloned. */
  readonly args: readonly unknown[];
}

/** Run a module's export: `(await import(url))[exportName](...args)`. */
export interface ModuleJob {
  readonly kind: 'module';
  /** An absolute URL (`file:`, `data:`…) that `import()` accepts. */
  readonly url: string;
  /** The name of the exported function. */
  readonly exportName: string;
  /** The arguments, structured-cloned. */
  readonly args: readonly unknown[];
}

/** One unit of work for a worker. */
export type Job = SourceJob | ModuleJob;

/** An error as it comes back from a worker: enough to rebuild a faithful `Error`. */
export interface SerializedError {
  /** `error.name` (`'TypeError'`, or a class name of the job's own). */
  readonly name: string;
  /** `error.message`. */
  readonly message: string;
  /** The worker's stack trace. */
  readonly stack: string | undefined;
  /** The error's own primitive fields (`code`, `errno`, `syscall`…). */
  readonly fields: Readonly<Record<string, string | number | boolean | null>>;
  /** The serialized `cause`, when it had one. */
  readonly cause?: SerializedError;
  /** The job threw something that is not an Error; `message` describes it. */
  readonly notAnError?: boolean;
}

/** What a worker answers: the job's value, or its error. */
export type Outcome =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: SerializedError };
