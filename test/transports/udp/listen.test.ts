import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { AlreadyListeningError, CannotListenError, InvalidAddressError } from '../../../src/errors.ts';
import type { ListenUDPOptions } from '../../../src/interfaces.ts';
import { DatagramProtocol } from '../../../src/protocols/datagram-protocol.ts';
import { IPv4Address, IPv6Address } from '../../../src/transports/address.ts';
import { listenUDP } from '../../../src/transports/udp/listen.ts';
import type { UdpPort } from '../../../src/transports/udp/udp-port.ts';
import { Recorder, TestOwner, captureLog, loopbacks, turns } from '../helpers.ts';

const owner = new TestOwner();
let log: ReturnType<typeof captureLog> | undefined;

afterEach(async () => {
  log?.stop();
  log = undefined;
  await owner.stopAll();
});

function listen(
  port: number,
  protocol: DatagramProtocol,
  iface?: string | ListenUDPOptions,
  max?: number,
): UdpPort {
  return listenUDP(owner, port, protocol, iface, max);
}

describe('listenUDP argument validation (before anything is created)', () => {
  it.each([
    ['a string', '80', TypeError, /"port" argument must be of type number/],
    ['NaN', NaN, RangeError, /"port".*integer/],
    ['-1', -1, RangeError, /"port" is out of range/],
    ['65536', 65536, RangeError, /"port" is out of range/],
    ['a fraction', 80.5, RangeError, /"port".*integer/],
    ['undefined', undefined, TypeError, /"port"/],
  ])('refuses a port that is %s', (_what, port, type, message) => {
    const protocol = new Recorder();
    const call = () => listenUDP(owner, port as number, protocol, '127.0.0.1');
    expect(call).toThrow(type);
    expect(call).toThrow(message);
    expect(protocol.transport).toBeUndefined();
    expect(owner.ports.size).toBe(0);
  });

  it.each([
    ['null', null],
    ['a plain object', {}],
    ['a function', () => undefined],
    ['a string', 'DatagramProtocol'],
  ])('refuses a protocol that is %s with a TypeError', (_what, protocol) => {
    expect(() => listenUDP(owner, 0, protocol as never, '127.0.0.1')).toThrow(TypeError);
    expect(() => listenUDP(owner, 0, protocol as never, '127.0.0.1')).toThrow(
      /"protocol" argument must be a datagram protocol/,
    );
  });

  it('refuses a host name as interface with InvalidAddressError (no DNS, as in Twisted)', () => {
    const protocol = new Recorder();
    expect(() => listenUDP(owner, 0, protocol, 'localhost')).toThrow(InvalidAddressError);
    expect(() => listenUDP(owner, 0, protocol, { interface: 'example.com' })).toThrow(InvalidAddressError);
    expect(() => listenUDP(owner, 0, protocol, 'example.com')).toThrow(/host names are not resolved/);
    expect(protocol.started).toBe(0);
  });

  it('refuses a non-string interface and bad options with errors naming them', () => {
    const p = new Recorder();
    expect(() => listenUDP(owner, 0, p, { interface: 127 as never })).toThrow(
      /"options.interface" argument must be of type string/,
    );
    expect(() => listenUDP(owner, 0, p, { maxPacketSize: 0 })).toThrow(RangeError);
    expect(() => listenUDP(owner, 0, p, { maxPacketSize: 1.5 })).toThrow(/"options.maxPacketSize"/);
    expect(() => listenUDP(owner, 0, p, { maxPacketSize: '8192' as never })).toThrow(TypeError);
    expect(() => listenUDP(owner, 0, p, { reusePort: 'yes' as never })).toThrow(
      /"options.reusePort" argument must be of type boolean/,
    );
    expect(() => listenUDP(owner, 0, p, { signal: {} as never })).toThrow(
      /"options.signal" argument must be an instance of AbortSignal/,
    );
    expect(() => listenUDP(owner, 0, p, { listenMultiple: true } as never)).toThrow(
      /"listenMultiple" is not one of them/,
    );
    expect(() => listenUDP(owner, 0, p, null as never)).toThrow(/"options" argument must be of type object/);
    expect(() => listenUDP(owner, 0, p, '127.0.0.1', 0)).toThrow(/"maxPacketSize" is out of range/);
    expect(() => listenUDP(owner, 0, p, '127.0.0.1', '1' as never)).toThrow(TypeError);
    expect(p.started).toBe(0);
    expect(owner.ports.size).toBe(0);
  });
});

