/**
 * Faults: an exception from every kind of user callback is logged with its stack and the reactor
 * and the port go on; stopListening in every state; reactor.stop() during startup; a peer
 * vanishing (ICMP port-unreachable) on connected and unconnected ports. Real sockets on
 * 127.0.0.1, inside the netns.
 */
import dgram from 'node:dgram';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Deferred } from '../../src/defer/deferred.ts';
import type { AddressTuple } from '../../src/interfaces.ts';
import { addObserver, err as logErr, removeObserver } from '../../src/log/log.ts';
import type { LogEvent } from '../../src/log/log.ts';
import { DatagramProtocol } from '../../src/protocols/datagram-protocol.ts';
import { Reactor } from '../../src/reactor/reactor.ts';
import { LoopingCall } from '../../src/task/looping-call.ts';
import type { UdpPort } from '../../src/transports/udp/udp-port.ts';
import { canBind } from '../support/can-bind.ts';
import { Failure, captureLog, expectLoggedWithStack, turns, until } from './helpers.ts';

let log: ReturnType<typeof captureLog>;
beforeEach(() => {
  log = captureLog();
});
afterEach(() => log.stop());

/** Records datagrams; throws from the callbacks named in `throwFrom`. */
class Faulty extends DatagramProtocol {
  readonly got: string[] = [];
  started = 0;
  stopped = 0;
  refused = 0;
  readonly throwFrom: ReadonlySet<string>;
  constructor(throwFrom: ReadonlySet<string> = new Set()) {
    super();
    this.throwFrom = throwFrom;
  }
  override startProtocol(): void {
    this.started += 1;
    if (this.throwFrom.has('startProtocol')) throw new Error('boom in startProtocol');
  }
  override stopProtocol(): void {
    this.stopped += 1;
    if (this.throwFrom.has('stopProtocol')) throw new Error('boom in stopProtocol');
  }
  override connectionRefused(): void {
    this.refused += 1;
    if (this.throwFrom.has('connectionRefused')) throw new Error('boom in connectionRefused');
  }
  override datagramReceived(data: Buffer, _addr: AddressTuple): void {
    this.got.push(data.toString());
    if (this.throwFrom.has('datagramReceived'))
      throw new Error(`boom in datagramReceived ${data.toString()}`);
  }
}

/** A plain dgram socket on 127.0.0.1 to send from. */
async function sender(): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  return s;
}

