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
import type { AddressTuple } from '../../src/interfaces.ts';
import { DatagramProtocol } from '../../src/protocols/datagram-protocol.ts';
import { Reactor } from '../../src/reactor/reactor.ts';
import { captureLog, turns, until } from './helpers.ts';

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

/** Fails in the hooks named in `failIn`, synchronously or (`later`) after an await. */
class Failing extends DatagramProtocol {
  readonly got: string[] = [];
  readonly failIn: ReadonlySet<string>;
  readonly later: boolean;
  constructor(failIn: ReadonlySet<string>, later: boolean) {
    super();
    this.failIn = failIn;
    this.later = later;
  }
  #fail(hook: string, detail = ''): void | Promise<void> {
    if (!this.failIn.has(hook)) return undefined;
    const message = `${this.later ? 'async' : 'sync'} ${hook}${detail}`;
    if (!this.later) throw new Error(message);
    return (async () => {
      await null;
      throw new Error(message);
    })();
  }
  override startProtocol(): void | Promise<void> {
    return this.#fail('startProtocol');
  }
  override stopProtocol(): void | Promise<void> {
    return this.#fail('stopProtocol');
  }
  override connectionRefused(): void | Promise<void> {
    return this.#fail('connectionRefused');
  }
  override datagramReceived(data: Buffer, _addr: AddressTuple): void | Promise<void> {
    this.got.push(data.toString());
    return this.#fail('datagramReceived', ` ${data.toString()}`);
  }
}

describe('async datagram protocol hooks', () => {
  it('datagramReceived: a rejection is logged like a throw (with the sender) and the port goes on', async () => {
    const reactor = new Reactor();
    const sync = new Failing(new Set(['datagramReceived']), false);
    const async = new Failing(new Set(['datagramReceived']), true);
    const syncPort = reactor.listenUDP(0, sync, '127.0.0.1');
    const asyncPort = reactor.listenUDP(0, async, '127.0.0.1');
    const sender = reactor.listenUDP(0, new DatagramProtocol(), '127.0.0.1');
    for (const text of ['a', 'b']) {
      sender.write(Buffer.from(text), ['127.0.0.1', syncPort.getHost().port]);
      sender.write(Buffer.from(text), ['127.0.0.1', asyncPort.getHost().port]);
    }
    await until(() => log.errors().length === 4, 'four errors');
    expect(async.got).toEqual(['a', 'b']);
    // The same why (the sender's address included) and system; the logged class name differs.
    const syncEvent = logged('sync datagramReceived b');
    const asyncEvent = logged('async datagramReceived b');
    expect(asyncEvent.why!.replace('async', '')).toBe(syncEvent.why!.replace('sync', ''));
    expect(asyncEvent.why).toMatch(
      /^Unhandled error in Failing\.datagramReceived \(from 127\.0\.0\.1:\d+\)$/,
    );
    expect(asyncEvent.failure!.getTraceback()).toMatch(/\n\s+at /);
    expect(asyncPort.listening).toBe(true);
    await Promise.all([syncPort.stopListening(), asyncPort.stopListening(), sender.stopListening()]);
  });

  it('startProtocol and stopProtocol: a rejection is logged; the port starts and stops as usual', async () => {
    const reactor = new Reactor();
    const proto = new Failing(new Set(['startProtocol', 'stopProtocol']), true);
    const port = reactor.listenUDP(0, proto, '127.0.0.1');
    expect(port.listening).toBe(true);
    await port.stopListening();
    await until(() => log.errors().length === 2, 'two errors');
    expect(logged('async startProtocol').why).toBe('Unhandled error in Failing.startProtocol');
    expect(logged('async stopProtocol').why).toBe('Unhandled error in Failing.stopProtocol');
    // A synchronous stopProtocol failure is logged with the same why.
    const again = reactor.listenUDP(0, new Failing(new Set(['stopProtocol']), false), '127.0.0.1');
    await again.stopListening();
    expect(logged('sync stopProtocol').why).toBe('Unhandled error in Failing.stopProtocol');
  });

  it('connectionRefused: a rejection is logged like a throw and the connected port goes on', async () => {
    const reactor = new Reactor();
    const gone = reactor.listenUDP(0, new DatagramProtocol(), '127.0.0.1');
    const goneNumber = gone.getHost().port;
    await gone.stopListening();
    const proto = new Failing(new Set(['connectionRefused']), true);
    const port = reactor.listenUDP(0, proto, '127.0.0.1');
    port.connect('127.0.0.1', goneNumber);
    const pinger = setInterval(() => port.write(Buffer.from('ping')), 5);
    try {
      await until(() => log.errors().length >= 2, 'two refusals logged');
    } finally {
      clearInterval(pinger);
    }
    expect(logged('async connectionRefused').why).toBe('Unhandled error in Failing.connectionRefused');
    expect(port.listening).toBe(true);
    await port.stopListening();
  });
});

describe('async callFromThread and callWhenRunning', () => {
  it('callFromThread: a rejection is logged like a throw', async () => {
    const reactor = new Reactor();
    reactor.callFromThread(failing('sync from thread'));
    reactor.callFromThread(failingLater('async from thread'));
    await until(() => log.errors().length === 2, 'two errors');
    expectLoggedAlike('sync from thread', 'async from thread');
  });

  it('callWhenRunning: deferred to startup, or run at once when running; a rejection is logged', async () => {
    const reactor = new Reactor();
    reactor.callWhenRunning(failing('sync before running'));
    reactor.callWhenRunning(failingLater('async before running'));
    const done = reactor.run({ installSignalHandlers: false });
    await until(() => reactor.running, 'running');
    reactor.callWhenRunning(failingLater('async while running'));
    await until(() => log.errors().length === 3, 'three errors');
    expectLoggedAlike('sync before running', 'async before running');
    expect(logged('async while running').why).toBe('Error in callWhenRunning(failing)');
    reactor.stop();
    await done;
  });
});

describe('async event listeners (observers of the reactor and of ports)', () => {
  it("a rejecting 'startup' or 'shutdown' listener is logged like a throwing one", async () => {
    const reactor = new Reactor();
    reactor.on('startup', failing('sync startup listener'));
    reactor.on('startup', failingLater('async startup listener'));
    reactor.once('shutdown', failingLater('async shutdown listener'));
    const done = reactor.run({ installSignalHandlers: false });
    reactor.callWhenRunning(() => reactor.stop());
    await done;
    await until(() => log.errors().length === 3, 'three errors');
    expectLoggedAlike('sync startup listener', 'async startup listener');
    expect(logged('async shutdown listener').why).toBe("Error in a 'shutdown' listener of the reactor");
  });

  it("a rejecting 'listening' or 'close' listener of a port is logged", async () => {
    const reactor = new Reactor();
    const port = reactor.listenUDP(0, new DatagramProtocol(), '127.0.0.1');
    port.on('close', failingLater('async close listener'));
    await port.stopListening();
    await turns(3);
    await until(() => log.errors().length === 1, 'one error');
    expect(logged('async close listener').why).toMatch(/'close' listener/);
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
        'callFromThread',
        'callWhenRunning (deferred)',
        'callWhenRunning (at once)',
        'startup listener',
        'startProtocol',
        'stopProtocol',
        'datagramReceived malformed',
        'close listener',
      ].sort(),
    );
  });
});
