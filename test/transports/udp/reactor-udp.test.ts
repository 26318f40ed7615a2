import { describe, expect, it } from 'vitest';
import { CannotListenError } from '../../../src/errors.ts';
import { Reactor } from '../../../src/reactor/reactor.ts';
import { UdpPort } from '../../../src/transports/udp/udp-port.ts';
import { Recorder, captureLog, loopbacks } from '../helpers.ts';

// The same port through the real Reactor: Reactor.listenUDP delegates to listenUDP with itself
// as the owner, so its registry (and shutdown) sees every port.

describe.each(loopbacks)('Reactor.listenUDP on $host', ({ host, available }) => {
  it.skipIf(!available)('returns a bound, registered port; works without run()', async () => {
    const reactor = new Reactor();
    const server = new Recorder();
    const port = reactor.listenUDP(0, server, host);
    expect(port).toBeInstanceOf(UdpPort);
    expect(port.getHost().port).toBeGreaterThan(0);
    expect(port.owner).toBe(reactor);
    expect(reactor.getListeningPorts()).toEqual([port]);
    const client = reactor.listenUDP(0, new Recorder(), { interface: host });
    client.write(Buffer.from('hello'), [host, port.getHost().port]);
    await server.received(1);
    expect(server.packets[0][0]).toBe('hello');
    await port.stopListening();
    await client.stopListening();
    expect(reactor.getListeningPorts()).toEqual([]);
  });

  it.skipIf(!available)('throws CannotListenError synchronously for a taken port', async () => {
    const reactor = new Reactor();
    const first = reactor.listenUDP(0, new Recorder(), host);
    expect(() => reactor.listenUDP(first.getHost().port, new Recorder(), host)).toThrow(CannotListenError);
    expect(reactor.getListeningPorts()).toHaveLength(1);
    await first.stopListening();
  });
});

describe('reactor shutdown', () => {
  it('stops every UDP port: stopProtocol runs, the numbers are free, and run() resolves', async () => {
    const log = captureLog();
    try {
      const reactor = new Reactor();
      const a = new Recorder();
      const b = new Recorder();
      const pa = reactor.listenUDP(0, a, '127.0.0.1');
      const pb = reactor.listenUDP(0, b, '127.0.0.1', 512);
      const done = reactor.run({ installSignalHandlers: false });
      reactor.callLater(0, () => reactor.stop());
      await done;
      expect([a.stopped, b.stopped]).toEqual([1, 1]);
      expect([pa.state, pb.state]).toEqual(['closed', 'closed']);
      expect(log.messages()).toContain(`(UDP Port ${pa.getHost().port} Closed)`);
      const again = new Reactor().listenUDP(pa.getHost().port, new Recorder(), '127.0.0.1');
      expect(again.getHost().port).toBe(pa.getHost().port);
      await again.stopListening();
    } finally {
      log.stop();
    }
  });
});