describe.each(loopbacks)('synchronous bind on $host (DESIGN.md decision 2)', ({ host, available }) => {
  it.skipIf(!available)('is bound, started and reading when listenUDP returns', async () => {
    const protocol = new Recorder();
    const port = listen(0, protocol, host);
    // All of this holds before any turn of the event loop.
    const addr = port.getHost();
    expect(addr.port).toBeGreaterThan(0);
    expect(addr.host).toBe(host);
    expect(addr).toBeInstanceOf(host === '::1' ? IPv6Address : IPv4Address);
    expect(port.state).toBe('bound');
    expect(protocol.started).toBe(1);
    expect(protocol.numPorts).toBe(1);
    expect(protocol.transport).toBe(port);
    expect(owner.ports.has(port)).toBe(true);
    // The port really is bound: a raw socket cannot take it.
    const raw = dgram.createSocket(host === '::1' ? 'udp6' : 'udp4');
    const rawError = await new Promise<NodeJS.ErrnoException>((resolve) => {
      raw.once('error', resolve);
      raw.bind(addr.port, host);
    });
    raw.close();
    expect(rawError.code).toBe('EADDRINUSE');
  });

  it.skipIf(!available)(
    'throws EADDRINUSE as CannotListenError synchronously, and leaks no socket',
    async () => {
      const first = listen(0, new Recorder(), host);
      const taken = first.getHost().port;
      const second = new Recorder();
      let thrown: unknown;
      try {
        listen(taken, second, host);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(CannotListenError);
      const e = thrown as CannotListenError;
      expect(e.code).toBe('ERR_CANNOT_LISTEN');
      expect(e.interface).toBe(host);
      expect(e.port).toBe(taken);
      expect(e.socketError.code).toBe('EADDRINUSE');
      expect(e.syscall).toBe('bind');
      expect(typeof e.errno).toBe('number');
      expect(e.message).toContain(`${host}:${taken}`);
      expect(e.message).toMatch(/EADDRINUSE.*did not allow sharing/);
      expect(second.transport).toBeUndefined();
      expect(second.started).toBe(0);
      expect(owner.ports.size).toBe(1);
      // The failed socket was closed: once the first port stops, the number is free at once.
      await first.stopListening();
      const third = listen(taken, new Recorder(), host);
      expect(third.getHost().port).toBe(taken);
    },
  );

  it.skipIf(!available)('gives the asked port when a specific one is free', async () => {
    const probe = listen(0, new Recorder(), host);
    const free = probe.getHost().port;
    await probe.stopListening();
    const port = listen(free, new Recorder(), host);
    expect(port.getHost().equals(new (host === '::1' ? IPv6Address : IPv4Address)('UDP', host, free))).toBe(
      true,
    );
  });
});

describe('address family follows the interface', () => {
  it("'' binds all IPv4 interfaces", () => {
    const port = listen(0, new Recorder(), '');
    expect(port.socketType).toBe('udp4');
    expect(port.getHost()).toBeInstanceOf(IPv4Address);
    expect(port.getHost().host).toBe('0.0.0.0');
  });

  it('no interface argument is the same as the empty string', () => {
    const port = listen(0, new Recorder());
    expect(port.getHost().host).toBe('0.0.0.0');
    expect(port.interface).toBe('');
  });

  it.skipIf(!loopbacks[1].available)("'::' makes an IPv6 port", () => {
    const port = listen(0, new Recorder(), { interface: '::' });
    expect(port.socketType).toBe('udp6');
    expect(port.getHost()).toBeInstanceOf(IPv6Address);
    expect(port.getHost().host).toBe('::');
  });
});

describe('a protocol serves one port at a time', () => {
  it('listening it on a second port throws AlreadyListeningError and binds nothing', () => {
    const protocol = new Recorder();
    const port = listen(0, protocol, '127.0.0.1');
    const before = owner.ports.size;
    expect(() => listen(0, protocol, '127.0.0.1')).toThrow(AlreadyListeningError);
    expect(() => listen(0, protocol, '127.0.0.1')).toThrow(
      /already listening on <Recorder on 127\.0\.0\.1:\d+>/,
    );
    expect(owner.ports.size).toBe(before);
    expect(protocol.transport).toBe(port);
    expect(protocol.numPorts).toBe(1);
    expect(protocol.started).toBe(1);
  });

  it('after its port stopped it can listen again, and startProtocol runs again (Twisted test_rebind)', async () => {
    const protocol = new Recorder();
    const first = listen(0, protocol, '127.0.0.1');
    await first.stopListening();
    expect(protocol.stopped).toBe(1);
    expect(protocol.transport).toBeUndefined();
    const second = listen(0, protocol, '127.0.0.1');
    expect(protocol.started).toBe(2);
    expect(protocol.transport).toBe(second);
    await second.stopListening();
    expect(protocol.stopped).toBe(2);
  });

  it('a throwing startProtocol makes listenUDP throw that error and leaves nothing bound', async () => {
    const boom = new Error('startProtocol failed');
    class Failing extends DatagramProtocol {
      override startProtocol(): void {
        throw boom;
      }
    }
    const probe = listen(0, new Recorder(), '127.0.0.1');
    const number = probe.getHost().port;
    await probe.stopListening();
    const protocol = new Failing();
    expect(() => listen(number, protocol, '127.0.0.1')).toThrow(boom);
    expect(protocol.transport).toBeUndefined();
    expect(protocol.numPorts).toBe(0);
    expect(owner.ports.size).toBe(0);
    // The number is free again at once, for the same protocol too.
    const again = listen(number, new Recorder(), '127.0.0.1');
    expect(again.getHost().port).toBe(number);
  });
});

describe('reusePort', () => {
  it.runIf(process.platform === 'linux')(
    'lets two sockets that both ask for it share a port (SO_REUSEPORT)',
    async () => {
      const a = new Recorder();
      const b = new Recorder();
      const first = listen(0, a, { interface: '127.0.0.1', reusePort: true });
      const second = listen(first.getHost().port, b, { interface: '127.0.0.1', reusePort: true });
      expect(second.getHost().port).toBe(first.getHost().port);
      expect(first.reusePort).toBe(true);
      // The kernel balances datagrams from different sources between the two; all arrive somewhere.
      const senders = Array.from({ length: 16 }, () => listen(0, new Recorder(), '127.0.0.1'));
      for (const s of senders) s.write(Buffer.from('x'), ['127.0.0.1', first.getHost().port]);
      await new Promise<void>((resolve, reject) => {
        const deadline = setTimeout(
          () => reject(new Error(`${a.packets.length + b.packets.length} of 16 arrived`)),
          5000,
        );
        const poll = setInterval(() => {
          if (a.packets.length + b.packets.length === 16) {
            clearTimeout(deadline);
            clearInterval(poll);
            resolve();
          }
        }, 2);
      });
      expect(a.packets.length + b.packets.length).toBe(16);
    },
  );

  it('does not let a reusePort socket take a port held without it', () => {
    const holder = listen(0, new Recorder(), '127.0.0.1');
    let thrown: unknown;
    try {
      listen(holder.getHost().port, new Recorder(), { interface: '127.0.0.1', reusePort: true });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(CannotListenError);
    expect((thrown as CannotListenError).socketError.code).toBe('EADDRINUSE');
  });

  it.runIf(process.platform === 'win32' || process.platform === 'darwin')(
    'says plainly where the platform lacks it',
    () => {
      expect(() => listen(0, new Recorder(), { interface: '127.0.0.1', reusePort: true })).toThrow(
        /reusePort .* is not supported on this platform/,
      );
    },
  );
});

describe('{ signal }', () => {
  it('an already-aborted signal throws an AbortError and binds nothing', () => {
    const controller = new AbortController();
    const reason = new Error('no thanks');
    controller.abort(reason);
    const protocol = new Recorder();
    let thrown: unknown;
    try {
      listen(0, protocol, { interface: '127.0.0.1', signal: controller.signal });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).name).toBe('AbortError');
    expect((thrown as { code: string }).code).toBe('ABORT_ERR');
    expect((thrown as Error).cause).toBe(reason);
    expect(protocol.started).toBe(0);
    expect(owner.ports.size).toBe(0);
  });

  it('aborting stops the port: socket closed, protocol stopped, number free', async () => {
    const controller = new AbortController();
    const protocol = new Recorder();
    const port = listen(0, protocol, { interface: '127.0.0.1', signal: controller.signal });
    const number = port.getHost().port;
    const closed = new Promise<void>((resolve) => port.once('close', resolve));
    controller.abort();
    expect(port.state).toBe('closing');
    await closed;
    expect(port.state).toBe('closed');
    expect(protocol.stopped).toBe(1);
    expect(owner.ports.has(port)).toBe(false);
    expect(listen(number, new Recorder(), '127.0.0.1').getHost().port).toBe(number);
  });

  it('a signal aborted after the port stopped does nothing', async () => {
    const controller = new AbortController();
    const protocol = new Recorder();
    const port = listen(0, protocol, { interface: '127.0.0.1', signal: controller.signal });
    await port.stopListening();
    controller.abort();
    await turns(2);
    expect(protocol.stopped).toBe(1);
  });
});

describe('log messages (Twisted test_startedListeningLogMessage / test_connectionLostLogMessage)', () => {
  it('logs "<logPrefix> starting on <port>" and "(UDP Port <port> Closed)"', async () => {
    log = captureLog();
    class SomeProtocol extends DatagramProtocol {
      override logPrefix(): string {
        return 'Crazy Protocol';
      }
    }
    const port = listen(0, new SomeProtocol(), '127.0.0.1');
    const n = port.getHost().port;
    const start = log.events.find((e) => e.message[0] === `Crazy Protocol starting on ${n}`);
    expect(start).toBeDefined();
    expect(start!.system).toBe('Crazy Protocol');
    log.events.length = 0;
    await port.stopListening();
    const messages = log.messages();
    expect(messages[0]).toBe(`(UDP Port ${n} Closed)`);
    expect(messages).toContain('Stopping protocol Crazy Protocol');
  });

  it('a quiet protocol (noisy = false) logs no Starting/Stopping protocol lines', async () => {
    log = captureLog();
    const protocol = new Recorder();
    protocol.noisy = false;
    const port = listen(0, protocol, '127.0.0.1');
    await port.stopListening();
    expect(log.messages().filter((m) => /protocol/.test(m))).toEqual([]);
    expect(log.messages()).toHaveLength(2);
  });
});
