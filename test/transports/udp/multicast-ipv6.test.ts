/**
 * MulticastPort over IPv6 (Twisted ≥ 24.11 has it too): Twisted's MulticastTests again, on the
 * private namespace's veth pair (tt0 ↔ tt1, fd00:7474::1/::2), since Linux does not route IPv6
 * multicast over lo. Interfaces are given as Node gives them ('::%tt0'), as an index (as Twisted
 * does), or as an address of this host. Skipped, with the reason, outside the namespace.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Deferred } from '../../../src/defer/deferred.ts';
import { InvalidAddressError, MulticastJoinError } from '../../../src/errors.ts';
import { IPv6Address } from '../../../src/transports/address.ts';
import { listenMulticast } from '../../../src/transports/udp/listen-multicast.ts';
import type { MulticastPort } from '../../../src/transports/udp/multicast-port.ts';
import type { ListenMulticastOptions } from '../../../src/interfaces.ts';
import { Recorder, TestOwner } from '../helpers.ts';

const IFACE = process.env.TWISTED_TS_IPV6_MCAST_IFACE;
const SKIP_REASON =
  'IPv6 multicast runs only on the private namespace veth: run under .ci/netns.sh (TWISTED_TS_IPV6_MCAST_IFACE is unset)';
const ADDRESS = 'fd00:7474::1'; // tt0's address in .ci/netns.sh
const GROUP = 'ff02::7474:1';
const SCOPED = `::%${IFACE}`;

/** The interface index of IFACE in this network namespace (from /proc, as `ip link` shows it). */
function interfaceIndex(name: string): number {
  for (const line of readFileSync('/proc/self/net/igmp6', 'utf8').split('\n')) {
    const [index, dev] = line.trim().split(/\s+/);
    if (dev === name) return Number(index);
  }
  throw new Error(`no interface ${name}`);
}

let owner: TestOwner;
beforeEach(() => {
  owner = new TestOwner();
});
afterEach(async () => {
  await owner.stopAll();
});

function listen(protocol = new Recorder(), port = 0, options: ListenMulticastOptions = {}): MulticastPort {
  return listenMulticast(owner, port, protocol, { interface: '::', ...options });
}

