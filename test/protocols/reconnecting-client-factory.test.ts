/**
 * ReconnectingClientFactory (src/protocols/reconnecting-client-factory.ts): Twisted's
 * test_factories.py ported, and the back-off checked against Python Twisted's own
 * ReconnectingClientFactory fed the same uniform random numbers.
 */
import { spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotConnectingError } from '../../src/errors.ts';
import { Failure } from '../../src/failure.ts';
import type { IConnector } from '../../src/interfaces.ts';
import { Protocol } from '../../src/protocols/protocol.ts';
import { ReconnectingClientFactory } from '../../src/protocols/reconnecting-client-factory.ts';
import { Clock } from '../../src/task/clock.ts';
import { setDefaultClock, getDefaultClock } from '../../src/task/default-clock.ts';
import { captureLog, type LogCapture } from '../support/log-capture.ts';

const PYTHON = '/usr/bin/python3';
const hasTwisted = spawnSync(PYTHON, ['-c', 'import twisted'], { encoding: 'utf8' }).status === 0;

class FakeConnector implements IConnector {
  connects = 0;
  stops = 0;
  state: IConnector['state'] = 'disconnected';
  connect(): void {
    this.connects++;
  }
  disconnect(): void {}
  stopConnecting(): void {
    this.stops++;
    throw new NotConnectingError('not connecting');
  }
  getDestination(): never {
    throw new Error('unused');
  }
  toString(): string {
    return '<FakeConnector>';
  }
}

