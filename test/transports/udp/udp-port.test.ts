import { afterEach, describe, expect, it } from 'vitest';
import { InvalidAddressError, MessageLengthError } from '../../../src/errors.ts';
import type { AddressTuple } from '../../../src/interfaces.ts';
import { callWithContext, msg } from '../../../src/log/log.ts';
import { ConnectedDatagramProtocol } from '../../../src/protocols/connected-datagram-protocol.ts';
import { DatagramProtocol } from '../../../src/protocols/datagram-protocol.ts';
import { listenUDP } from '../../../src/transports/udp/listen.ts';
import { MAX_IPV4_DATAGRAM, MAX_IPV6_DATAGRAM } from '../../../src/transports/udp/udp-port.ts';
import type { UdpPort } from '../../../src/transports/udp/udp-port.ts';
import { Recorder, TestOwner, captureLog, loopbacks, turns, until } from '../helpers.ts';

const owner = new TestOwner();
let log: ReturnType<typeof captureLog> | undefined;

afterEach(async () => {
  log?.stop();
  log = undefined;
  await owner.stopAll();
});

function listen(protocol: DatagramProtocol, iface = '127.0.0.1', maxPacketSize?: number): UdpPort {
  return listenUDP(owner, 0, protocol, iface, maxPacketSize);
}

/** A port number nobody listens on (bound, then closed). */
async function closedPort(host: string): Promise<number> {
  const p = listen(new Recorder(), host);
  const n = p.getHost().port;
  await p.stopListening();
  return n;
}

const hostOf = (p: UdpPort): AddressTuple => [p.getHost().host, p.getHost().port];

