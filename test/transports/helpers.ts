/**
 * Shared pieces of the transport and protocol tests: a minimal port owner (until a test uses the
 * real Reactor), log capture, and small waiting helpers.
 */
import { Deferred } from '../../src/defer/deferred.ts';
import type { AddressTuple, IListeningPort, IPortOwner } from '../../src/interfaces.ts';
import { DatagramProtocol } from '../../src/protocols/datagram-protocol.ts';
import { addObserver, defaultErrorObserver, removeObserver } from '../../src/log/log.ts';
import type { LogEvent } from '../../src/log/log.ts';
import { ipFamily } from '../../src/validate.ts';

/** An IPortOwner that records registrations; resolve() answers IP literals only. */
export class TestOwner implements IPortOwner {
  readonly ports = new Set<IListeningPort>();
  readonly registered: IListeningPort[] = [];
  readonly unregistered: IListeningPort[] = [];

  resolve(name: string): Deferred<string> {
    const d = new Deferred<string>();
    if (ipFamily(name) !== 0) d.callback(name);
    else d.errback(new Error(`TestOwner resolves IP literals only: ${name}`));
    return d;
  }

  registerPort(port: IListeningPort): void {
    this.ports.add(port);
    this.registered.push(port);
  }

  unregisterPort(port: IListeningPort): void {
    this.ports.delete(port);
    this.unregistered.push(port);
  }

  /** Stops every port still registered (test cleanup). */
  async stopAll(): Promise<void> {
    await Promise.all([...this.ports].map((p) => p.stopListening().asPromise()));
  }
}

/**
 * Captures log events until `stop()`; while capturing, the default stderr printer is off so that
 * expected errors do not clutter the output.
 */
export function captureLog(): {
  events: LogEvent[];
  messages: () => string[];
  errors: () => LogEvent[];
  stop: () => void;
} {
  const events: LogEvent[] = [];
  const observer = (e: LogEvent): void => {
    events.push(e);
  };
  removeObserver(defaultErrorObserver);
  addObserver(observer);
  return {
    events,
    messages: () => events.filter((e) => !e.isError).map((e) => e.message.map(String).join(' ')),
    errors: () => events.filter((e) => e.isError),
    stop: () => {
      removeObserver(observer);
      removeObserver(defaultErrorObserver);
      addObserver(defaultErrorObserver);
    },
  };
}

/** Resolves after `n` turns of the event loop (setImmediate). */
export async function turns(n = 1): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((r) => setImmediate(r));
}

/** Waits until `check()` is true, polling each turn; fails after `timeoutMs`. */
export async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((r) => setTimeout(r, 1));
  }
}

/** Whether this machine can bind ::1. */
export const hasIPv6 = await (async () => {
  const dgram = await import('node:dgram');
  const s = dgram.createSocket('udp6');
  try {
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind(0, '::1', () => resolve());
    });
    return true;
  } catch {
    return false;
  } finally {
    try {
      s.close();
    } catch {
      // never bound
    }
  }
})();

/** A protocol that records what it receives, with a promise for the n-th datagram. */
export class Recorder extends DatagramProtocol {
  readonly packets: [string, AddressTuple][] = [];
  readonly raw: Buffer[] = [];
  started = 0;
  stopped = 0;
  refused = 0;
  private waiters: { n: number; resolve: () => void }[] = [];

  override startProtocol(): void {
    this.started += 1;
  }

  override stopProtocol(): void {
    this.stopped += 1;
  }

  override connectionRefused(): void {
    this.refused += 1;
  }

  override datagramReceived(datagram: Buffer, addr: AddressTuple): void {
    this.raw.push(datagram);
    this.packets.push([datagram.toString(), addr]);
    this.waiters = this.waiters.filter((w) => {
      if (this.packets.length < w.n) return true;
      w.resolve();
      return false;
    });
  }

  /** Resolves once `n` datagrams in all have arrived; rejects after `timeoutMs`. */
  received(n: number, timeoutMs = 5000): Promise<void> {
    if (this.packets.length >= n) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${this.packets.length} of ${n} datagrams arrived`)),
        timeoutMs,
      );
      this.waiters.push({
        n,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }
}

/** The loopback hosts the suites run on, with whether each can be used here. */
export const loopbacks = [
  { host: '127.0.0.1', family: 'IPv4', available: true },
  { host: '::1', family: 'IPv6', available: hasIPv6 },
] as const;
