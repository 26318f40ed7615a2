/**
 * The logging system keeps its publisher, beginner and legacy observers on `globalThis` (shared
 * by every copy of the package). Tests that re-import the log modules with `vi.resetModules()`
 * call this first, so that each gets a logging system that has not begun.
 */
export function resetProcessWideLogging(): void {
  const store = globalThis as unknown as Record<symbol, unknown>;
  for (const key of ['globalLogPublisher', 'globalLogBeginner', 'legacyLogObservers']) {
    delete store[Symbol.for(`twisted-ts.${key}`)];
  }
}
