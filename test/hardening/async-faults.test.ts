/**
 * Async user code (issue 12, point 1): when a hook or scheduled function returns a thenable that
 * rejects, the rejection is logged exactly like a synchronous throw — the same `why`, the error's
 * own stack — and the reactor goes on. Never an `unhandledRejection` (which ends a Node process:
 * the child-process test at the end proves the process survives).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Deferred } from '../../src/defer/deferred.ts';
import { callUserCode, handleAsyncResult, logUserCodeError } from '../../src/defer/user-code.ts';
import type { LogEvent } from '../../src/log/log.ts';
import { Reactor } from '../../src/reactor/reactor.ts';
import { captureLog, until } from './helpers.ts';

let log: ReturnType<typeof captureLog>;
beforeEach(() => {
  log = captureLog();
});
afterEach(() => log.stop());

/** The logged error whose failure says `message`. */
function logged(message: string): LogEvent {
  const found = log.errors().find((e) => e.failure?.getErrorMessage() === message);
  expect(
    found,
    `an error event for ${message}; got ${log
      .errors()
      .map((e) => e.why)
      .join(' | ')}`,
  ).toBeDefined();
  return found!;
}

/** A sync and an async failure, logged alike: the same why, each with a stack. */
function expectLoggedAlike(syncMessage: string, asyncMessage: string): void {
  const sync = logged(syncMessage);
  const async = logged(asyncMessage);
  expect(async.why).toBe(sync.why);
  expect(async.system).toBe(sync.system);
  expect(async.failure!.getTraceback()).toMatch(/\n\s+at /);
}

/** Named so that both variants log the same `why`. */
function failing(message: string): () => void {
  return function failing() {
    throw new Error(message);
  };
}
function failingLater(message: string): () => Promise<void> {
  return {
    async failing() {
      await null;
      throw new Error(message);
    },
  }.failing;
}

describe('handleAsyncResult / callUserCode (the helper every hook goes through)', () => {
  it('reports a rejected Promise, a failed Deferred and a rejecting foreign thenable once each', async () => {
    const seen: unknown[] = [];
    const onError = (reason: unknown, ctx: string): void => {
      seen.push([
        ctx,
        reason instanceof Error
          ? reason.message
          : (reason as { getErrorMessage(): string }).getErrorMessage(),
      ]);
    };
    handleAsyncResult(Promise.reject(new Error('promise')), onError, 'p');
    const d = new Deferred<void>();
    handleAsyncResult(d, onError, 'd');
    d.errback(new Error('deferred'));
    const twice = {
      then(_ok: unknown, bad: (e: unknown) => void) {
        bad(new Error('thenable'));
        bad(new Error('thenable again'));
      },
    };
    handleAsyncResult(twice, onError, 't');
    const trap = Object.defineProperty({}, 'then', {
      get() {
        throw new Error('then getter');
      },
    });
    handleAsyncResult(trap, onError, 'g');
    await until(() => seen.length === 4, 'four reports');
    expect(seen).toEqual([
      ['d', 'deferred'],
      ['t', 'thenable'],
      ['g', 'then getter'],
      ['p', 'promise'],
    ]);
    // The Deferred's failure was consumed: it is not reported again as unhandled.
    expect(d.called).toBe(true);
  });

  it('ignores plain results and leaves a Deferred success as it was', async () => {
    const seen: unknown[] = [];
    for (const v of [undefined, null, 0, 'x', {}, [], () => 1, { then: 3 }]) {
      expect(handleAsyncResult(v, (r) => seen.push(r), undefined)).toBeUndefined();
    }
    const d = new Deferred<number>();
    handleAsyncResult(d, (r) => seen.push(r), undefined);
    d.callback(5);
    let value: unknown;
    d.addCallback((v) => (value = v));
    expect(value).toBe(5);
    await until(() => true, 'a turn');
    expect(seen).toEqual([]);
  });

  it('callUserCode logs a throw and a later rejection with the same why', async () => {
    callUserCode(logUserCodeError('Error in a test hook'), failing('sync one'));
    callUserCode(logUserCodeError('Error in a test hook'), failingLater('async one'));
    await until(() => log.errors().length === 2, 'two errors');
    expectLoggedAlike('sync one', 'async one');
  });
});

describe('async delayed calls', () => {
  it('a rejection is logged like a throw (with the creator in debug mode) and the next calls run', async () => {
    const reactor = new Reactor();
    const ran: string[] = [];
    reactor.callLater(0, failing('sync delayed'));
    reactor.callLater(0, failingLater('async delayed'));
    reactor.callLater(0, () => {
      const d = new Deferred<void>();
      setImmediate(() => d.errback(new Error('deferred delayed')));
      return d;
    });
    reactor.callLater(0.01, () => ran.push('later'));
    await until(() => ran.length === 1 && log.errors().length === 3, 'the later call and three errors');
    expectLoggedAlike('sync delayed', 'async delayed');
    expect(logged('deferred delayed').why).toMatch(/^Error in delayed call <anonymous>/);
  });
});

describe('async system event triggers', () => {
  it.each(['before', 'during', 'after'] as const)(
    "a rejecting '%s' trigger is logged like a throwing one; the event completes",
    async (phase) => {
      const reactor = new Reactor();
      const ran: string[] = [];
      reactor.addSystemEventTrigger(phase, 'custom', failing(`sync ${phase}`));
      reactor.addSystemEventTrigger(phase, 'custom', failingLater(`async ${phase}`));
      reactor.addSystemEventTrigger('after', 'custom', () => ran.push('after'));
      reactor.fireSystemEvent('custom');
      await until(() => ran.length === 1 && log.errors().length === 2, 'the after trigger and two errors');
      expectLoggedAlike(`sync ${phase}`, `async ${phase}`);
    },
  );

  it('startup and shutdown survive rejecting triggers of every phase', async () => {
    const reactor = new Reactor();
    for (const event of ['startup', 'shutdown']) {
      for (const phase of ['before', 'during', 'after'] as const) {
        reactor.addSystemEventTrigger(phase, event, failingLater(`${phase} ${event}`));
      }
    }
    const done = reactor.run({ installSignalHandlers: false });
    reactor.callWhenRunning(() => reactor.stop());
    await done;
    await until(() => log.errors().length === 6, 'six errors');
    for (const event of ['startup', 'shutdown']) {
      for (const phase of ['before', 'during', 'after']) {
        expect(logged(`${phase} ${event}`).why).toBe(
          `Error in '${phase}' trigger failing of system event '${event}'`,
        );
      }
    }
  });
});

const fixture = fileURLToPath(new URL('./fixtures/async-hooks.ts', import.meta.url));

describe('the process survives', () => {
  it('async failures of every kind of hook in a child process: each logged once, exit 0', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--experimental-strip-types', '--no-warnings', fixture],
      { timeout: 30_000 },
    );
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { why?: string; message?: string; done?: boolean });
    expect(lines.at(-1)).toEqual({ done: true });
    const messages = lines
      .slice(0, -1)
      .map((l) => l.message)
      .sort();
    expect(messages).toEqual(
      [
        'after shutdown',
        'after startup',
        'before shutdown',
        'before startup',
        'callLater',
        'custom event',
        'during shutdown',
        'during startup',
      ].sort(),
    );
  });
});
