/**
 * The registry of ports and connections (src/reactor/registry.ts) that the Reactor, MemoryReactor
 * and VirtualHost share, and the shutdown order the TCP issue asks for: every listening port
 * stopped, then every connection ended (Twisted's `disconnectAll`), each failure logged while the
 * rest go on.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Deferred } from '../../src/defer/deferred.ts';
import type { IListeningPort, IRegisteredConnection } from '../../src/interfaces.ts';
import { addObserver, defaultErrorObserver, removeObserver, type LogEvent } from '../../src/log/log.ts';
import { Reactor } from '../../src/reactor/reactor.ts';
import { Registry } from '../../src/reactor/registry.ts';

let logged: LogEvent[];
const observer = (e: LogEvent): void => {
  logged.push(e);
};
beforeEach(() => {
  logged = [];
  removeObserver(defaultErrorObserver);
  addObserver(observer);
});
afterEach(() => {
  removeObserver(observer);
  addObserver(defaultErrorObserver);
});
const loggedErrors = (): string[] => logged.filter((e) => e.isError).map((e) => e.why ?? '');

type Outcome = 'ok' | 'throw' | 'fail' | 'reject' | Deferred<void> | Promise<void>;

/** What a stop or a disconnect returns (or throws) for each outcome. */
function outcome(name: string, result: Outcome): unknown {
  if (result === 'throw') throw new Error(`${name} threw`);
  if (result === 'fail') {
    const d = new Deferred<void>();
    d.errback(new Error(`${name} failed`));
    return d;
  }
  if (result === 'reject') return Promise.reject(new Error(`${name} rejected`));
  if (result === 'ok') return undefined;
  return result;
}

function fakePort(events: string[], name: string, result: Outcome = 'ok'): IListeningPort {
  return {
    stopListening() {
      events.push(`stop ${name}`);
      const returned = outcome(name, result);
      if (returned !== undefined) return returned;
      const d = new Deferred<void>();
      d.callback(undefined);
      return d;
    },
    getHost() {
      throw new Error('not used');
    },
    toString: () => `<port ${name}>`,
  } as unknown as IListeningPort;
}

/** A connection as the TCP transports will register one. */
class FakeConnection implements IRegisteredConnection {
  readonly #events: string[];
  readonly #name: string;
  readonly #result: Outcome;

  constructor(events: string[], name: string, result: Outcome = 'ok') {
    this.#events = events;
    this.#name = name;
    this.#result = result;
  }

  disconnectForShutdown(): unknown {
    this.#events.push(`disconnect ${this.#name}`);
    return outcome(this.#name, this.#result);
  }

  toString(): string {
    return `<connection ${this.#name}>`;
  }
}

/** Resolves once every waitable has settled, as the reactor's `after` phase waits. */
async function settled(waits: unknown[]): Promise<void> {
  await Promise.all(waits.map((w) => (w instanceof Deferred ? w.asPromise() : w)));
}

describe('Registry', () => {
  test('keeps ports and connections in registration order; unregistering forgets them', () => {
    const registry = new Registry();
    const events: string[] = [];
    const a = fakePort(events, 'A');
    const b = fakePort(events, 'B');
    const c = new FakeConnection(events, 'c');
    registry.registerPort(a);
    registry.registerPort(b);
    registry.registerPort(a);
    registry.registerConnection(c);
    expect(registry.getListeningPorts()).toEqual([a, b]);
    expect(registry.getConnections()).toEqual([c]);
    registry.unregisterPort(a);
    registry.unregisterConnection(c);
    registry.unregisterConnection(new FakeConnection(events, 'unknown'));
    expect(registry.getListeningPorts()).toEqual([b]);
    expect(registry.getConnections()).toEqual([]);
    expect(events).toEqual([]);
  });

  test('shutdown stops every port, then ends every connection; failures are logged and the rest go on', async () => {
    const registry = new Registry();
    const events: string[] = [];
    const slow = new Deferred<void>();
    registry.registerConnection(new FakeConnection(events, 'c1', 'throw'));
    registry.registerPort(fakePort(events, 'A', 'throw'));
    registry.registerPort(fakePort(events, 'B', 'fail'));
    registry.registerConnection(new FakeConnection(events, 'c2', 'reject'));
    registry.registerConnection(new FakeConnection(events, 'c3', slow));
    registry.registerPort(fakePort(events, 'C'));
    const gone = new FakeConnection(events, 'gone');
    registry.registerConnection(gone);
    registry.unregisterConnection(gone);

    const waits = registry.shutdown();
    expect(events).toEqual(['stop A', 'stop B', 'stop C', 'disconnect c1', 'disconnect c2', 'disconnect c3']);
    let done = false;
    const all = settled(waits).then(() => {
      done = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false); // c3 has not closed yet
    slow.callback(undefined);
    await all;
    expect(loggedErrors().sort()).toEqual(
      [
        'Error stopping <port A> during shutdown',
        'Error stopping <port B> during shutdown',
        'Error disconnecting <connection c1> during shutdown',
        'Error disconnecting <connection c2> during shutdown',
      ].sort(),
    );
  });

  test('nothing is told twice; finishShutdown ends what registered meanwhile, then forgets everything', () => {
    const registry = new Registry();
    const events: string[] = [];
    const port = fakePort(events, 'A');
    const connection = new FakeConnection(events, 'c');
    registry.registerPort(port);
    registry.registerConnection(connection);
    registry.shutdown();
    // Neither unregistered (their close is still under way); a trigger opens more meanwhile.
    registry.registerPort(fakePort(events, 'late'));
    registry.registerConnection(new FakeConnection(events, 'late'));
    expect(registry.shutdown()).toHaveLength(2);
    registry.finishShutdown();
    expect(events).toEqual(['stop A', 'disconnect c', 'stop late', 'disconnect late']);
    expect(registry.getListeningPorts()).toEqual([]);
    expect(registry.getConnections()).toEqual([]);
  });
});

describe('Reactor shutdown with connections', () => {
  test('stops the ports, then ends the connections, and waits for them before the after phase', async () => {
    const r = new Reactor();
    const events: string[] = [];
    const closing = new Deferred<void>();
    const connection = new FakeConnection(events, 'c', closing);
    r.registerPort(fakePort(events, 'A'));
    r.registerConnection(connection);
    r.registerConnection(new FakeConnection(events, 'gone'));
    r.unregisterConnection(r.getConnections()[1]);
    expect(r.getConnections()).toEqual([connection]);
    r.addSystemEventTrigger('during', 'shutdown', () => events.push('during trigger'));
    r.addSystemEventTrigger('after', 'shutdown', () => events.push('after'));
    const run = r.run({ installSignalHandlers: false });
    r.stop();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual(['stop A', 'disconnect c', 'during trigger']);
    closing.callback(undefined);
    await run;
    expect(events).toEqual(['stop A', 'disconnect c', 'during trigger', 'after']);
    expect(r.getConnections()).toEqual([]);
  });

  test('a connection registered after shutdown stopped the others is ended too', async () => {
    const r = new Reactor();
    const events: string[] = [];
    r.addSystemEventTrigger('during', 'shutdown', () =>
      r.registerConnection(new FakeConnection(events, 'late')),
    );
    const run = r.run({ installSignalHandlers: false });
    r.stop();
    await run;
    expect(events).toEqual(['disconnect late']);
  });
});
