/**
 * MulticastPort over IPv4, after Twisted's twisted/test/test_udp.py MulticastTests (TTL, loopback,
 * interface get/set, join/leave, join failure, delivery, multiListen), plus the error rules,
 * host names through the owner, and source-specific joins.
 *
 * Network safety: every join is on 127.0.0.1, every sender's outgoing interface is 127.0.0.1 and
 * its TTL at most 1. Run inside the private namespace: `.ci/netns.sh npx vitest run test/transports/udp/multicast*`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Deferred } from '../../../src/defer/deferred.ts';
import { DNSLookupError, InvalidAddressError, MulticastJoinError } from '../../../src/errors.ts';
import { Reactor } from '../../../src/reactor/reactor.ts';
import { IPv4Address } from '../../../src/transports/address.ts';
import { listenMulticast } from '../../../src/transports/udp/listen-multicast.ts';
import { MulticastPort } from '../../../src/transports/udp/multicast-port.ts';
import type { ListenMulticastOptions } from '../../../src/interfaces.ts';
import { Recorder, TestOwner } from '../helpers.ts';

const GROUP = '225.0.0.250';
const LOOPBACK = '127.0.0.1';

/** A TestOwner that also resolves a few made-up names, and records what it was asked. */
class NamingOwner extends TestOwner {
  readonly asked: string[] = [];
  readonly names: Record<string, string> = {
    'mcast-group.test': GROUP,
    'loopback.test': LOOPBACK,
  };

  override resolve(name: string): Deferred<string> {
    this.asked.push(name);
    const known = this.names[name];
    if (known === undefined) return super.resolve(name);
    const d = new Deferred<string>();
    // Answer on a later turn, as a real resolver does.
    setImmediate(() => d.callback(known));
    return d;
  }
}

let owner: NamingOwner;

beforeEach(() => {
  owner = new NamingOwner();
});

afterEach(async () => {
  await owner.stopAll();
});

function listen(
  protocol = new Recorder(),
  port = 0,
  options: string | ListenMulticastOptions = '',
): MulticastPort {
  return listenMulticast(owner, port, protocol, options);
}

/** A sender that stays on this host: outgoing interface 127.0.0.1, TTL 1. */
async function sender(protocol = new Recorder()): Promise<MulticastPort> {
  const port = listen(protocol);
  port.setTTL(1);
  await port.setOutgoingInterface(LOOPBACK);
  return port;
}

