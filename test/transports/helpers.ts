/**
 * Shared pieces of the transport and protocol tests: a minimal port owner (until a test uses the
 * real Reactor), log capture, and small waiting helpers.
 */
import { Deferred } from '../../src/defer/deferred.ts';
import type { AddressTuple, IListeningPort, IPortOwner } from '../../src/interfaces.ts';
import { ipFamily } from '../../src/validate.ts';
import { canBind } from '../support/can-bind.ts';
import { CountingProtocol } from '../support/counting-protocol.ts';

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

export { captureLog } from '../support/log-capture.ts';
export { turns, until } from '../support/wait.ts';

/** Whether this machine can bind ::1. */
export const hasIPv6 = await canBind('udp6', 0, '::1');

/** A protocol that records what it receives, with a promise for the n-th datagram. */
export class Recorder extends CountingProtocol {
  readonly packets: [string, AddressTuple][] = [];
  readonly raw: Buffer[] = [];
  private waiters: { n: number; resolve: () => void }[] = [];

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
