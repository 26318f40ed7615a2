// run() during and after a shutdown: twisted/internet/test/test_core.py test_runAfterStop, and
// the phases around it.
import { describe, expect, test } from 'vitest';
import { ReactorAlreadyRunning, ReactorNotRestartable } from '../../src/errors.ts';
import { Reactor } from '../../src/reactor/reactor.ts';

/** Runs a reactor that stops as soon as it runs, calling `probe` in the given shutdown phase. */
async function probeShutdown(phase: 'before' | 'during' | 'after'): Promise<unknown> {
  const reactor = new Reactor();
  let thrown: unknown = 'no call';
  reactor.addSystemEventTrigger(phase, 'shutdown', () => {
    try {
      void reactor.run({ installSignalHandlers: false });
      thrown = undefined;
    } catch (e) {
      thrown = e;
    }
  });
  reactor.callWhenRunning(() => reactor.stop());
  await reactor.run({ installSignalHandlers: false });
  return thrown;
}

describe('run() while the reactor shuts down', () => {
  test("test_runAfterStop: from an 'after shutdown' trigger, ReactorNotRestartable", async () => {
    expect(await probeShutdown('after')).toBeInstanceOf(ReactorNotRestartable);
  });

  test("from a 'during shutdown' trigger, ReactorNotRestartable (Twisted's reactor crashed itself there)", async () => {
    expect(await probeShutdown('during')).toBeInstanceOf(ReactorNotRestartable);
  });

  test("from a 'before shutdown' trigger, ReactorAlreadyRunning (it still is)", async () => {
    expect(await probeShutdown('before')).toBeInstanceOf(ReactorAlreadyRunning);
  });
});