async function rejection(d: Deferred<unknown>): Promise<Error> {
  try {
    await d;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the Deferred to fail');
}

describe('MulticastPort is a UdpPort (Twisted MulticastTests.setUp)', () => {
  it('binds at once, reports an IPv4Address and can connect like any UDP port', () => {
    const server = listen();
    const client = listen();
    expect(server).toBeInstanceOf(MulticastPort);
    expect(server.getHost()).toBeInstanceOf(IPv4Address);
    expect(server.getHost().host).toBe('0.0.0.0');
    expect(server.getHost().port).toBeGreaterThan(0);
    client.connect(LOOPBACK, server.getHost().port);
    expect(client.state).toBe('connected');
    expect(server.listenMultiple).toBe(false);
    expect(String(server)).toMatch(/^<Recorder on 0\.0\.0\.0:\d+>$/);
  });
});

describe('TTL (Twisted testTTL)', () => {
  it('is 1 by default and keeps what was set', () => {
    for (const port of [listen(), listen()]) {
      expect(port.getTTL()).toBe(1);
      port.setTTL(0);
      expect(port.getTTL()).toBe(0);
      port.setTTL(1);
      expect(port.getTTL()).toBe(1);
    }
  });

  it.each([
    [256, RangeError, /"ttl" is out of range/],
    [-1, RangeError, /"ttl" is out of range/],
    [1.5, RangeError, /"ttl".*integer/],
    [NaN, RangeError, /"ttl"/],
    ['1', TypeError, /"ttl" argument must be of type number/],
  ])('refuses %s with an error naming ttl, and keeps the old value', (ttl, type, message) => {
    const port = listen();
    expect(() => port.setTTL(ttl as number)).toThrow(type);
    expect(() => port.setTTL(ttl as number)).toThrow(message);
    expect(port.getTTL()).toBe(1);
  });

  it('throws once the port has stopped', async () => {
    const port = listen();
    await port.stopListening();
    expect(() => port.setTTL(1)).toThrow(/not listening/);
  });
});

describe('loopback mode (Twisted test_loopback)', () => {
  // Linux makes no loopback copy when the outgoing interface is itself a loopback device: the
  // transmission on lo is already local input, so on lo every member receives whatever the mode.
  // The effect of setLoopbackMode(0) is therefore tested on the IPv6 veth (multicast-ipv6.test.ts);
  // here, Twisted's first half (delivery to the sender while on) and the getter/setter.
  it('delivers to the sending port itself while on (the default)', async () => {
    const server = new Recorder();
    const port = listen(server);
    expect(port.getLoopbackMode()).toBe(true);
    port.setTTL(1);
    await port.setOutgoingInterface(LOOPBACK);
    await port.joinGroup(GROUP, LOOPBACK);
    port.write(Buffer.from('hello'), [GROUP, port.getHost().port]);
    await server.received(1);
    expect(server.packets[0]).toEqual(['hello', [LOOPBACK, port.getHost().port]]);
  });

  it('keeps what was set: 0/1 as in Twisted, or booleans', () => {
    const port = listen();
    port.setLoopbackMode(0);
    expect(port.getLoopbackMode()).toBe(false);
    port.setLoopbackMode(1);
    expect(port.getLoopbackMode()).toBe(true);
    port.setLoopbackMode(false);
    expect(port.getLoopbackMode()).toBe(false);
    port.setLoopbackMode(true);
    expect(port.getLoopbackMode()).toBe(true);
  });

  it.each([
    [2, RangeError],
    [-1, RangeError],
    ['yes', TypeError],
    [null, TypeError],
  ])('refuses %s', (mode, type) => {
    const port = listen();
    expect(() => port.setLoopbackMode(mode as never)).toThrow(type);
    expect(() => port.setLoopbackMode(mode as never)).toThrow(/"mode"/);
    expect(port.getLoopbackMode()).toBe(true);
  });
});

describe('outgoing interface (Twisted test_interface)', () => {
  it("is '0.0.0.0' by default and what was set afterwards", async () => {
    const client = listen();
    const server = listen();
    expect(client.getOutgoingInterface()).toBe('0.0.0.0');
    expect(server.getOutgoingInterface()).toBe('0.0.0.0');
    const d1 = client.setOutgoingInterface(LOOPBACK);
    const d2 = server.setOutgoingInterface(LOOPBACK);
    // IP literals need no resolution: both have fired already.
    expect(d1.called && d2.called).toBe(true);
    await Promise.all([d1, d2]);
    expect(client.getOutgoingInterface()).toBe(LOOPBACK);
    expect(server.getOutgoingInterface()).toBe(LOOPBACK);
    await client.setOutgoingInterface('');
    expect(client.getOutgoingInterface()).toBe('0.0.0.0');
  });

  it("resolves a host name through the port's owner, as Twisted does", async () => {
    const port = listen();
    const d = port.setOutgoingInterface('loopback.test');
    expect(d.called).toBe(false);
    await d;
    expect(owner.asked).toEqual(['loopback.test']);
    expect(port.getOutgoingInterface()).toBe(LOOPBACK);
  });

  it('errbacks InvalidAddressError for the other family, an index, or an address not of this host', async () => {
    const port = listen();
    const v6 = await rejection(port.setOutgoingInterface('::1'));
    expect(v6).toBeInstanceOf(InvalidAddressError);
    expect(v6.message).toMatch(/must be an IPv4 address on an IPv4 port/);
    const index = await rejection(port.setOutgoingInterface(1));
    expect(index).toBeInstanceOf(InvalidAddressError);
    expect(index.message).toMatch(/index is for IPv6 ports/);
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of this host. Nothing is sent.
    const foreign = await rejection(port.setOutgoingInterface('192.0.2.1'));
    expect(foreign).toBeInstanceOf(InvalidAddressError);
    expect(foreign.message).toMatch(/EADDRNOTAVAIL: not an address of this host/);
    expect((foreign.cause as NodeJS.ErrnoException).code).toBe('EADDRNOTAVAIL');
    expect(port.getOutgoingInterface()).toBe('0.0.0.0');
  });

  it('passes a resolution failure on as it is', async () => {
    const port = listen();
    owner.resolve = () => {
      const d = new Deferred<string>();
      d.errback(new DNSLookupError('no such name'));
      return d;
    };
    expect(await rejection(port.setOutgoingInterface('nowhere.test'))).toBeInstanceOf(DNSLookupError);
  });

  it('refuses a non-string, non-number argument at once', () => {
    const port = listen();
    expect(() => port.setOutgoingInterface(null as never)).toThrow(TypeError);
    expect(() => port.setOutgoingInterface(null as never)).toThrow(/"addr" argument/);
  });
});

describe('joining and leaving (Twisted test_joinLeave)', () => {
  it('joins and leaves a group on two ports, synchronously with literals', async () => {
    const client = listen();
    const server = listen();
    const joined = client.joinGroup(GROUP, LOOPBACK);
    expect(joined.called).toBe(true);
    await joined;
    await client.leaveGroup(GROUP, LOOPBACK);
    await server.joinGroup(GROUP);
    await server.leaveGroup(GROUP);
  });

  it('resolves host names for the group and the interface through the owner', async () => {
    const port = listen();
    await port.joinGroup('mcast-group.test', 'loopback.test');
    expect(owner.asked).toEqual(['mcast-group.test', 'loopback.test']);
    // It really joined GROUP on 127.0.0.1: a second literal join is refused by the OS.
    const again = await rejection(port.joinGroup(GROUP, LOOPBACK));
    expect((again as MulticastJoinError).socketError?.code).toBe('EADDRINUSE');
    await port.leaveGroup('mcast-group.test', 'loopback.test');
  });

  it('errbacks MulticastJoinError when leaving a group that was not joined', async () => {
    const port = listen();
    const e = (await rejection(port.leaveGroup(GROUP, LOOPBACK))) as MulticastJoinError;
    expect(e).toBeInstanceOf(MulticastJoinError);
    expect(e.socketError?.code).toBe('EADDRNOTAVAIL');
    expect(e.message).toMatch(/Could not leave 225\.0\.0\.250 on 127\.0\.0\.1: EADDRNOTAVAIL/);
  });

  it('errbacks MulticastJoinError on a stopped port', async () => {
    const port = listen();
    await port.stopListening();
    const e = await rejection(port.joinGroup(GROUP, LOOPBACK));
    expect(e).toBeInstanceOf(MulticastJoinError);
    expect(e.message).toMatch(/not listening/);
  });

  it('errbacks when the port stops while a name is being resolved', async () => {
    const port = listen();
    const d = port.joinGroup('mcast-group.test', LOOPBACK);
    port.stopListening();
    expect(await rejection(d)).toBeInstanceOf(MulticastJoinError);
  });

  it('refuses arguments of the wrong type at once', () => {
    const port = listen();
    expect(() => port.joinGroup(undefined as never)).toThrow(/"addr" argument must be of type string/);
    expect(() => port.joinGroup(GROUP, {} as never)).toThrow(/"iface" argument/);
    expect(() => port.leaveGroup(GROUP, -1)).toThrow(RangeError);
  });
});

describe('join failures (Twisted test_joinFailure, and the wrong family)', () => {
  it('errbacks MulticastJoinError for a group that is not a multicast address', async () => {
    const port = listen();
    const e = (await rejection(port.joinGroup(LOOPBACK))) as MulticastJoinError;
    expect(e).toBeInstanceOf(MulticastJoinError);
    expect(e.code).toBe('ERR_MULTICAST_JOIN');
    expect(e.group).toBe(LOOPBACK);
    expect(e.interface).toBe('');
    expect(e.message).toMatch(
      /not a multicast address \(IPv4 groups are 224\.0\.0\.0 to 239\.255\.255\.255\)/,
    );
  });

  it('errbacks MulticastJoinError for an interface of the other family', async () => {
    const port = listen();
    const e = (await rejection(port.joinGroup(GROUP, '::1'))) as MulticastJoinError;
    expect(e).toBeInstanceOf(MulticastJoinError);
    expect(e.interface).toBe('::1');
    expect(e.message).toMatch(/must be an IPv4 address on an IPv4 port/);
    const index = (await rejection(port.joinGroup(GROUP, 1))) as MulticastJoinError;
    expect(index.interface).toBe('1');
    expect(index.message).toMatch(/index is for IPv6 ports/);
  });

  it('errbacks MulticastJoinError for an IPv6 group on an IPv4 port', async () => {
    const port = listen();
    const e = await rejection(port.joinGroup('ff02::1'));
    expect(e).toBeInstanceOf(MulticastJoinError);
    expect(e.message).toMatch(/IPv6 address but this port is IPv4 \(listen on '::'/);
  });

  it('explains an OS refusal (ENODEV: not an interface of this host) and keeps the OS error', async () => {
    const port = listen();
    // TEST-NET-1 (RFC 5737): no interface has it. Joining sends nothing anywhere.
    const e = (await rejection(port.joinGroup(GROUP, '192.0.2.1'))) as MulticastJoinError;
    expect(e).toBeInstanceOf(MulticastJoinError);
    expect(e.group).toBe(GROUP);
    expect(e.interface).toBe('192.0.2.1');
    expect(e.socketError?.code).toBe('ENODEV');
    expect(e.socketError?.syscall).toBe('addMembership');
    expect(e.cause).toBe(e.socketError);
    expect(e.message).toMatch(/ENODEV: no such interface, or no multicast route/);
    expect(e.message).toMatch(/pass the IP address of the interface/);
  });

  it('explains a second join of the same group on the same interface', async () => {
    const port = listen();
    await port.joinGroup(GROUP, LOOPBACK);
    const e = (await rejection(port.joinGroup(GROUP, LOOPBACK))) as MulticastJoinError;
    expect(e.message).toMatch(/EADDRINUSE: this port has already joined the group on that interface/);
  });
});

describe('delivery (Twisted test_multicast)', () => {
  it('a datagram written to the group reaches a port that joined it', async () => {
    const server = new Recorder();
    const port = listen(server);
    await port.joinGroup(GROUP, LOOPBACK);
    const c = await sender();
    c.write(Buffer.from('hello world'), [GROUP, port.getHost().port]);
    await server.received(1);
    expect(server.packets[0][0]).toBe('hello world');
    expect(server.packets[0][1]).toEqual([LOOPBACK, c.getHost().port]);
    expect(port.stats().datagramsIn).toBe(1);
  });

  it('a member answers the sender through its own transport (unicast back)', async () => {
    class Answerer extends Recorder {
      override datagramReceived(datagram: Buffer, addr: readonly [string, number]): void {
        super.datagramReceived(datagram, addr);
        this.transport?.write(Buffer.from(`re: ${datagram.toString()}`), addr);
      }
    }
    const member = listen(new Answerer());
    await member.joinGroup(GROUP, LOOPBACK);
    const asker = new Recorder();
    const c = await sender(asker);
    c.write(Buffer.from('who is there?'), [GROUP, member.getHost().port]);
    await asker.received(1);
    expect(asker.packets[0]).toEqual(['re: who is there?', [LOOPBACK, member.getHost().port]]);
  });
});

describe('several sockets on one port (Twisted test_multiListen)', () => {
  it('with listenMultiple both bind the same port and both receive every datagram', async () => {
    const first = new Recorder();
    const firstPort = listen(first, 0, { listenMultiple: true });
    const portno = firstPort.getHost().port;
    const second = new Recorder();
    const secondPort = listen(second, portno, { listenMultiple: true });
    expect(secondPort.getHost().port).toBe(portno);
    expect(firstPort.listenMultiple && secondPort.listenMultiple).toBe(true);
    await Promise.all([firstPort.joinGroup(GROUP, LOOPBACK), secondPort.joinGroup(GROUP, LOOPBACK)]);
    firstPort.setTTL(1);
    await firstPort.setOutgoingInterface(LOOPBACK);
    for (let i = 0; i < 3; i++) firstPort.write(Buffer.from(`hello world ${i}`), [GROUP, portno]);
    await Promise.all([first.received(3), second.received(3)]);
    const expected = ['hello world 0', 'hello world 1', 'hello world 2'];
    expect(first.packets.map((p) => p[0])).toEqual(expected);
    expect(second.packets.map((p) => p[0])).toEqual(expected);
  });

  it("Twisted's positional form (port, protocol, interface, maxPacketSize, listenMultiple) works too", () => {
    const a = listenMulticast(owner, 0, new Recorder(), '', 8192, true);
    const b = listenMulticast(owner, a.getHost().port, new Recorder(), '', 1024, true);
    expect(b.getHost().port).toBe(a.getHost().port);
    expect(b.maxPacketSize).toBe(1024);
  });

  it('three ports share one number and each gets its own copy', async () => {
    const recorders = [new Recorder(), new Recorder(), new Recorder()];
    const first = listen(recorders[0], 0, { listenMultiple: true });
    const ports = [
      first,
      ...recorders.slice(1).map((r) => listen(r, first.getHost().port, { listenMultiple: true })),
    ];
    await Promise.all(ports.map((p) => p.joinGroup(GROUP, LOOPBACK)));
    const c = await sender();
    c.write(Buffer.from('to all'), [GROUP, first.getHost().port]);
    await Promise.all(recorders.map((r) => r.received(1)));
    for (const r of recorders) expect(r.packets).toEqual([['to all', [LOOPBACK, c.getHost().port]]]);
  });
});

describe('source-specific multicast (beyond Twisted)', () => {
  const SSM_GROUP = '232.1.2.3';
  const OTHER_SSM_GROUP = '232.1.2.4';

  it('joins and leaves (source 127.0.0.1), and receives from that source', async () => {
    const server = new Recorder();
    const port = listen(server);
    const d = port.joinSourceGroup(LOOPBACK, SSM_GROUP, LOOPBACK);
    expect(d.called).toBe(true);
    await d;
    const c = await sender();
    c.write(Buffer.from('from the source'), [SSM_GROUP, port.getHost().port]);
    await server.received(1);
    expect(server.packets[0]).toEqual(['from the source', [LOOPBACK, c.getHost().port]]);
    await port.leaveSourceGroup(LOOPBACK, SSM_GROUP, LOOPBACK);
  });

  it('drops datagrams from other sources', async () => {
    const server = new Recorder();
    const port = listen(server);
    await port.joinSourceGroup(LOOPBACK, SSM_GROUP, LOOPBACK);
    // A filter that admits only 127.0.0.3 (used as a filter value only; nothing is sent to it).
    await port.joinSourceGroup('127.0.0.3', OTHER_SSM_GROUP, LOOPBACK);
    const c = await sender();
    c.write(Buffer.from('filtered out'), [OTHER_SSM_GROUP, port.getHost().port]);
    c.write(Buffer.from('marker'), [SSM_GROUP, port.getHost().port]);
    await server.received(1);
    expect(server.packets.map((p) => p[0])).toEqual(['marker']);
  });

  it('follows the same error rules as joinGroup', async () => {
    const port = listen();
    const notGroup = (await rejection(
      port.joinSourceGroup(LOOPBACK, LOOPBACK, LOOPBACK),
    )) as MulticastJoinError;
    expect(notGroup).toBeInstanceOf(MulticastJoinError);
    expect(notGroup.message).toMatch(/not a multicast address/);
    const mcSource = await rejection(port.joinSourceGroup(GROUP, SSM_GROUP, LOOPBACK));
    expect(mcSource.message).toMatch(/source must be a unicast address/);
    const v6Source = await rejection(port.joinSourceGroup('::1', SSM_GROUP, LOOPBACK));
    expect(v6Source.message).toMatch(/source must be an IPv4 address/);
    const wrongIface = await rejection(port.joinSourceGroup(LOOPBACK, SSM_GROUP, '::1'));
    expect(wrongIface).toBeInstanceOf(MulticastJoinError);
    const notJoined = (await rejection(
      port.leaveSourceGroup(LOOPBACK, SSM_GROUP, LOOPBACK),
    )) as MulticastJoinError;
    // Linux says EINVAL here (EADDRNOTAVAIL for a plain group); the explanation is the same.
    expect(['EINVAL', 'EADDRNOTAVAIL']).toContain(notJoined.socketError?.code);
    expect(notJoined.message).toMatch(
      /Could not leave 232\.1\.2\.3 from source 127\.0\.0\.1 on 127\.0\.0\.1: E\w+: the source was not joined on that interface/,
    );
    await port.joinSourceGroup(LOOPBACK, SSM_GROUP, LOOPBACK);
    const twice = (await rejection(
      port.joinSourceGroup(LOOPBACK, SSM_GROUP, LOOPBACK),
    )) as MulticastJoinError;
    expect(twice.message).toMatch(/already joined that source/);
    expect(() => port.joinSourceGroup(1 as never, SSM_GROUP)).toThrow(/"source" argument/);
    expect(() => port.joinSourceGroup(LOOPBACK, 1 as never)).toThrow(/"group" argument/);
  });
});

describe('through the Reactor', () => {
  it('new Reactor().listenMulticast(...) makes a registered MulticastPort that joins and receives', async () => {
    const reactor = new Reactor();
    const server = new Recorder();
    const port = reactor.listenMulticast(0, server, { listenMultiple: true });
    try {
      expect(port).toBeInstanceOf(MulticastPort);
      expect(reactor.getListeningPorts()).toContain(port);
      const twin = new Recorder();
      const twinPort = reactor.listenMulticast(port.getHost().port, twin, '', 8192, true);
      await port.joinGroup(GROUP, LOOPBACK);
      await twinPort.joinGroup(GROUP, LOOPBACK);
      port.setTTL(1);
      await port.setOutgoingInterface(LOOPBACK);
      port.write(Buffer.from('via the reactor'), [GROUP, port.getHost().port]);
      await Promise.all([server.received(1), twin.received(1)]);
      expect(twin.packets[0][0]).toBe('via the reactor');
      await twinPort.stopListening();
    } finally {
      await port.stopListening();
    }
    expect(reactor.getListeningPorts()).not.toContain(port);
  });

  it('resolves a host name through the reactor (localhost)', async () => {
    const reactor = new Reactor();
    const port = reactor.listenMulticast(0, new Recorder());
    try {
      await port.setOutgoingInterface('localhost');
      expect(port.getOutgoingInterface()).toBe(LOOPBACK);
    } finally {
      await port.stopListening();
    }
  });
});
