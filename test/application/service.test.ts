// Ports of twisted/application/test/test_service.py and the service parts of test_internet.py.
import { createSocket } from 'node:dgram';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  Application,
  Clock,
  DatagramProtocol,
  Deferred,
  MultiService,
  Service,
  ServiceHierarchyError,
  TimerService,
  UDPServer,
  type AddressTuple,
} from '../../src/index.ts';
import { captureLog, type LogCapture } from '../support/log-capture.ts';

let logs: LogCapture;
beforeEach(() => {
  logs = captureLog();
});
afterEach(() => logs.stop());

class Recording extends Service {
  readonly label: string;
  readonly journal: string[];
  readonly stopResult: (() => unknown) | undefined;
  constructor(label: string, journal: string[], stopResult?: () => unknown) {
    super();
    this.label = label;
    this.journal = journal;
    this.stopResult = stopResult;
  }
  override privilegedStartService(): void {
    this.journal.push(`priv ${this.label}`);
  }
  override startService(): void {
    super.startService();
    this.journal.push(`start ${this.label}`);
  }
  override stopService(): Deferred<unknown> | undefined {
    super.stopService();
    this.journal.push(`stop ${this.label}`);
    return this.stopResult?.() as Deferred<unknown> | undefined;
  }
}

describe('Service (test_service.ServiceTests)', () => {
  test('name, parent and running start unset; setName; start/stop flip running', () => {
    const s = new Service();
    expect([s.name, s.parent, s.running]).toEqual([undefined, undefined, false]);
    s.setName('hello');
    expect(s.name).toBe('hello');
    s.startService();
    expect(s.running).toBe(true);
    s.stopService();
    expect(s.running).toBe(false);
  });

  test('setServiceParent registers with the parent; disownServiceParent removes', () => {
    const parent = new MultiService();
    const s = new Service();
    s.setName('child');
    s.setServiceParent(parent);
    expect(s.parent).toBe(parent);
    expect(parent.getServiceNamed('child')).toBe(s);
    expect([...parent]).toEqual([s]);
    s.disownServiceParent();
    expect(s.parent).toBeUndefined();
    expect([...parent]).toEqual([]);
  });

  test('a second parent is refused (the interface says so); renaming with a parent is refused', () => {
    const s = new Service();
    s.setServiceParent(new MultiService());
    expect(() => s.setServiceParent(new MultiService())).toThrow(ServiceHierarchyError);
    expect(() => s.setName('x')).toThrow(/cannot change name when parent exists/);
  });

  test('two children of one name are refused, and the loser gets no parent', () => {
    const parent = new MultiService();
    const a = new Service();
    a.setName('same');
    a.setServiceParent(parent);
    const b = new Service();
    b.setName('same');
    expect(() => b.setServiceParent(parent)).toThrow(/two services with same name 'same'/);
    expect(b.parent).toBeUndefined();
    expect(() => parent.getServiceNamed('missing')).toThrow(ServiceHierarchyError);
  });
});

describe('MultiService', () => {
  test('starts children in order, stops them in reverse order', () => {
    const journal: string[] = [];
    const m = new MultiService();
    for (const label of ['a', 'b', 'c']) new Recording(label, journal).setServiceParent(m);
    m.privilegedStartService();
    m.startService();
    m.stopService();
    expect(journal).toEqual([
      'priv a',
      'priv b',
      'priv c',
      'start a',
      'start b',
      'start c',
      'stop c',
      'stop b',
      'stop a',
    ]);
  });

  test('stopService waits for every Deferred its children return', () => {
    const journal: string[] = [];
    const slow = [new Deferred(), new Deferred()];
    const m = new MultiService();
    new Recording('a', journal, () => slow[0]).setServiceParent(m);
    new Recording('b', journal, () => slow[1]).setServiceParent(m);
    m.startService();
    let done = false;
    m.stopService().addCallback(() => {
      done = true;
    });
    expect(done).toBe(false);
    slow[1].callback(undefined);
    expect(done).toBe(false);
    slow[0].callback(undefined);
    expect(done).toBe(true);
  });

  test('a child whose stop fails makes the whole stop fail, after the others finished', () => {
    const journal: string[] = [];
    const late = new Deferred();
    const m = new MultiService();
    new Recording('a', journal, () => late).setServiceParent(m);
    new Recording('b', journal, () => {
      throw new Error('b cannot stop');
    }).setServiceParent(m);
    m.startService();
    let failure: unknown;
    m.stopService().addErrback((f) => {
      failure = f.value;
    });
    expect(failure).toBeUndefined();
    late.callback(undefined);
    expect((failure as Error).message).toBe('b cannot stop');
  });

  test('a child added while running is started (privileged first); removing stops it', () => {
    const journal: string[] = [];
    const m = new MultiService();
    m.startService();
    const child = new Recording('late', journal);
    child.setServiceParent(m);
    expect(journal).toEqual(['priv late', 'start late']);
    child.disownServiceParent();
    expect(journal).toEqual(['priv late', 'start late', 'stop late']);
  });

  test('Application is a named MultiService with optional uid/gid', () => {
    const app = new Application('demo', { uid: 1000, gid: 1000 });
    expect(app).toBeInstanceOf(MultiService);
    expect([app.name, app.uid, app.gid]).toEqual(['demo', 1000, 1000]);
    expect(new Application('x', 5, 6).gid).toBe(6);
  });
});

