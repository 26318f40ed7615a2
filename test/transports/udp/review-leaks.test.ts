import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { listenUDP } from '../../../src/transports/udp/listen.ts';
import { UdpPort } from '../../../src/transports/udp/udp-port.ts';
import { Recorder, TestOwner, captureLog } from '../helpers.ts';

const owner = new TestOwner();
afterEach(async () => {
  await owner.stopAll();
});

describe('datagrams() and its AbortSignal', () => {
  it('removes its abort listener when the port stops and the iteration ends', async () => {
    const controller = new AbortController();
    const port = listenUDP(owner, 0, new Recorder(), '127.0.0.1');
    const it = port.datagrams({ signal: controller.signal });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    await port.stopListening();
    expect(await it.next()).toEqual({ value: undefined, done: true });
    // A long-lived signal (one per application) must not collect a listener per ended iterator.
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    controller.abort();
    expect(await it.next()).toEqual({ value: undefined, done: true });
  });

  it('datagrams buffered before the port stopped stay readable after a later abort', async () => {
    const controller = new AbortController();
    const server = new Recorder();
    const port = listenUDP(owner, 0, server, '127.0.0.1');
    const client = listenUDP(owner, 0, new Recorder(), '127.0.0.1');
    const it = port.datagrams({ signal: controller.signal });
    client.write(Buffer.from('x'), ['127.0.0.1', port.getHost().port]);
    await server.received(1);
    await port.stopListening();
    controller.abort();
    const first = await it.next();
    expect(first.done).toBe(false);
    expect(await it.next()).toEqual({ value: undefined, done: true });
  });
});

describe('a UdpPort stopped before it was started', () => {
  it('stops quietly: the protocol, never started, is not stopped either', async () => {
    const log = captureLog();
    try {
      const protocol = new Recorder();
      const port = new UdpPort(owner, 0, protocol, {
        interface: '127.0.0.1',
        maxPacketSize: 8192,
        reusePort: false,
      });
      let closed = 0;
      port.on('close', () => (closed += 1));
      await port.stopListening();
      expect(port.state).toBe('closed');
      expect(protocol.stopped).toBe(0);
      expect(protocol.numPorts).toBe(0);
      expect(log.errors()).toEqual([]);
      expect(closed).toBe(1);
    } finally {
      log.stop();
    }
  });
});
