/**
 * What the `twisted-ts doctor` checks share: a protocol that waits for a datagram, one round
 * trip through it, closing the ports a check opened, and an error's code and text for the table.
 *
 * @module
 */
import {
  CannotListenError,
  DatagramProtocol,
  Deferred,
  MulticastJoinError,
  reactor,
  type AddressTuple,
  type IUDPTransport,
} from '../index.ts';

/** A protocol that records what it receives and can wait for the next datagram. */
export class Recorder extends DatagramProtocol {
  readonly received: [Buffer, AddressTuple][] = [];
  private waiting: Deferred<Buffer> | undefined;

  override datagramReceived(datagram: Buffer, addr: AddressTuple): void {
    this.received.push([datagram, addr]);
    const d = this.waiting;
    this.waiting = undefined;
    d?.callback(datagram);
  }

  /** The next datagram, or a TimeoutError after `seconds`. */
  next(seconds: number): Deferred<Buffer> {
    const d = new Deferred<Buffer>(() => {
      if (this.waiting === d) this.waiting = undefined;
    });
    this.waiting = d;
    return d.addTimeout(seconds, reactor);
  }
}

/** The OS or twisted-ts error code of `e`, if it has one. */
export function errorCode(e: unknown): string | undefined {
  if (e instanceof CannotListenError || e instanceof MulticastJoinError) return e.socketError?.code ?? e.code;
  if (e !== null && typeof e === 'object' && typeof (e as { code?: unknown }).code === 'string') {
    return (e as { code: string }).code;
  }
  return undefined;
}

/** The text of `e` for the table. */
export function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Runs `send` and waits for `receiver`'s next datagram; if `send` throws, the wait is dropped quietly. */
export async function roundTrip(receiver: Recorder, send: () => void, seconds: number): Promise<void> {
  const got = receiver.next(seconds);
  try {
    send();
  } catch (e) {
    got.addErrback(() => undefined);
    got.cancel();
    throw e;
  }
  await got;
}

/** Stops every port a check opened. */
export async function closeAll(ports: readonly IUDPTransport[]): Promise<void> {
  await Promise.all(ports.map((p) => p.stopListening().asPromise()));
}
