// Ports of twisted/application/test/test_internet.py ClientServiceTests, with a fake endpoint and a Clock.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  CancelledError,
  ClientService,
  Clock,
  Deferred,
  backoffPolicy,
  type ClientServiceFactory,
} from '../../src/index.ts';
import { captureLog, type LogCapture } from '../support/log-capture.ts';

let logs: LogCapture;
beforeEach(() => {
  logs = captureLog();
});
afterEach(() => logs.stop());

class Proto {
  transport: { loseConnection(): void } | undefined;
  lost: unknown[] = [];
  connectionLost(reason: unknown): void {
    this.lost.push(reason);
  }
}

/** An endpoint whose attempts the test completes by hand. */
class FakeEndpoint {
  attempts: { factory: ClientServiceFactory; d: Deferred<unknown> }[] = [];
  connect(factory: ClientServiceFactory): Deferred<unknown> {
    const d = new Deferred<unknown>();
    this.attempts.push({ factory, d });
    return d;
  }
  /** Completes the last attempt with a protocol built by its factory; returns it. */
  succeed(): Proto {
    const { factory, d } = this.attempts.at(-1)!;
    const proto = factory.buildProtocol(null) as Proto;
    proto.transport = { loseConnection: () => proto.connectionLost(new Error('closed by us')) };
    d.callback(proto);
    return proto;
  }
  fail(error = new Error('refused')): void {
    this.attempts.at(-1)!.d.errback(error);
  }
}

const factory = { buildProtocol: () => new Proto() };

function setup(policy: (n: number) => number = () => 1) {
  const clock = new Clock();
  const endpoint = new FakeEndpoint();
  const service = new ClientService<Proto>(endpoint, factory, { retryPolicy: policy, clock });
  return { clock, endpoint, service };
}

describe('ClientService', () => {
  test('connects when started; whenConnected gives the protocol', () => {
    const { endpoint, service } = setup();
    const waiting = service.whenConnected();
    service.startService();
    expect(endpoint.attempts).toHaveLength(1);
    const proto = endpoint.succeed();
    let got: unknown;
    waiting.addCallback((p) => (got = p));
    expect(got).toBe(proto);
    service.whenConnected().addCallback((p) => expect(p).toBe(proto));
  });

  test('retries after the policy delay when an attempt fails, counting failures', () => {
    const delays: number[] = [];
    const { clock, endpoint, service } = setup((n) => {
      delays.push(n);
      return 5;
    });
    service.startService();
    endpoint.fail();
    expect(endpoint.attempts).toHaveLength(1);
    clock.advance(4.9);
    expect(endpoint.attempts).toHaveLength(1);
    clock.advance(0.1);
    expect(endpoint.attempts).toHaveLength(2);
    endpoint.fail();
    clock.advance(5);
    endpoint.succeed();
    expect(delays).toEqual([1, 2]);
    expect(
      logs.events.some(
        (e) =>
          /Scheduling retry 2 to connect/.test(String(e.log_text ?? '')) ||
          /Scheduling retry/.test(String(e.log_format)),
      ),
    ).toBe(true);
  });

  test('reconnects when the connection is lost', () => {
    const { clock, endpoint, service } = setup();
    service.startService();
    const first = endpoint.succeed();
    first.connectionLost(new Error('peer went away'));
    expect(first.lost).toHaveLength(1); // the protocol's own connectionLost still ran
    clock.advance(1);
    expect(endpoint.attempts).toHaveLength(2);
    const second = endpoint.succeed();
    service.whenConnected().addCallback((p) => expect(p).toBe(second));
  });

  test('whenConnected({ failAfterFailures }) fails with the connection error after that many failures', () => {
    const { clock, endpoint, service } = setup();
    service.startService();
    let failure: unknown;
    service.whenConnected({ failAfterFailures: 2 }).addErrback((f) => (failure = f.value));
    endpoint.fail(new Error('first'));
    expect(failure).toBeUndefined();
    clock.advance(1);
    endpoint.fail(new Error('second'));
    expect((failure as Error).message).toBe('second');
  });

  test('stopping while connected closes the connection and fires when it is lost; waiters get CancelledError', () => {
    const { endpoint, service } = setup();
    service.startService();
    endpoint.succeed();
    let stopped = false;
    service.stopService().addCallback(() => (stopped = true));
    expect(stopped).toBe(true);
    let failure: unknown;
    service.whenConnected().addErrback((f) => (failure = f.value));
    expect(failure).toBeInstanceOf(CancelledError);
  });

  test('stopping while waiting to retry cancels the retry', () => {
    const { clock, endpoint, service } = setup();
    service.startService();
    endpoint.fail();
    let stopped = false;
    service.stopService().addCallback(() => (stopped = true));
    expect(stopped).toBe(true);
    clock.advance(100);
    expect(endpoint.attempts).toHaveLength(1);
  });

  test('stopping while connecting cancels the attempt', () => {
    const { endpoint, service } = setup();
    service.startService();
    let stopped = false;
    service.stopService().addCallback(() => (stopped = true));
    expect(stopped).toBe(true); // the fake attempt has no canceller: cancel errbacks it with CancelledError
    expect(endpoint.attempts[0].d.called).toBe(true);
  });

  test('prepareConnection runs before the protocol is handed out; its failure counts as a failed attempt', () => {
    const clock = new Clock();
    const endpoint = new FakeEndpoint();
    let calls = 0;
    const service = new ClientService<Proto>(endpoint, factory, {
      retryPolicy: () => 1,
      clock,
      prepareConnection: () => {
        if (++calls === 1) throw new Error('not healthy');
      },
    });
    service.startService();
    endpoint.succeed();
    clock.advance(1);
    const good = endpoint.succeed();
    service.whenConnected().addCallback((p) => expect(p).toBe(good));
    expect(calls).toBe(2);
  });

  test('refuses an endpoint or factory of the wrong shape', () => {
    expect(() => new ClientService({} as never, factory)).toThrow(/"endpoint"/);
    expect(() => new ClientService(new FakeEndpoint(), {} as never)).toThrow(/"factory"/);
  });
});

describe('backoffPolicy (test_internet.BackoffPolicyTests)', () => {
  test('grows by factor up to maxDelay, plus jitter', () => {
    const p = backoffPolicy({ initialDelay: 1, maxDelay: 10, factor: 2, jitter: () => 0.5 });
    expect([0, 1, 2, 3, 4, 5].map(p)).toEqual([1.5, 2.5, 4.5, 8.5, 10.5, 10.5]);
    expect(backoffPolicy(1, 60, 1.5, () => 0)(1e6)).toBe(60);
    expect(backoffPolicy()(0)).toBeGreaterThanOrEqual(1);
    expect(() => backoffPolicy({ factor: -1 })).toThrow(RangeError);
  });
});