/** A reproducible uniform source: a small LCG, its outputs in [0, 1). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

let log: LogCapture;
beforeEach(() => {
  log = captureLog();
});
afterEach(() => log.stop());

describe("Twisted's tests (test_factories.py)", () => {
  it('test_stopTryingWhenConnected: stopTrying while connected means no reconnect when the connection is lost', () => {
    const f = ReconnectingClientFactory.forProtocol(Protocol);
    f.buildProtocol(undefined as never);
    f.stopTrying();
    const connector = {
      stopConnecting: () => {
        throw new Error("Shouldn't be called, we're connected.");
      },
      connect: () => {
        throw new Error("Shouldn't be reconnecting.");
      },
    } as unknown as IConnector;
    f.clientConnectionLost(connector, new Failure(new Error('lost')));
    expect(f.continueTrying).toBe(false);
  });

  it("test_stopTryingDoesNotReconnect: stopTrying doesn't retry on an active connector", () => {
    const f = new ReconnectingClientFactory();
    const clock = (f.clock = new Clock());
    let attemptedRetry = false;
    const connector = {
      stopConnecting: () => f.clientConnectionFailed(connector, new Failure(new Error('stopped'))),
      connect: () => {
        attemptedRetry = true;
      },
    } as unknown as IConnector;
    f.connector = connector;
    f.stopTrying();
    expect(attemptedRetry).toBe(false);
    expect(clock.getDelayedCalls()).toHaveLength(0);
  });

  it('test_parametrizedClock: retries are scheduled on the given clock', () => {
    const f = new ReconnectingClientFactory();
    const clock = (f.clock = new Clock());
    const connector = new FakeConnector();
    f.clientConnectionLost(connector, new Failure(new Error('lost')));
    expect(clock.getDelayedCalls()).toHaveLength(1);
    clock.advance(f.delay);
    expect(connector.connects).toBe(1);
  });
});

describe('the back-off', () => {
  it('without jitter: the delay is multiplied by e, capped at maxDelay', () => {
    const f = new ReconnectingClientFactory();
    f.jitter = 0;
    f.noisy = false;
    f.maxDelay = 100;
    f.clock = new Clock();
    const connector = new FakeConnector();
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      f.clientConnectionFailed(connector, new Failure(new Error('refused')));
      delays.push(f.delay);
    }
    expect(delays.slice(0, 4)).toEqual([Math.E, Math.E ** 2, Math.E ** 3, Math.E ** 4]);
    expect(delays.slice(4)).toEqual([100, 100, 100]);
    expect(f.retries).toBe(7);
  });

  it('maxRetries: gives up after that many consecutive retries', () => {
    const f = new ReconnectingClientFactory();
    f.maxRetries = 2;
    const clock = (f.clock = new Clock());
    const connector = new FakeConnector();
    for (let i = 0; i < 3; i++) f.clientConnectionFailed(connector, new Failure(new Error('x')));
    expect(clock.getDelayedCalls()).toHaveLength(2);
    expect(log.messages().at(-1)).toBe('Abandoning <FakeConnector> after 3 retries.');
  });

  it('resetDelay starts over; stopTrying cancels the pending retry', () => {
    const f = new ReconnectingClientFactory();
    const clock = (f.clock = new Clock());
    const connector = new FakeConnector();
    f.clientConnectionFailed(connector, new Failure(new Error('x')));
    f.clientConnectionFailed(connector, new Failure(new Error('x')));
    expect(f.retries).toBe(2);
    f.resetDelay();
    expect([f.delay, f.retries, f.continueTrying]).toEqual([f.initialDelay, 0, true]);
    f.stopTrying();
    // resetDelay forgets the pending call without cancelling it, as Twisted's does: both stay.
    expect(clock.getDelayedCalls().filter((c) => c.active())).toHaveLength(2);
    expect(connector.stops).toBe(1); // stopConnecting tried; NotConnectingError swallowed
    f.clientConnectionFailed(connector, new Failure(new Error('x')));
    expect(f.retries).toBe(0); // no retry after stopTrying
  });

  it('retry() with no connector ever given is a TypeError naming it', () => {
    expect(() => new ReconnectingClientFactory().retry()).toThrow(
      expect.objectContaining({ name: 'TypeError', message: expect.stringContaining('"connector"') }),
    );
  });

  it('without a clock it schedules on the default clock (the reactor)', () => {
    const saved = getDefaultClock();
    const clock = new Clock();
    setDefaultClock(clock);
    try {
      const f = new ReconnectingClientFactory();
      f.clientConnectionFailed(new FakeConnector(), new Failure(new Error('x')));
      expect(f.clock).toBe(clock);
      expect(clock.getDelayedCalls()).toHaveLength(1);
    } finally {
      if (saved !== undefined) setDefaultClock(saved);
    }
  });

  it.skipIf(!hasTwisted)(
    "with jitter: the same delays as Python Twisted's ReconnectingClientFactory given the same random numbers",
    () => {
      const uniforms: number[] = [];
      const source = lcg(74);
      for (let i = 0; i < 400; i++) uniforms.push(source());
      const script = `
import json, random, sys
from twisted.internet.protocol import ReconnectingClientFactory
from twisted.internet.task import Clock
uniforms = iter(json.loads(sys.stdin.read()))
random._inst.random = lambda: next(uniforms)
class C:
    def connect(self): pass
    def stopConnecting(self): pass
f = ReconnectingClientFactory()
f.noisy = False
f.maxDelay = 60
f.clock = Clock()
out = []
for i in range(25):
    f.clientConnectionFailed(C(), None)
    out.append(f.delay)
print(json.dumps(out))
`;
      const run = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify(uniforms), encoding: 'utf8' });
      expect(run.stderr).toBe('');
      const twisted = JSON.parse(run.stdout) as number[];

      let i = 0;
      const f = new ReconnectingClientFactory();
      f.noisy = false;
      f.maxDelay = 60;
      f.clock = new Clock();
      f.random = () => uniforms[i++];
      const ours: number[] = [];
      for (let n = 0; n < 25; n++) {
        f.clientConnectionFailed(new FakeConnector(), new Failure(new Error('x')));
        ours.push(f.delay);
      }
      expect(ours).toEqual(twisted);
      expect(new Set(ours).size).toBe(25); // really jittered
    },
  );
});
