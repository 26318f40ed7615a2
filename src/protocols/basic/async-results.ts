/**
 * What a framing protocol does with the results of the callbacks it makes (`lineReceived`,
 * `stringReceived`…), which may be `async`: it gathers the promises of one `dataReceived` call
 * and hands back one promise that rejects with the first rejection, so that the transport logs
 * it and drops the connection as it does for an `async` `dataReceived` that rejects.
 *
 * @internal
 */

/** True for a Promise, a Deferred or any other thenable. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Collects the thenables among callback results. `add()` costs one type check for a plain
 * result; nothing is allocated unless a callback was `async`.
 */
export class AsyncResults {
  #pending: PromiseLike<unknown>[] | undefined = undefined;

  /** Keeps `result` if it is a thenable. */
  add(result: unknown): void {
    if (result !== undefined && isThenable(result)) (this.#pending ??= []).push(result);
  }

  /** `undefined` when every result was plain, else a promise rejecting with the first rejection. */
  settle(): Promise<void> | undefined {
    const pending = this.#pending;
    if (pending === undefined) return undefined;
    this.#pending = undefined;
    return Promise.all(pending).then(() => undefined);
  }
}