describe.each(loopbacks)('UdpPort over $host', ({ host, available }) => {
  it.skipIf(!available)(
    'getHost() is a UDP address of the port (Twisted test_oldAddress, test_getHost)',
    () => {
      const port = listen(new Recorder(), host);
      const addr = port.getHost();
      expect(addr.type).toBe('UDP');
      expect(addr.host).toBe(host);
      expect(port.getHost()).toBe(addr);
    },
  );

  it.skipIf(!available)('datagrams go both ways between two ports (Twisted test_sendPackets)', async () => {
    const server = new Recorder();
    const client = new Recorder();
    const sPort = listen(server, host);
    const cPort = listen(client, host);
    server.transport.write(Buffer.from('hello'), hostOf(cPort));
    cPort.connect(host, sPort.getHost().port);
    client.transport.write(Buffer.from('a'));
    await server.received(1);
    client.transport.write(Buffer.from('b'), undefined);
    await server.received(2);
    client.transport.write(Buffer.from('c'), hostOf(sPort));
    await server.received(3);
    await client.received(1);
    expect(client.packets).toEqual([['hello', hostOf(sPort)]]);
    expect(server.packets).toEqual([
      ['a', hostOf(cPort)],
      ['b', hostOf(cPort)],
      ['c', hostOf(cPort)],
    ]);
  });

  it.skipIf(!available)('accepts any Uint8Array, and delivers Buffers', async () => {
    const server = new Recorder();
    const sPort = listen(server, host);
    const cPort = listen(new Recorder(), host);
    cPort.write(new Uint8Array([104, 105]), hostOf(sPort));
    await server.received(1);
    expect(server.raw[0]).toBeInstanceOf(Buffer);
    expect(server.packets[0][0]).toBe('hi');
  });

  it.skipIf(!available)(
    'writeSequence sends the pieces as one datagram (Twisted test_writeSequence)',
    async () => {
      const server = new Recorder();
      const sPort = listen(server, host);
      const cPort = listen(new Recorder(), host);
      cPort.writeSequence(
        [Buffer.from('some'), Buffer.from('bytes'), new Uint8Array([116, 111]), Buffer.from('write')],
        hostOf(sPort),
      );
      await server.received(1);
      expect(server.packets).toEqual([['somebytestowrite', hostOf(cPort)]]);
      cPort.connect(host, sPort.getHost().port);
      cPort.writeSequence([Buffer.from('con'), Buffer.from('nected')]);
      await server.received(2);
      expect(server.packets[1][0]).toBe('connected');
    },
  );

  it.skipIf(!available)('cuts datagrams longer than maxPacketSize, as Twisted does', async () => {
    const server = new Recorder();
    const sPort = listen(server, host, 10);
    const cPort = listen(new Recorder(), host);
    cPort.write(Buffer.from('0123456789abcdef'), hostOf(sPort));
    cPort.write(Buffer.from('short'), hostOf(sPort));
    await server.received(2);
    expect(server.packets.map((p) => p[0])).toEqual(['0123456789', 'short']);
    expect(sPort.stats().bytesIn).toBe(21);
  });

  it.skipIf(!available)(
    'sends and receives the largest datagram the family allows, and refuses one byte more',
    async () => {
      const max = host === '::1' ? MAX_IPV6_DATAGRAM : MAX_IPV4_DATAGRAM;
      const server = new Recorder();
      const sPort = listen(server, host, 70000);
      const cPort = listen(new Recorder(), host);
      expect(() => cPort.write(Buffer.alloc(max + 1), hostOf(sPort))).toThrow(MessageLengthError);
      expect(() => cPort.write(Buffer.alloc(max + 1), hostOf(sPort))).toThrow(
        new RegExp(`at most ${max} bytes`),
      );
      expect(() => cPort.writeSequence([Buffer.alloc(max), Buffer.alloc(1)], hostOf(sPort))).toThrow(
        MessageLengthError,
      );
      cPort.write(Buffer.alloc(max, 7), hostOf(sPort));
      await server.received(1);
      expect(server.raw[0].length).toBe(max);
      expect(cPort.stats().errors).toBe(0);
    },
  );

  it.skipIf(!available)('refuses host names in write() and connect() with InvalidAddressError', () => {
    const port = listen(new Recorder(), host);
    expect(() => port.write(Buffer.from('spam'), ['example.invalid', 1])).toThrow(InvalidAddressError);
    expect(() => port.write(Buffer.from('spam'), ['localhost', 1])).toThrow(
      /only accepts IP addresses, not host names/,
    );
    expect(() => port.connect('example.invalid', 1)).toThrow(InvalidAddressError);
    expect(port.state).toBe('bound');
  });

  it.skipIf(!available)(
    'refuses an address of the other family (Twisted test_writingToIPv6OnIPv4 / IPv4OnIPv6)',
    () => {
      const port = listen(new Recorder(), host);
      const other = host === '::1' ? '127.0.0.1' : '::1';
      const e = (() => {
        try {
          port.write(Buffer.from('spam'), [other, 1]);
        } catch (err) {
          return err;
        }
      })();
      expect(e).toBeInstanceOf(InvalidAddressError);
      expect((e as InvalidAddressError).address).toBe(other);
      expect((e as Error).message).toMatch(
        host === '::1' ? /IPv6 port write\(\) called with IPv4/ : /IPv4 port write\(\) called with IPv6/,
      );
      expect(() => port.connect(other, 1)).toThrow(InvalidAddressError);
    },
  );

  it.skipIf(!available)('checks the destination port and the datagram type', () => {
    const port = listen(new Recorder(), host);
    const data = Buffer.from('x');
    expect(() => port.write(data, [host, 0])).toThrow(RangeError);
    expect(() => port.write(data, [host, 65536])).toThrow(/"addr\[1\]" is out of range/);
    expect(() => port.write(data, [host, '53' as never])).toThrow(
      /"addr\[1\]" argument must be of type number/,
    );
    expect(() => port.write(data, [host, 1.5])).toThrow(RangeError);
    expect(() => port.write(data)).toThrow(
      /"addr" argument must be a \[host, port\] tuple \(this port is not connected\)/,
    );
    expect(() => port.write('text' as never, [host, 9])).toThrow(
      /"datagram" argument must be an instance of Buffer or Uint8Array/,
    );
    expect(() => port.writeSequence([data, 'x' as never], [host, 9])).toThrow(/"datagrams\[1\]"/);
    expect(() => port.writeSequence(data as never, [host, 9])).toThrow(TypeError);
    expect(() => port.connect(host, 0)).toThrow(RangeError);
  });

  it.skipIf(!available)('connect() twice throws, as Twisted (test_badConnect)', () => {
    const port = listen(new Recorder(), host);
    port.connect(host, 80);
    expect(port.state).toBe('connected');
    expect(() => port.connect(host, 80)).toThrow(/already connected to .*reconnecting is not supported/);
    expect(() => port.connect(host, 81)).toThrow(
      expect.objectContaining({ code: 'ERR_SOCKET_DGRAM_IS_CONNECTED' }),
    );
  });

  it.skipIf(!available)(
    'a connected port refuses a write to another address, accepts the connected one',
    async () => {
      const server = new Recorder();
      const sPort = listen(server, host);
      const cPort = listen(new Recorder(), host);
      cPort.connect(host, sPort.getHost().port);
      expect(() => cPort.write(Buffer.from('x'), [host, sPort.getHost().port + 1])).toThrow(
        /This port is connected to/,
      );
      expect(() =>
        cPort.write(Buffer.from('x'), [host === '::1' ? '::2' : '127.0.0.2', sPort.getHost().port]),
      ).toThrow(TypeError);
      cPort.write(Buffer.from('ok'), [host, sPort.getHost().port]);
      await server.received(1);
      expect(server.packets[0][0]).toBe('ok');
    },
  );

  it.skipIf(!available)('a connected port only delivers its peer’s datagrams', async () => {
    const client = new Recorder();
    const cPort = listen(client, host);
    const peer = listen(new Recorder(), host);
    const stranger = listen(new Recorder(), host);
    // Sent before connect(): on loopback it is already queued at cPort when connect() runs, so
    // the kernel's filter does not catch it; the port's own check must.
    stranger.write(Buffer.from('from stranger'), hostOf(cPort));
    cPort.connect(host, peer.getHost().port);
    stranger.write(Buffer.from('from stranger after connect'), hostOf(cPort));
    peer.write(Buffer.from('from peer'), hostOf(cPort));
    await client.received(1);
    // Send a second from the peer; the stranger's (sent before it) must never have come.
    peer.write(Buffer.from('again'), hostOf(cPort));
    await client.received(2);
    expect(client.packets.map((p) => p[0])).toEqual(['from peer', 'again']);
    expect(client.packets.every((p) => p[1][1] === peer.getHost().port)).toBe(true);
  });

  it.skipIf(!available)(
    'ICMP port-unreachable on a connected port calls connectionRefused() and the port goes on (Twisted test_connectionRefused; better than #5377)',
    async () => {
      const client = new Recorder();
      const cPort = listen(client, host);
      const dead = await closedPort(host);
      cPort.connect(host, dead);
      for (let i = 0; i < 10; i++) cPort.write(Buffer.from(String(i)));
      await until(() => client.refused > 0, 'connectionRefused');
      expect(cPort.state).toBe('connected');
      expect(cPort.stats().errors).toBe(0);
      // The port goes on: once someone listens there, the same connected port talks to it.
      const late = new Recorder();
      const latePort = listenUDP(owner, dead, late, host);
      cPort.write(Buffer.from('still here'));
      await late.received(1);
      expect(late.packets[0]).toEqual(['still here', hostOf(cPort)]);
      latePort.write(Buffer.from('answer'), hostOf(cPort));
      await client.received(1);
      expect(client.packets[0][0]).toBe('answer');
    },
  );

  it.skipIf(!available)('a refusal on an unconnected port is ignored', async () => {
    log = captureLog();
    const client = new Recorder();
    const cPort = listen(client, host);
    const dead = await closedPort(host);
    for (let i = 0; i < 10; i++) cPort.write(Buffer.from(String(i)), [host, dead]);
    // A round trip through a live port proves the earlier sends were processed.
    const echo = new Recorder();
    const ePort = listen(echo, host);
    cPort.write(Buffer.from('probe'), hostOf(ePort));
    await echo.received(1);
    await turns(2);
    expect(client.refused).toBe(0);
    expect(log.errors()).toEqual([]);
    expect(cPort.stats().errors).toBe(0);
    expect(cPort.state).toBe('bound');
  });

  it.skipIf(!available)(
    'logs an exception from datagramReceived with the protocol’s logPrefix and keeps reading (Twisted test_datagramReceivedError)',
    async () => {
      log = captureLog();
      class BadClientError extends Error {}
      class BadClient extends Recorder {
        override datagramReceived(datagram: Buffer, addr: AddressTuple): void {
          super.datagramReceived(datagram, addr);
          throw new BadClientError('Application code is very buggy!');
        }
      }
      const bad = new BadClient();
      const port = listen(bad, host);
      const sender = listen(new Recorder(), host);
      sender.write(Buffer.from('1'), hostOf(port));
      sender.write(Buffer.from('2'), hostOf(port));
      await bad.received(2);
      const errors = log.errors();
      expect(errors).toHaveLength(2);
      expect(errors[0].failure!.value).toBeInstanceOf(BadClientError);
      expect(errors[0].system).toBe('BadClient');
      expect(errors[0].why).toMatch(/datagramReceived/);
      expect(port.state).toBe('bound');
      sender.write(Buffer.from('3'), hostOf(port));
      await bad.received(3);
    },
  );

  it.skipIf(!available)(
    'runs datagramReceived in the port’s log context "<prefix> (UDP)" (Twisted test_logPrefix)',
    async () => {
      log = captureLog();
      class Custom extends Recorder {
        override logPrefix(): string {
          return 'Custom Datagrams';
        }
        override datagramReceived(datagram: Buffer, addr: AddressTuple): void {
          msg('inside');
          super.datagramReceived(datagram, addr);
        }
      }
      const protocol = new Custom();
      const port = listen(protocol, host);
      expect(port.logPrefix()).toBe('Custom Datagrams (UDP)');
      port.write(Buffer.from('some bytes'), hostOf(port));
      await protocol.received(1);
      const inside = log.events.find((e) => e.message[0] === 'inside');
      expect(inside!.system).toBe('Custom Datagrams (UDP)');
      // …and restores the caller's context afterwards.
      callWithContext({ system: 'outer' }, () => msg('after'));
      expect(log.events.find((e) => e.message[0] === 'after')!.system).toBe('outer');
    },
  );

  it.skipIf(!available)(
    'toString() names the protocol and the port (Twisted test_str / test_repr)',
    async () => {
      const port = listen(new Recorder(), host);
      const n = port.getHost().port;
      expect(String(port)).toContain(String(n));
      expect(String(port)).toBe(host === '::1' ? `<Recorder on [::1]:${n}>` : `<Recorder on 127.0.0.1:${n}>`);
      await port.stopListening();
      expect(String(port)).toBe('<Recorder not listening>');
    },
  );
});