describe('UDPServer (test_internet.TestInternet2.testUDP)', () => {
  class Echo extends DatagramProtocol {
    override datagramReceived(data: Buffer, addr: AddressTuple): void {
      this.transport.write(data, addr);
    }
  }

  test('binds in privilegedStartService, serves while running, closes when stopped', async () => {
    const server = new UDPServer(0, new Echo(), '127.0.0.1');
    server.privilegedStartService();
    const port = server.port!;
    expect(port).toBeDefined();
    server.startService();
    expect(server.port).toBe(port); // not bound twice
    const number = port.getHost().port;
    const client = createSocket('udp4');
    const reply = new Promise<string>((resolve) => client.once('message', (m) => resolve(m.toString())));
    client.send('ping', number, '127.0.0.1');
    expect(await reply).toBe('ping');
    client.close();
    await server.stopService();
    expect(server.port).toBeUndefined();
    // The port number is free again.
    const again = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      again.once('error', reject);
      again.bind(number, '127.0.0.1', () => resolve());
    });
    again.close();
  });

  test('a port that cannot be bound throws CannotListenError from the start call', async () => {
    const first = new UDPServer(0, new Echo(), '127.0.0.1');
    first.startService();
    const taken = first.port!.getHost().port;
    const second = new UDPServer(taken, new Echo(), { interface: '127.0.0.1' });
    expect(() => second.startService()).toThrow(/Couldn't listen/);
    await first.stopService();
  });
});

describe('TimerService (test_internet.TimerServiceTests)', () => {
  test('calls at once and every step on its clock; stops calling when stopped', () => {
    const clock = new Clock();
    const calls: number[] = [];
    const timer = new TimerService(10, (_tag: string) => void calls.push(clock.seconds()), 'x');
    timer.clock = clock;
    timer.startService();
    expect(calls).toEqual([0]);
    clock.advance(10);
    clock.advance(10);
    expect(calls).toEqual([0, 10, 20]);
    let stopped = false;
    timer.stopService()!.addCallback(() => {
      stopped = true;
    });
    expect(stopped).toBe(true);
    expect(timer.running).toBe(false);
    clock.advance(100);
    expect(calls).toHaveLength(3);
  });

  test('stopService waits for a call in progress', () => {
    const clock = new Clock();
    const pending = new Deferred<void>();
    const timer = new TimerService(1, () => pending);
    timer.clock = clock;
    timer.startService();
    let stopped = false;
    timer.stopService()!.addCallback(() => {
      stopped = true;
    });
    expect(stopped).toBe(false);
    expect(timer.running).toBe(true);
    pending.callback(undefined);
    expect(stopped).toBe(true);
    expect(timer.running).toBe(false);
  });

  test('a failing call is logged and stops the loop', () => {
    const clock = new Clock();
    let n = 0;
    const timer = new TimerService(1, () => {
      if (++n === 2) throw new Error('tick failed');
    });
    timer.clock = clock;
    timer.startService();
    clock.advance(1);
    clock.advance(1);
    expect(n).toBe(2);
    expect(logs.errors().map((e) => e.failure?.getErrorMessage())).toEqual(['tick failed']);
    timer.stopService();
  });

  test('refuses a bad step or function', () => {
    expect(() => new TimerService(-1, () => undefined)).toThrow(RangeError);
    expect(() => new TimerService(1, 'x' as never)).toThrow(TypeError);
  });
});