function send(s: dgram.Socket, text: string, port: number): Promise<void> {
  return new Promise((resolve, reject) =>
    s.send(text, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
  );
}

/** Whether `port` on 127.0.0.1 can be bound by a plain socket right now. */
function isFree(port: number): Promise<boolean> {
  return canBind('udp4', port, '127.0.0.1');
}

describe('exceptions from user callbacks are logged with their stack; everything goes on', () => {
  it('datagramReceived: every datagram is still delivered, each failure logged', async () => {
    const reactor = new Reactor();
    const proto = new Faulty(new Set(['datagramReceived']));
    const port = reactor.listenUDP(0, proto, '127.0.0.1');
    const s = await sender();
    for (const text of ['a', 'b', 'c']) await send(s, text, port.getHost().port);
    await until(() => proto.got.length === 3, 'three datagrams');
    expect(proto.got).toEqual(['a', 'b', 'c']);
    expectLoggedWithStack(
      log.events,
      /datagramReceived \(from 127\.0\.0\.1:\d+\)/,
      'boom in datagramReceived c',
    );
    expect(log.errors()).toHaveLength(3);
    expect(port.listening).toBe(true);
    s.close();
    await port.stopListening();
  });

  it('startProtocol: listenUDP throws it, and nothing stays bound (the number is free again)', async () => {
    const reactor = new Reactor();
    const proto = new Faulty(new Set(['startProtocol']));
    // Ask for a number a plain socket found free, then check it is free again afterwards.
    const probe = reactor.listenUDP(0, new Faulty(), '127.0.0.1');
    const number = probe.getHost().port;
    await probe.stopListening();
    expect(() => reactor.listenUDP(number, proto, '127.0.0.1')).toThrow('boom in startProtocol');
    expect(proto.transport).toBeUndefined();
    expect(reactor.getListeningPorts()).toEqual([]);
    expect(await isFree(number)).toBe(true);
    // The same protocol instance may listen again once its start is fixed.

    const again = reactor.listenUDP(number, new Faulty(), '127.0.0.1');
    expect(again.getHost().port).toBe(number);
    await again.stopListening();
  });

  it('stopProtocol: logged, and stopListening still fires', async () => {
    const port = new Reactor().listenUDP(0, new Faulty(new Set(['stopProtocol'])), '127.0.0.1');
    await port.stopListening();
    expect(port.state).toBe('closed');
    expectLoggedWithStack(log.events, /stopProtocol/, 'boom in stopProtocol');
  });

  it('connectionRefused: logged, and the connected port goes on', async () => {
    const reactor = new Reactor();
    const gone = reactor.listenUDP(0, new Faulty(), '127.0.0.1');
    const goneNumber = gone.getHost().port;
    await gone.stopListening();
    const proto = new Faulty(new Set(['connectionRefused']));
    const port = reactor.listenUDP(0, proto, '127.0.0.1');
    port.connect('127.0.0.1', goneNumber);
    const pinger = setInterval(() => port.write(Buffer.from('ping')), 5);
    try {
      await until(() => proto.refused >= 2, 'two connectionRefused calls');
    } finally {
      clearInterval(pinger);
    }
    expectLoggedWithStack(log.events, /connectionRefused/, 'boom in connectionRefused');
    expect(port.listening).toBe(true);
    // The peer comes back on its number: the same connected port now reaches it.
    const back = new Faulty();
    const backPort = reactor.listenUDP(goneNumber, back, '127.0.0.1');
    port.write(Buffer.from('hello again'));
    await until(() => back.got.length === 1, 'the datagram to the returned peer');
    expect(back.got).toEqual(['hello again']);
    await port.stopListening();
    await backPort.stopListening();
  });

  it('delayed calls: logged with the creator, the next call still runs', async () => {
    const reactor = new Reactor();
    const ran: string[] = [];
    reactor.callLater(0, function failing() {
      throw new Error('boom in a delayed call');
    });
    reactor.callLater(0, () => ran.push('after'));
    reactor.callLater(0.01, () => ran.push('later'));
    await until(() => ran.length === 2, 'the other delayed calls');
    expect(ran).toEqual(['after', 'later']);
    expectLoggedWithStack(log.events, /Error in delayed call failing/, 'boom in a delayed call');
  });

  it('system event triggers: logged, the other triggers and phases still run', async () => {
    const reactor = new Reactor();
    const ran: string[] = [];
    reactor.addSystemEventTrigger('before', 'custom', () => {
      throw new Error('boom in a before trigger');
    });
    reactor.addSystemEventTrigger('before', 'custom', () => ran.push('before 2'));
    reactor.addSystemEventTrigger('during', 'custom', () => {
      throw new Error('boom in a during trigger');
    });
    reactor.addSystemEventTrigger('after', 'custom', () => ran.push('after'));
    reactor.fireSystemEvent('custom');
    await until(() => ran.length === 2, 'the other triggers');
    expect(ran).toEqual(['before 2', 'after']);
    expect(log.errors().map((e) => e.failure?.getErrorMessage())).toEqual(
      expect.arrayContaining(['boom in a before trigger', 'boom in a during trigger']),
    );
    for (const e of log.errors()) expect(e.failure!.getTraceback()).toMatch(/\n\s+at /);
    // And the lifecycle events survive throwing triggers too.
    reactor.addSystemEventTrigger('before', 'startup', () => {
      throw new Error('boom in startup');
    });
    reactor.addSystemEventTrigger('before', 'shutdown', () => {
      throw new Error('boom in shutdown');
    });
    const done = reactor.run({ installSignalHandlers: false });
    reactor.callWhenRunning(() => reactor.stop());
    await done;
    expect(log.errors().map((e) => e.failure?.getErrorMessage())).toEqual(
      expect.arrayContaining(['boom in startup', 'boom in shutdown']),
    );
  });

  it("LoopingCall: the failure reaches start()'s Deferred with its stack; the reactor's other calls go on", async () => {
    const reactor = new Reactor();
    let n = 0;
    const loop = new LoopingCall(() => {
      n += 1;
      if (n === 3) throw new Error('boom in a LoopingCall');
    });
    loop.clock = reactor;
    const failed = new Promise<Failure>((resolve) => {
      loop.start(0.001).addErrback((f: Failure) => {
        resolve(f);
        return undefined;
      });
    });
    const f = await failed;
    expect(f.getErrorMessage()).toBe('boom in a LoopingCall');
    expect(f.getTraceback()).toMatch(/\n\s+at /);
    expect(loop.running).toBe(false);
    const other = new Promise<string>((r) => reactor.callLater(0, () => r('still running')));
    expect(await other).toBe('still running');
  });

  it('Deferred callbacks: the exception becomes a Failure with its stack for the errbacks', () => {
    const d = new Deferred<number>();
    let seen: Failure | undefined;
    d.addCallback(() => {
      throw new Error('boom in a callback');
    })
      .addCallback(() => 'skipped')
      .addErrback((f: Failure) => {
        seen = f;
        return 'recovered';
      });
    d.callback(1);
    expect(seen?.getErrorMessage()).toBe('boom in a callback');
    expect(seen?.getTraceback()).toMatch(/\n\s+at /);
  });

  it('log observers: a throwing observer is reported after the others received the event (as Twisted, it stays)', () => {
    const reports: LogEvent[] = [];
    const good = (e: LogEvent): void => {
      reports.push(e);
    };
    const bad = function badObserver(): void {
      throw new Error('boom in an observer');
    };
    addObserver(bad);
    addObserver(good);
    try {
      logErr(new Error('first'), 'an error to log');
      logErr(new Error('second'), 'another');
      const whys = reports.map((e) => e.why);
      expect(whys).toContain('an error to log');
      expect(whys).toContain('another');
      const report = reports.find((e) => /badObserver failed/.test(e.why ?? ''));
      expect(report?.failure?.getTraceback()).toMatch(/boom in an observer\n\s+at /);
      // Each event it failed on is reported once, after the event itself.
      expect(reports.filter((e) => /badObserver/.test(e.why ?? ''))).toHaveLength(2);
      expect(reports.map((e) => (/badObserver/.test(e.why ?? '') ? 'report' : e.why))).toEqual([
        'an error to log',
        'report',
        'another',
        'report',
      ]);
    } finally {
      removeObserver(bad);
      removeObserver(good);
    }
  });
});

describe('stopListening in every state', () => {
  it('inside startProtocol: listenUDP returns a stopping port, the Deferred fires, the number is free', async () => {
    let inside: Deferred<void> | undefined;
    class StopsAtOnce extends Faulty {
      override startProtocol(): void {
        super.startProtocol();
        inside = (this.transport as UdpPort).stopListening();
      }
    }
    const reactor = new Reactor();
    const proto = new StopsAtOnce();
    const port = reactor.listenUDP(0, proto, '127.0.0.1');
    expect(port.listening).toBe(false);
    await inside;
    expect(port.state).toBe('closed');
    expect(proto.stopped).toBe(1);
    expect(reactor.getListeningPorts()).toEqual([]);
    expect(await isFree(port.getHost().port)).toBe(true);
  });

  it('inside datagramReceived: later datagrams are not delivered, stopProtocol runs once', async () => {
    class StopsOnFirst extends Faulty {
      stop: Deferred<void> | undefined;
      override datagramReceived(data: Buffer, addr: AddressTuple): void {
        super.datagramReceived(data, addr);
        this.stop ??= (this.transport as UdpPort).stopListening();
      }
    }
    const proto = new StopsOnFirst();
    const port = new Reactor().listenUDP(0, proto, '127.0.0.1');
    const s = await sender();
    await send(s, 'one', port.getHost().port);
    await until(() => proto.stop !== undefined, 'the first datagram');
    await send(s, 'two', port.getHost().port).catch(() => undefined);
    await proto.stop;
    await turns(3);
    expect(proto.got).toEqual(['one']);
    expect(proto.stopped).toBe(1);
    s.close();
  });

  it('twice, and after the stop: every Deferred fires, stopProtocol runs once', async () => {
    const proto = new Faulty();
    const port = new Reactor().listenUDP(0, proto, '127.0.0.1');
    const first = port.stopListening();
    const second = port.stopListening();
    await Promise.all([first, second]);
    await port.stopListening();
    port.loseConnection();
    await turns(2);
    expect(proto.stopped).toBe(1);
  });

  it('during reactor shutdown (from a before-shutdown trigger, then by the shutdown itself)', async () => {
    const reactor = new Reactor();
    const proto = new Faulty();
    const port = reactor.listenUDP(0, proto, '127.0.0.1');
    let early: Deferred<void> | undefined;
    reactor.addSystemEventTrigger('before', 'shutdown', () => {
      early = port.stopListening();
    });
    reactor.addSystemEventTrigger('during', 'shutdown', () => port.stopListening());
    const done = reactor.run({ installSignalHandlers: false });
    reactor.callWhenRunning(() => reactor.stop());
    await done;
    await early;
    expect(port.state).toBe('closed');
    expect(proto.stopped).toBe(1);
    expect(log.errors()).toEqual([]);
  });
});

describe('reactor.stop() during startup', () => {
  it('from a before-startup trigger waiting on a Deferred: startup completes, then a clean shutdown', async () => {
    const reactor = new Reactor();
    const order: string[] = [];
    const slow = new Deferred<void>();
    reactor.addSystemEventTrigger('before', 'startup', () => {
      order.push('before startup');
      reactor.stop();
      setTimeout(() => slow.callback(undefined), 5);
      return slow;
    });
    reactor.callWhenRunning(() => order.push('running'));
    reactor.addSystemEventTrigger('before', 'shutdown', () => order.push('before shutdown'));
    const port = reactor.listenUDP(0, new Faulty(), '127.0.0.1');
    await reactor.run({ installSignalHandlers: false });
    expect(order).toEqual(['before startup', 'running', 'before shutdown']);
    expect(port.state).toBe('closed');
    expect(reactor.running).toBe(false);
    expect(log.errors()).toEqual([]);
  });

  it('right after run() returns, synchronously', async () => {
    const reactor = new Reactor();
    const done = reactor.run({ installSignalHandlers: false });
    reactor.stop();
    await done;
    expect(reactor.running).toBe(false);
    expect(() => reactor.stop()).toThrow(/isn't running/);
  });
});

describe('a peer vanishing (ICMP port-unreachable)', () => {
  it('unconnected: writes to it neither throw nor stop the port; it still serves others', async () => {
    const reactor = new Reactor();
    const gone = reactor.listenUDP(0, new Faulty(), '127.0.0.1');
    const goneNumber = gone.getHost().port;
    await gone.stopListening();
    const proto = new Faulty();
    const port = reactor.listenUDP(0, proto, '127.0.0.1');
    for (let i = 0; i < 50; i++) port.write(Buffer.from(`to nobody ${i}`), ['127.0.0.1', goneNumber]);
    await turns(10);
    expect(port.listening).toBe(true);
    const s = await sender();
    await send(s, 'still here', port.getHost().port);
    await until(() => proto.got.length === 1, 'a datagram after the ICMP errors');
    expect(proto.got).toEqual(['still here']);
    // Linux does not report ICMP errors on unconnected sockets; nothing is counted as an error.
    expect(port.stats().errors).toBe(0);
    expect(port.stats().datagramsOut).toBe(50);
    expect(proto.refused).toBe(0);
    s.close();
    await port.stopListening();
  });
});