describe('broadcast (stays on loopback: 127.255.255.255 is lo’s broadcast address)', () => {
  it('setBroadcastAllowed / getBroadcastAllowed (Twisted test_allowBroadcast)', () => {
    const port = listen(new Recorder(), '');
    expect(port.getBroadcastAllowed()).toBe(false);
    port.setBroadcastAllowed(true);
    expect(port.getBroadcastAllowed()).toBe(true);
    port.setBroadcastAllowed(false);
    expect(port.getBroadcastAllowed()).toBe(false);
    expect(() => port.setBroadcastAllowed(1 as never)).toThrow(/"enabled" argument must be of type boolean/);
  });

  it.runIf(process.platform === 'linux')(
    'without permission the OS refuses (EACCES): logged with the destination, counted, emitted, no crash; with it the datagram arrives',
    async () => {
      log = captureLog();
      const receiver = new Recorder();
      const rPort = listen(receiver, '');
      const sender = new Recorder();
      const sPort = listen(sender, '');
      const emitted: Error[] = [];
      sPort.on('error', (e) => emitted.push(e));
      const dest: AddressTuple = ['127.255.255.255', rPort.getHost().port];
      sPort.write(Buffer.from('no permission'), dest);
      await until(() => sPort.stats().errors === 1, 'the EACCES report');
      const [event] = log.errors();
      expect((event.failure!.value as NodeJS.ErrnoException).code).toBe('EACCES');
      expect(event.why).toContain(`127.255.255.255:${rPort.getHost().port}`);
      expect(event.why).toMatch(/setBroadcastAllowed\(true\)/);
      expect(event.system).toBe('Recorder');
      expect(emitted).toHaveLength(1);
      expect(sPort.state).toBe('bound');
      sPort.setBroadcastAllowed(true);
      sPort.write(Buffer.from('broadcast'), dest);
      await receiver.received(1);
      expect(receiver.packets[0][0]).toBe('broadcast');
    },
  );

  it.skipIf(!loopbacks[1].available)("'<broadcast>' is an IPv4 address: an IPv6 port refuses it", () => {
    const port = listen(new Recorder(), '::1');
    expect(() => port.write(Buffer.from('x'), ['<broadcast>', 9])).toThrow(InvalidAddressError);
  });
});

