/**
 * Shared pieces of the hardening suites: an oracle for "works or throws a typed error naming the
 * argument", a port owner, log capture, and process resource counters (file descriptors, active
 * handles) for the leak checks.
 */
import { readdirSync } from 'node:fs';
import { isIP } from 'node:net';
import { expect } from 'vitest';
import { Deferred } from '../../src/defer/deferred.ts';
import { fail, succeed } from '../../src/defer/shortcuts.ts';
import { DNSLookupError, TwistedError } from '../../src/errors.ts';
import { Failure } from '../../src/failure.ts';
import type { IListeningPort, IPortOwner } from '../../src/interfaces.ts';
import type { LogEvent } from '../../src/log/log.ts';

/** fast-check settings shared by every property: a fixed seed (reproducible CI) and a bound on runs. */
export const FC_SEED = 0x7475_7473;
export const RUNS = 300;

/** Counts the property inputs tried, for docs/security.md's figures. */
export const tried = { inputs: 0 };

/** An owner whose resolve() answers IP literals and fails host names at once, with DNSLookupError. */
export class LiteralOwner implements IPortOwner {
  readonly ports = new Set<IListeningPort>();
  resolve(name: string): Deferred<string> {
    if (name === '' || isIP(name) !== 0) return succeed(name);
    return fail(new DNSLookupError(`LiteralOwner does not resolve host names: ${JSON.stringify(name)}`));
  }
  registerPort(port: IListeningPort): void {
    this.ports.add(port);
  }
  unregisterPort(port: IListeningPort): void {
    this.ports.delete(port);
  }
  async stopAll(): Promise<void> {
    await Promise.all([...this.ports].map((p) => p.stopListening().asPromise()));
  }
}

/**
 * Whether `e` is an error a caller can act on: one of twisted-ts's typed errors, or an Error
 * (TypeError, RangeError or other) with a stable `ERR_*`/`ABORT_ERR` code.
 */
export function isTypedError(e: unknown): e is Error {
  // A TypeError or RangeError counts only with a stable code: the engine's own ("x.foo is not a
  // function", a revoked Proxy) have none, and are internal errors leaking out (issue 12).
  return isCodedError(e);
}

/**
 * The stricter oracle of the hostile-input properties (issue 12, point 10): a `TypeError` or
 * `RangeError` must carry a stable `code` (Node's `ERR_*`): an engine error such as "Cannot
 * perform 'get' on a proxy that has been revoked" has none, and is an internal error leaking
 * out. The caller's own error (`own`: thrown by its getter or trap) may propagate as it is.
 */
export function isCodedError(e: unknown, own?: (e: unknown) => boolean): boolean {
  if (own?.(e)) return true;
  if (!(e instanceof Error)) return false;
  if (e instanceof TwistedError) return true;
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('ERR_') || code === 'ABORT_ERR');
}

/** What a call did: returned (a value, or a Deferred that fired with one), or failed with `error`. */
export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown; via: 'throw' | 'errback' };

/**
 * Runs `call`; a returned Deferred must have fired by then (entry points given IP literals and a
 * LiteralOwner fire synchronously: a pending one would be a hang) and its failure is consumed,
 * so it can never become an unhandled error.
 */
export function outcome(call: () => unknown): Outcome {
  tried.inputs += 1;
  let value: unknown;
  try {
    value = call();
  } catch (error) {
    return { ok: false, error, via: 'throw' };
  }
  if (value instanceof Deferred) {
    let result: Outcome | undefined;
    value.addCallbacks(
      (v: unknown) => {
        result = { ok: true, value: v };
        return undefined;
      },
      (f: Failure) => {
        result = { ok: false, error: f.value, via: 'errback' };
        return undefined;
      },
    );
    if (result === undefined) throw new Error('the returned Deferred did not fire: a hang');
    return result;
  }
  return { ok: true, value };
}

/**
 * Checks an outcome against the oracle: `valid` true → must work (unless `osErrors` accepts what
 * it failed with: an OS refusal such as EADDRINUSE is not the caller's mistake); false → must fail;
 * undefined → either. A failure must be a typed error whose message matches `names`.
 */
export function expectOutcome(
  o: Outcome,
  valid: boolean | undefined,
  names: RegExp,
  osErrors: (e: Error) => boolean = () => false,
): void {
  if (o.ok) {
    if (valid === false)
      throw new Error(`accepted an invalid input (silent coercion): returned ${String(o.value)}`);
    return;
  }
  const e = o.error;
  if (!isTypedError(e)) {
    throw new Error(
      `failed with an untyped error: ${e instanceof Error ? `${e.name}: ${e.message}` : typeof e}`,
      {
        cause: e,
      },
    );
  }
  if (valid === true && !osErrors(e)) {
    throw new Error(`refused a valid input: ${e.name}: ${e.message}`, { cause: e });
  }
  if (!names.test(e.message))
    throw new Error(`the message does not name the argument (${names}): ${e.message}`);
  if (e.message.length < 10) throw new Error(`the message says too little: ${e.message}`);
}

export { captureLog } from '../support/log-capture.ts';

/** Asserts that an error event was logged with `why` matching and a stack in its traceback. */
export function expectLoggedWithStack(events: LogEvent[], why: RegExp, message: string): LogEvent {
  const found = events.find(
    (e) => e.isError && why.test(e.why ?? '') && e.failure?.getErrorMessage() === message,
  );
  expect(
    found,
    `an error event ${why} with message ${message}; got ${events.map((e) => e.why).join(' | ')}`,
  ).toBeDefined();
  expect(found!.failure!.getTraceback()).toMatch(/\n\s+at /);
  return found!;
}

/** Open file descriptors of this process. */
export function fdCount(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Active resources by type (UDPWRAP, Timeout, …), as Node counts them. */
export function handleCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

export { turns, until } from '../support/wait.ts';

/** Whether this is the private network namespace of .ci/netns.sh (some tests need it). */
export const inNetns = process.env.TWISTED_TS_IN_NETNS === '1';

export { Failure };
