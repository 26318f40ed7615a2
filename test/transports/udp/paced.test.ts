import { afterEach, describe, expect, it } from 'vitest';
import type { AddressTuple } from '../../../src/interfaces.ts';
import { DatagramProtocol } from '../../../src/protocols/datagram-protocol.ts';
import { listenUDP } from '../../../src/transports/udp/listen.ts';
import { TestOwner, loopbacks } from '../helpers.ts';

const owner = new TestOwner();
afterEach(() => owner.stopAll());

const TOTAL = 10_000;
// At most this many datagrams in flight: far below what the default socket buffers hold, so a
// loss would be a bug in the port, not the kernel dropping a burst.
const WINDOW = 64;

/** Counts datagrams carrying sequence numbers and checks none is missing or out of order. */
class Sink extends DatagramProtocol {
  received = 0;
  outOfOrder = 0;
  onProgress: (() => void) | undefined;
  override datagramReceived(datagram: Buffer): void {
    if (datagram.readUInt32BE(0) !== this.received) this.outOfOrder += 1;
    this.received += 1;
    this.onProgress?.();
  }
}

describe.each(loopbacks)('a paced run of 10,000 datagrams over $host', ({ host, available }) => {
  it.skipIf(!available)(
    'delivers every datagram, in order, with matching counters',
    async () => {
      const sink = new Sink();
      const server = listenUDP(owner, 0, sink, host);
      const client = listenUDP(owner, 0, new DatagramProtocol(), host);
      const dest: AddressTuple = [host, server.getHost().port];
      let sent = 0;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`stalled: ${sink.received} of ${sent} sent arrived`)),
          15_000,
        );
        const pump = (): void => {
          while (sent < TOTAL && sent - sink.received < WINDOW) {
            // A fresh buffer each time: when the kernel queue is full, dgram keeps a reference
            // to the buffer until the send completes.
            const payload = Buffer.alloc(32);
            payload.writeUInt32BE(sent, 0);
            client.write(payload, dest);
            sent += 1;
          }
          if (sink.received === TOTAL) {
            clearTimeout(timer);
            resolve();
          }
        };
        sink.onProgress = pump;
        pump();
      });
      expect(sink.received).toBe(TOTAL);
      expect(sink.outOfOrder).toBe(0);
      expect(server.stats()).toMatchObject({ datagramsIn: TOTAL, bytesIn: TOTAL * 32, errors: 0, drops: 0 });
      await new Promise<void>((resolve) => setImmediate(resolve));
      expect(client.stats()).toMatchObject({ datagramsOut: TOTAL, bytesOut: TOTAL * 32, errors: 0 });
    },
    20_000,
  );
});