describe('stopping', () => {
  it('startProtocol and stopProtocol run when the port starts and stops (Twisted test_startStop)', async () => {
    const protocol = new Recorder();
    const port = listen(protocol);
    expect([protocol.started, protocol.stopped]).toEqual([1, 0]);
    await port.stopListening();
    expect([protocol.started, protocol.stopped]).toEqual([1, 1]);
    expect(protocol.numPorts).toBe(0);
    expect(protocol.transport).toBeUndefined();
  });

  it('the Deferred fires on a later turn, after the close and stopProtocol; again → the same stop', async () => {
    const order: string[] = [];
    class P extends Recorder {
      override stopProtocol(): void {
        order.push('stopProtocol');
      }
    }
    const port = listen(new P());
    port.on('close', () => order.push('close event'));
    const d1 = port.stopListening();
    expect(d1.called).toBe(false);
    expect(port.state).toBe('closing');
    const d2 = port.stopListening();
    expect(d2.called).toBe(false);
    d1.addCallback(() => void order.push('d1'));
    d2.addCallback(() => void order.push('d2'));
    await d2;
    expect(order).toEqual(['stopProtocol', 'close event', 'd1', 'd2']);
    const d3 = port.stopListening();
    expect(d3.called).toBe(true);
    expect(port.state).toBe('closed');
  });

  it('the port number can be bound again as soon as stopListening returns', () => {
    const port = listen(new Recorder());
    const n = port.getHost().port;
    port.stopListening();
    const again = listenUDP(owner, n, new Recorder(), '127.0.0.1');
    expect(again.getHost().port).toBe(n);
  });

  it('loseConnection() is the same stop', async () => {
    const protocol = new Recorder();
    const port = listen(protocol);
    port.loseConnection();
    expect(port.state).toBe('closing');
    await port.stopListening();
    expect(protocol.stopped).toBe(1);
  });

  it('unregisters from its owner', async () => {
    const port = listen(new Recorder());
    expect(owner.ports.has(port)).toBe(true);
    await port.stopListening();
    expect(owner.ports.has(port)).toBe(false);
    expect(owner.unregistered).toContain(port);
  });

  it('works from inside startProtocol, and stopProtocol is not re-entrant (Twisted test_stopProtocolScheduling)', async () => {
    class Disconnecting extends DatagramProtocol {
      inStart = false;
      stoppedInStart: boolean | undefined;
      stopped = false;
      d: ReturnType<UdpPort['stopListening']> | undefined;
      override startProtocol(): void {
        this.inStart = true;
        this.d = this.transport.stopListening();
        this.inStart = false;
      }
      override stopProtocol(): void {
        this.stopped = true;
        this.stoppedInStart = this.inStart;
      }
    }
    const protocol = new Disconnecting();
    const port = listen(protocol);
    expect(port.state).toBe('closing');
    expect(owner.ports.has(port)).toBe(false);
    await protocol.d;
    expect(protocol.stopped).toBe(true);
    expect(protocol.stoppedInStart).toBe(false);
    expect(protocol.numPorts).toBe(0);
  });

  it('works from inside datagramReceived; nothing more is delivered (Twisted testShutdownFromDatagramReceived)', async () => {
    class StopOnFirst extends Recorder {
      stopped$: ReturnType<UdpPort['stopListening']> | undefined;
      override datagramReceived(datagram: Buffer, addr: AddressTuple): void {
        super.datagramReceived(datagram, addr);
        this.stopped$ ??= this.transport.stopListening();
      }
    }
    const protocol = new StopOnFirst();
    const port = listen(protocol);
    const sender = listen(new Recorder());
    for (let i = 0; i < 20; i++) sender.write(Buffer.alloc(64), hostOf(port));
    await protocol.received(1);
    await protocol.stopped$;
    await turns(3);
    expect(protocol.packets).toHaveLength(1);
    expect(protocol.stopped).toBe(1);
  });

  it('write, connect and setBroadcastAllowed after the stop throw a clear error', async () => {
    const port = listen(new Recorder());
    await port.stopListening();
    expect(() => port.write(Buffer.from('x'), ['127.0.0.1', 9])).toThrow(/not listening/);
    expect(() => port.connect('127.0.0.1', 9)).toThrow(
      expect.objectContaining({ code: 'ERR_SOCKET_DGRAM_NOT_RUNNING' }),
    );
    expect(() => port.setBroadcastAllowed(true)).toThrow(/not listening/);
    expect(port.stats().sendQueueSize).toBe(0);
  });

  it('await using stops the port at the end of the scope', async () => {
    const protocol = new Recorder();
    let n = 0;
    {
      await using port = listen(protocol);
      n = port.getHost().port;
    }
    expect(protocol.stopped).toBe(1);
    expect(listenUDP(owner, n, new Recorder(), '127.0.0.1').getHost().port).toBe(n);
  });

  it('an exception from stopProtocol is logged; the stop completes', async () => {
    log = captureLog();
    class BadStop extends Recorder {
      override stopProtocol(): void {
        throw new Error('stop failed');
      }
    }
    const port = listen(new BadStop());
    await port.stopListening();
    expect(port.state).toBe('closed');
    expect(log.errors().map((e) => e.failure!.getErrorMessage())).toEqual(['stop failed']);
  });
});