/** A sender that stays on the veth: outgoing interface tt0, hop limit 1. */
async function sender(protocol = new Recorder(), iface = '::'): Promise<MulticastPort> {
  const port = listenMulticast(owner, 0, protocol, iface);
  port.setTTL(1);
  await port.setOutgoingInterface(SCOPED);
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

describe.skipIf(IFACE === undefined)(`IPv6 multicast on the veth (skipped when: ${SKIP_REASON})`, () => {
  it("binds on '::' with an IPv6Address and '::' as the outgoing interface", () => {
    const port = listen();
    expect(port.socketType).toBe('udp6');
    expect(port.getHost()).toBeInstanceOf(IPv6Address);
    expect(port.getHost().host).toBe('::');
    expect(port.getOutgoingInterface()).toBe('::');
  });

  it('TTL (the hop limit) is 1 by default and keeps what was set (testTTL)', () => {
    const port = listen();
    expect(port.getTTL()).toBe(1);
    port.setTTL(0);
    expect(port.getTTL()).toBe(0);
    port.setTTL(1);
    expect(port.getTTL()).toBe(1);
    expect(() => port.setTTL(256)).toThrow(/"ttl" is out of range/);
  });

  describe('outgoing interface (test_interface)', () => {
    it('takes a scoped address, an index, an address of this host, or ::', async () => {
      const port = listen();
      await port.setOutgoingInterface(SCOPED);
      expect(port.getOutgoingInterface()).toBe(SCOPED);
      const index = interfaceIndex(IFACE as string);
      await port.setOutgoingInterface(index);
      expect(port.getOutgoingInterface()).toBe(`::%${index}`);
      await port.setOutgoingInterface(ADDRESS);
      expect(port.getOutgoingInterface()).toBe(ADDRESS);
      await port.setOutgoingInterface('::');
      expect(port.getOutgoingInterface()).toBe('::');
    });

    it('errbacks InvalidAddressError for an unknown interface or an IPv4 address', async () => {
      const port = listen();
      const unknown = await rejection(port.setOutgoingInterface('::%no-such-if0'));
      expect(unknown).toBeInstanceOf(InvalidAddressError);
      expect(unknown.message).toMatch(/no network interface named "no-such-if0"/);
      const byIndex = await rejection(port.setOutgoingInterface(99_999));
      expect(byIndex.message).toMatch(/no IPv6 network interface with index 99999/);
      const v4 = await rejection(port.setOutgoingInterface('127.0.0.1'));
      expect(v4).toBeInstanceOf(InvalidAddressError);
      expect(v4.message).toMatch(/must be IPv6 on an IPv6 port/);
      const notOurs = await rejection(port.setOutgoingInterface('2001:db8::1'));
      expect(notOurs.message).toMatch(/not an IPv6 address of this host/);
      expect(port.getOutgoingInterface()).toBe('::');
    });
  });

  describe('join and leave (test_joinLeave)', () => {
    it('with a scoped address, an index and an address of this host', async () => {
      const port = listen();
      await port.joinGroup(GROUP, SCOPED);
      await port.leaveGroup(GROUP, SCOPED);
      const index = interfaceIndex(IFACE as string);
      await port.joinGroup(GROUP, index);
      // The same membership, named the other way: a second join is refused by the OS.
      const twice = (await rejection(port.joinGroup(GROUP, ADDRESS))) as MulticastJoinError;
      expect(twice.socketError?.code).toBe('EADDRINUSE');
      await port.leaveGroup(GROUP, ADDRESS);
      const notJoined = (await rejection(port.leaveGroup(GROUP, SCOPED))) as MulticastJoinError;
      expect(notJoined).toBeInstanceOf(MulticastJoinError);
      expect(notJoined.message).toMatch(/the group was not joined on that interface/);
    });

    it('errbacks MulticastJoinError for a unicast group (test_joinFailure), an IPv4 group or interface, an unknown zone', async () => {
      const port = listen();
      const unicast = (await rejection(port.joinGroup('fd00:7474::2', SCOPED))) as MulticastJoinError;
      expect(unicast).toBeInstanceOf(MulticastJoinError);
      expect(unicast.message).toMatch(/not a multicast address \(IPv6 groups are ff00::\/8\)/);
      const v4Group = await rejection(port.joinGroup('225.0.0.250', SCOPED));
      expect(v4Group.message).toMatch(/IPv4 address but this port is IPv6/);
      const v4Iface = (await rejection(port.joinGroup(GROUP, '127.0.0.1'))) as MulticastJoinError;
      expect(v4Iface.interface).toBe('127.0.0.1');
      expect(v4Iface.message).toMatch(/must be IPv6 on an IPv6 port/);
      // libuv would silently join on "any interface" for an unknown zone; we refuse it.
      const zone = (await rejection(port.joinGroup(GROUP, '::%no-such-if0'))) as MulticastJoinError;
      expect(zone.message).toMatch(/ENODEV: this host has no network interface named "no-such-if0"/);
    });
  });

  it('delivers a datagram written to the group (test_multicast)', async () => {
    const server = new Recorder();
    const port = listen(server);
    await port.joinGroup(GROUP, SCOPED);
    const c = await sender();
    c.write(Buffer.from('hello world'), [GROUP, port.getHost().port]);
    await server.received(1);
    expect(server.packets[0][0]).toBe('hello world');
    expect(server.packets[0][1][1]).toBe(c.getHost().port);
  });

  it('loops back to the sender while on, not after setLoopbackMode(0) (test_loopback)', async () => {
    const server = new Recorder();
    const port = listen(server);
    port.setTTL(1);
    await port.setOutgoingInterface(SCOPED);
    await port.joinGroup(GROUP, SCOPED);
    const addr: [string, number] = [GROUP, port.getHost().port];
    port.write(Buffer.from('hello'), addr);
    await server.received(1);
    port.setLoopbackMode(0);
    expect(port.getLoopbackMode()).toBe(false);
    // Now the datagram only leaves through tt0 (its peer tt1 has not joined the group).
    port.write(Buffer.from('not looped back'), addr);
    const other = await sender();
    other.write(Buffer.from('marker'), addr);
    await server.received(2);
    expect(server.packets.map((p) => p[0])).toEqual(['hello', 'marker']);
  });

  it('shares one port between listenMultiple sockets, each getting every datagram (test_multiListen)', async () => {
    const first = new Recorder();
    const firstPort = listen(first, 0, { listenMultiple: true });
    const portno = firstPort.getHost().port;
    const second = new Recorder();
    const secondPort = listen(second, portno, { listenMultiple: true });
    await Promise.all([firstPort.joinGroup(GROUP, SCOPED), secondPort.joinGroup(GROUP, SCOPED)]);
    firstPort.setTTL(1);
    await firstPort.setOutgoingInterface(SCOPED);
    firstPort.write(Buffer.from('hello world'), [GROUP, portno]);
    await Promise.all([first.received(1), second.received(1)]);
    expect(first.packets[0][0]).toBe('hello world');
    expect(second.packets[0][0]).toBe('hello world');
    expect(() => listen(new Recorder(), portno)).toThrow(/EADDRINUSE/);
  });

  it('joins a source-specific group (MLDv2) and receives from that source only', async () => {
    const SSM_GROUP = 'ff35::7474:2';
    const server = new Recorder();
    const port = listen(server);
    await port.joinSourceGroup(ADDRESS, SSM_GROUP, SCOPED);
    // fd00:7474::2 is tt1's address, used as a filter value only.
    await port.joinSourceGroup('fd00:7474::2', 'ff35::7474:3', SCOPED);
    const c = await sender(new Recorder(), ADDRESS); // bound to the source address
    c.write(Buffer.from('filtered out'), ['ff35::7474:3', port.getHost().port]);
    c.write(Buffer.from('from the source'), [SSM_GROUP, port.getHost().port]);
    await server.received(1);
    expect(server.packets.map((p) => p[0])).toEqual(['from the source']);
    expect(server.packets[0][1][0]).toBe(ADDRESS);
    await port.leaveSourceGroup(ADDRESS, SSM_GROUP, SCOPED);
  });
});
