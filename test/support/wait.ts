/** Waiting helpers for the tests that run on real sockets and the real event loop. */

/** Resolves after `n` turns of the event loop (setImmediate). */
export async function turns(n = 1): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((r) => setImmediate(r));
}

/**
 * Waits until `check()` holds, polling every `pollMs`; fails after `timeoutMs` with an error that
 * names `what`.
 */
export async function until(check: () => boolean, what: string, timeoutMs = 5000, pollMs = 1): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((r) => setTimeout(r, pollMs));
  }
}