describe('events, stats and datagrams()', () => {
  it("emits 'listening' on the next turn and 'close' when stopped", async () => {
    const port = listen(new Recorder());
    const events: string[] = [];
    port.on('listening', () => events.push('listening'));
    port.on('close', () => events.push('close'));
    expect(events).toEqual([]);
    await turns(1);
    expect(events).toEqual(['listening']);
    await port.stopListening();
    expect(events).toEqual(['listening', 'close']);
  });

  it('counts datagrams and bytes both ways', async () => {
    const server = new Recorder();
    const sPort = listen(server);
    const cPort = listen(new Recorder());
    for (let i = 0; i < 5; i++) cPort.write(Buffer.alloc(100), hostOf(sPort));
    await server.received(5);
    await until(() => cPort.stats().datagramsOut === 5, 'send completions');
    expect(cPort.stats()).toMatchObject({ datagramsOut: 5, bytesOut: 500, errors: 0, drops: 0 });
    expect(sPort.stats()).toMatchObject({ datagramsIn: 5, bytesIn: 500, datagramsOut: 0 });
    expect(typeof cPort.stats().sendQueueSize).toBe('number');
  });

  it('datagrams() yields [datagram, addr] alongside the protocol, and ends when the port stops', async () => {
    const server = new Recorder();
    const sPort = listen(server);
    const cPort = listen(new Recorder());
    const seen: [string, AddressTuple][] = [];
    const loop = (async () => {
      for await (const [data, addr] of sPort.datagrams()) seen.push([data.toString(), addr]);
    })();
    cPort.write(Buffer.from('one'), hostOf(sPort));
    cPort.write(Buffer.from('two'), hostOf(sPort));
    await server.received(2);
    await sPort.stopListening();
    await loop;
    expect(seen).toEqual([
      ['one', hostOf(cPort)],
      ['two', hostOf(cPort)],
    ]);
  });

  it('a full datagrams() buffer drops the oldest and counts the drops', async () => {
    const server = new Recorder();
    const sPort = listen(server);
    const cPort = listen(new Recorder());
    const it = sPort.datagrams({ highWaterMark: 3 });
    for (let i = 0; i < 8; i++) cPort.write(Buffer.from(String(i)), hostOf(sPort));
    await server.received(8);
    expect(sPort.stats().drops).toBe(5);
    const kept: string[] = [];
    for (let i = 0; i < 3; i++) kept.push((await it.next()).value![0].toString());
    expect(kept).toEqual(['5', '6', '7']);
    await it.return!();
    cPort.write(Buffer.from('later'), hostOf(sPort));
    await server.received(9);
    expect(sPort.stats().drops).toBe(5);
  });

  it('aborting the signal ends datagrams() with an AbortError', async () => {
    const sPort = listen(new Recorder());
    const controller = new AbortController();
    const pending = (async () => {
      for await (const _ of sPort.datagrams({ signal: controller.signal })) {
        // nothing arrives
      }
    })();
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(() => sPort.datagrams({ highWaterMark: 0 })).toThrow(RangeError);
  });
});

