/**
 * No leak: thousands of refused calls — bad ports, EADDRINUSE bind failures, bad writes, refused
 * joins, a throwing startProtocol — leave the process with exactly the file descriptors and
 * active handles it had before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatagramProtocol } from '../../src/protocols/datagram-protocol.ts';
import { listenMulticast } from '../../src/transports/udp/listen-multicast.ts';
import { listenUDP } from '../../src/transports/udp/listen.ts';
import type { UdpPort } from '../../src/transports/udp/udp-port.ts';
import { LiteralOwner, captureLog, fdCount, handleCounts, turns } from './helpers.ts';

const ROUNDS = 2000;
const owner = new LiteralOwner();
let log: ReturnType<typeof captureLog>;
beforeAll(() => {
  log = captureLog();
});
afterAll(() => log.stop());

/** Runs `fn` ROUNDS times, each expected to throw; returns how many threw. */
function refuse(fn: (i: number) => void): number {
  let thrown = 0;
  for (let i = 0; i < ROUNDS; i++) {
    try {
      fn(i);
    } catch {
      thrown += 1;
    }
  }
  return thrown;
}

class Throws extends DatagramProtocol {
  override startProtocol(): void {
    throw new Error('startProtocol failed');
  }
}

describe('after thousands of refused calls', () => {
  it('the process holds the same file descriptors and handles as before', async () => {
    const held: UdpPort = listenUDP(owner, 0, new DatagramProtocol(), '127.0.0.1');
    const taken = held.getHost().port;
    const shared = listenMulticast(owner, 0, new DatagramProtocol(), { listenMultiple: true });
    await turns(3);
    const fdsBefore = fdCount();
    const handlesBefore = handleCounts();

    const bad = [-1, 65536, NaN, '80', 1.5, null];
    const counts = {
      badPorts: refuse((i) => listenUDP(owner, bad[i % bad.length] as number, new DatagramProtocol())),
      inUse: refuse(() => listenUDP(owner, taken, new DatagramProtocol(), '127.0.0.1')),
      // A plain socket onto a shared (listenMultiple) port: EADDRINUSE after the socket was made.
      plainOntoShared: refuse(() => listenMulticast(owner, shared.getHost().port, new DatagramProtocol())),
      notOurs: refuse(() => listenUDP(owner, 0, new DatagramProtocol(), '192.0.2.1')),
      startFails: refuse(() => listenUDP(owner, 0, new Throws(), '127.0.0.1')),
      badWrites: refuse((i) =>
        i % 2 === 0
          ? held.write(Buffer.alloc(65508), ['127.0.0.1', taken])
          : held.write(Buffer.from('x'), ['localhost', taken]),
      ),
      badConnects: refuse(() => held.connect('example.com', 1)),
    };
    let refusedJoins = 0;
    for (let i = 0; i < ROUNDS; i++) {
      // Not a group: errbacks with MulticastJoinError, which is consumed here.
      shared.joinGroup('127.0.0.1', '127.0.0.1').addErrback(() => {
        refusedJoins += 1;
      });
    }
    for (const [what, n] of Object.entries(counts)) expect(n, what).toBe(ROUNDS);
    expect(refusedJoins).toBe(ROUNDS);

    await turns(5); // closes and nextTicks of the refused sockets complete
    expect(fdCount()).toBe(fdsBefore);
    // Sockets exactly as before; no other kind of handle more numerous (the runner's own timers
    // may come and go, so those may only be fewer).
    const handlesAfter = handleCounts();
    expect(handlesAfter.UDPWrap).toBe(handlesBefore.UDPWrap);
    for (const [type, n] of Object.entries(handlesAfter))
      expect(n, type).toBeLessThanOrEqual(handlesBefore[type] ?? 0);
    // Every refused port is gone from the owner's registry too.
    expect(owner.ports.size).toBe(2);
    await owner.stopAll();
  });
});