describe('ConnectedDatagramProtocol', () => {
  it('connects in startProtocol, writes without an address, hears refusals', async () => {
    const dead = await closedPort('127.0.0.1');
    class Pinger extends ConnectedDatagramProtocol {
      refusals = 0;
      override startProtocol(): void {
        this.transport.connect('127.0.0.1', dead);
        this.transport.write(Buffer.from('ping'));
      }
      override connectionRefused(): void {
        this.refusals += 1;
        if (this.refusals === 1) this.transport.write(Buffer.from('ping'));
      }
    }
    const protocol = new Pinger();
    const port = listen(protocol);
    port.write(Buffer.from('ping'));
    await until(() => protocol.refusals > 0, 'a refusal');
    expect(port.state).toBe('connected');
  });
});

describe('typed transports', () => {
  it('a DatagramProtocol<UdpPort> sees the port’s own methods on this.transport', async () => {
    class Counting extends DatagramProtocol<UdpPort> {
      seen: number[] = [];
      override datagramReceived(): void {
        this.seen.push(this.transport.stats().datagramsIn);
      }
    }
    const protocol = new Counting();
    const port = listen(protocol);
    port.write(Buffer.from('a'), hostOf(port));
    port.write(Buffer.from('b'), hostOf(port));
    await until(() => protocol.seen.length === 2, 'two datagrams');
    expect(protocol.seen).toEqual([1, 2]);
  });
});

describe('listeners that throw', () => {
  it("a throwing 'close' listener is logged and the stop still completes", async () => {
    log = captureLog();
    const port = listen(new Recorder());
    port.on('close', () => {
      throw new Error('listener bug');
    });
    await port.stopListening();
    expect(port.state).toBe('closed');
    expect(log.errors().map((e) => e.failure!.getErrorMessage())).toEqual(['listener bug']);
  });
});
