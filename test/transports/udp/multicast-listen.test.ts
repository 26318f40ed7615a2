/**
 * listenMulticast itself: argument checks, listenMultiple and what it sets per platform, the
 * security rule (sharing is opt-in on both sides), the abort signal, and joinGroupOnAllInterfaces.
 * Real sockets; joins only on 127.0.0.1 (joinGroupOnAllInterfaces only inside the namespace).
 */
import dgram from 'node:dgram';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AlreadyListeningError,
  CannotListenError,
  InvalidAddressError,
  MulticastJoinError,
} from '../../../src/errors.ts';
import { listenUDP } from '../../../src/transports/udp/listen.ts';
import { joinGroupOnAllInterfaces } from '../../../src/transports/udp/join-all-interfaces.ts';
import { listenMulticast } from '../../../src/transports/udp/listen-multicast.ts';
import { MulticastPort } from '../../../src/transports/udp/multicast-port.ts';
import {
  explainMembershipError,
  ipv6InterfaceArgument,
  InterfaceProblem,
  isMulticastAddress,
  listenMultipleNeedsReusePort,
} from '../../../src/transports/udp/multicast-support.ts';
import { Recorder, TestOwner, captureLog, turns } from '../helpers.ts';

const inNetns = process.env.TWISTED_TS_IN_NETNS === '1';
const NETNS_ONLY =
  'joins on every interface of the machine: runs only inside the private namespace (.ci/netns.sh)';

let owner: TestOwner;
beforeEach(() => {
  owner = new TestOwner();
});
afterEach(async () => {
  await owner.stopAll();
});

/** Binds a raw dgram socket with `options` on `port`; resolves to the bind error code, or 'bound'. */
async function rawBind(port: number, options: Partial<dgram.SocketOptions> = {}): Promise<string> {
  const socket = dgram.createSocket({ type: 'udp4', ...options });
  try {
    return await new Promise<string>((resolve) => {
      socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      socket.bind(port, '0.0.0.0', () => resolve('bound'));
    });
  } finally {
    socket.close();
  }
}

describe('listenMulticast argument validation (before anything is created)', () => {
  it('checks port, protocol, interface and options like listenUDP', () => {
    const p = new Recorder();
    expect(() => listenMulticast(owner, -1, p)).toThrow(/"port" is out of range/);
    expect(() => listenMulticast(owner, '0' as never, p)).toThrow(TypeError);
    expect(() => listenMulticast(owner, 0, {} as never)).toThrow(
      /"protocol" argument must be a datagram protocol/,
    );
    expect(() => listenMulticast(owner, 0, p, 'localhost')).toThrow(InvalidAddressError);
    expect(() => listenMulticast(owner, 0, p, { interface: 'example.com' })).toThrow(/"options.interface"/);
    expect(() => listenMulticast(owner, 0, p, { maxPacketSize: 0 })).toThrow(/"options.maxPacketSize"/);
    expect(() => listenMulticast(owner, 0, p, { listenMultiple: 1 as never })).toThrow(
      /"options.listenMultiple" argument must be of type boolean/,
    );
    expect(() => listenMulticast(owner, 0, p, '', 8192, 'yes' as never)).toThrow(
      /"listenMultiple" argument must be of type boolean/,
    );
    expect(() => listenMulticast(owner, 0, p, '', 0)).toThrow(/"maxPacketSize" is out of range/);
    expect(() => listenMulticast(owner, 0, p, { reusePort: true } as never)).toThrow(
      /"reusePort" is not one of them/,
    );
    expect(() => listenMulticast(owner, 0, p, null as never)).toThrow(
      /"options" argument must be of type object/,
    );
    expect(p.started).toBe(0);
    expect(owner.ports.size).toBe(0);
  });

  it('starts the protocol, registers the port and refuses a protocol already listening', () => {
    const p = new Recorder();
    const port = listenMulticast(owner, 0, p);
    expect(p.started).toBe(1);
    expect(p.transport).toBe(port);
    expect(owner.ports.has(port)).toBe(true);
    expect(() => listenMulticast(owner, 0, p)).toThrow(AlreadyListeningError);
  });

  it('positional arguments win over the options object, as in listenUDP', () => {
    const port = listenMulticast(
      owner,
      0,
      new Recorder(),
      { maxPacketSize: 100, listenMultiple: true },
      200,
      false,
    );
    expect(port.maxPacketSize).toBe(200);
    expect(port.listenMultiple).toBe(false);
  });

  it('an IPv6 interface makes an IPv6 port, with "::" as the outgoing interface', () => {
    const port = listenMulticast(owner, 0, new Recorder(), '::');
    expect(port.socketType).toBe('udp6');
    expect(port.getOutgoingInterface()).toBe('::');
  });

  it('logs the start as Twisted does', () => {
    const log = captureLog();
    try {
      const port = listenMulticast(owner, 0, new Recorder());
      expect(log.messages()).toContain(`Recorder starting on ${port.getHost().port}`);
    } finally {
      log.stop();
    }
  });
});

describe('listenMultiple and its safety (reuse is opt-in on both sides)', () => {
  it('without listenMultiple a second bind fails with CannotListenError (EADDRINUSE)', () => {
    const first = listenMulticast(owner, 0, new Recorder());
    const taken = first.getHost().port;
    const second = new Recorder();
    let thrown: unknown;
    try {
      listenMulticast(owner, taken, second);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(CannotListenError);
    expect((thrown as CannotListenError).socketError.code).toBe('EADDRINUSE');
    expect((thrown as CannotListenError).message).toMatch(/listenMultiple/);
    expect(second.transport).toBeUndefined();
  });

  it('listenMultiple onto a port held without it fails, and says both sides must ask', () => {
    const plain = listenMulticast(owner, 0, new Recorder());
    expect(() =>
      listenMulticast(owner, plain.getHost().port, new Recorder(), { listenMultiple: true }),
    ).toThrow(/EADDRINUSE: the address is already in use by a socket that did not allow sharing/);
  });

  it('security: no plain socket can bind onto a listenMultiple port', async () => {
    const shared = listenMulticast(owner, 0, new Recorder(), { listenMultiple: true });
    const portno = shared.getHost().port;
    expect(() => listenUDP(owner, portno, new Recorder(), '')).toThrow(CannotListenError);
    expect(() => listenUDP(owner, portno, new Recorder(), '127.0.0.1')).toThrow(/EADDRINUSE/);
    expect(() => listenMulticast(owner, portno, new Recorder())).toThrow(CannotListenError);
    expect(await rawBind(portno)).toBe('EADDRINUSE');
    // The shared port keeps working.
    expect(shared.listening).toBe(true);
    expect(owner.ports.size).toBe(1);
  });

  it('a raw socket that opts in (reuseAddr) can share it, as another process could', async () => {
    const shared = listenMulticast(owner, 0, new Recorder(), { listenMultiple: true });
    expect(await rawBind(shared.getHost().port, { reuseAddr: true })).toBe('bound');
  });

  it.skipIf(process.platform !== 'linux')(
    'on Linux it sets SO_REUSEPORT too, as Twisted does, so a reusePort-only socket may join',
    async () => {
      const shared = listenMulticast(owner, 0, new Recorder(), { listenMultiple: true });
      expect(shared.reusePort).toBe(true);
      expect(await rawBind(shared.getHost().port, { reusePort: true })).toBe('bound');
    },
  );

  it('the port number is free again once every sharer stopped', async () => {
    const a = listenMulticast(owner, 0, new Recorder(), { listenMultiple: true });
    const portno = a.getHost().port;
    const b = listenMulticast(owner, portno, new Recorder(), { listenMultiple: true });
    await a.stopListening();
    expect(await rawBind(portno)).toBe('EADDRINUSE'); // b still holds it
    await b.stopListening();
    expect(await rawBind(portno)).toBe('bound');
  });
});

describe('what listenMultiple asks of each platform', () => {
  it('adds reusePort only where libuv maps reuseAddr to SO_REUSEADDR alone', () => {
    expect(listenMultipleNeedsReusePort('linux')).toBe(true);
    expect(listenMultipleNeedsReusePort('android')).toBe(true);
    expect(listenMultipleNeedsReusePort('sunos')).toBe(true);
    expect(listenMultipleNeedsReusePort('aix')).toBe(true);
    // reuseAddr already is SO_REUSEPORT there, and reusePort would throw ENOTSUP (or, on FreeBSD,
    // make a load-balancing group Twisted never asks for).
    expect(listenMultipleNeedsReusePort('darwin')).toBe(false);
    expect(listenMultipleNeedsReusePort('freebsd')).toBe(false);
    expect(listenMultipleNeedsReusePort('openbsd')).toBe(false);
    expect(listenMultipleNeedsReusePort('win32')).toBe(false);
  });
});

describe('multicast-support helpers', () => {
  it.each([
    ['224.0.0.1', true],
    ['239.255.255.250', true],
    ['223.255.255.255', false],
    ['240.0.0.1', false],
    ['127.0.0.1', false],
    ['ff02::1', true],
    ['FF05::1:3', true],
    ['ff02::1%tt0', true],
    ['fe80::1', false],
    ['::1', false],
    ['example.com', false],
  ])('isMulticastAddress(%s) is %s', (addr, expected) => {
    expect(isMulticastAddress(addr)).toBe(expected);
  });

  it('maps IPv6 interface arguments, refusing what libuv would silently ignore', () => {
    expect(ipv6InterfaceArgument('')).toBeUndefined();
    expect(ipv6InterfaceArgument('::')).toBeUndefined();
    expect(ipv6InterfaceArgument(0)).toBeUndefined();
    expect(ipv6InterfaceArgument('::%lo', 'linux')).toBe('::%lo');
    const unknown = ipv6InterfaceArgument('::%no-such-if0', 'linux');
    expect(unknown).toBeInstanceOf(InterfaceProblem);
    expect((unknown as InterfaceProblem).reason).toMatch(/no network interface named "no-such-if0"/);
    expect(ipv6InterfaceArgument(1, 'linux')).toBe('::%lo'); // lo is index 1 on Linux
    expect(ipv6InterfaceArgument(999_999, 'linux')).toBeInstanceOf(InterfaceProblem);
    expect(ipv6InterfaceArgument('::1', 'linux')).toBe('::%lo');
    expect((ipv6InterfaceArgument('2001:db8::1', 'linux') as InterfaceProblem).code).toBe('EADDRNOTAVAIL');
    // Windows zones are numeric; macOS cannot map an index to a name.
    expect(ipv6InterfaceArgument(7, 'win32')).toBe('::%7');
    expect(ipv6InterfaceArgument('::%7', 'win32')).toBe('::%7');
    expect((ipv6InterfaceArgument('::%eth0', 'win32') as InterfaceProblem).reason).toMatch(/on Windows/);
    expect((ipv6InterfaceArgument(3, 'darwin') as InterfaceProblem).reason).toMatch(
      /cannot map an interface index/,
    );
  });

  it('explains membership errors by context', () => {
    expect(explainMembershipError('EADDRNOTAVAIL', { leave: true })).toMatch(/group was not joined/);
    expect(explainMembershipError('EINVAL', { leave: true, sourceSpecific: true })).toMatch(
      /source was not joined/,
    );
    expect(explainMembershipError('EADDRNOTAVAIL', { sourceSpecific: true })).toMatch(
      /already joined that source/,
    );
    expect(explainMembershipError('ENOBUFS')).toMatch(/igmp_max_memberships/);
    expect(explainMembershipError('EWHATEVER')).toBeUndefined();
    expect(explainMembershipError(undefined)).toBeUndefined();
  });
});

describe('the abort signal and disposal', () => {
  it('aborting stops the port; an aborted signal binds nothing', async () => {
    const controller = new AbortController();
    const p = new Recorder();
    const port = listenMulticast(owner, 0, p, { listenMultiple: true, signal: controller.signal });
    controller.abort();
    await turns(3);
    expect(port.state).toBe('closed');
    expect(p.stopped).toBe(1);
    expect(() => listenMulticast(owner, 0, new Recorder(), { signal: controller.signal })).toThrow(/aborted/);
  });

  it('await using stops it at the end of the scope', async () => {
    let inner: MulticastPort | undefined;
    {
      await using port = listenMulticast(owner, 0, new Recorder());
      inner = port;
      expect(port.listening).toBe(true);
    }
    expect(inner.state).toBe('closed');
  });
});

describe('joinGroupOnAllInterfaces', () => {
  it('refuses bad arguments at once', () => {
    const port = listenMulticast(owner, 0, new Recorder());
    expect(() => joinGroupOnAllInterfaces(port, 1 as never)).toThrow(/"group" argument/);
    expect(() => joinGroupOnAllInterfaces(port, '224.0.0.251', { filter: 1 as never })).toThrow(
      /"options.filter" argument must be of type function/,
    );
  });

  it('with a filter that admits only loopback, joins on 127.0.0.1 alone', async () => {
    const port = listenMulticast(owner, 0, new Recorder());
    const result = await joinGroupOnAllInterfaces(port, '225.0.0.251', {
      filter: (_name, addresses) => addresses.some((a) => a.address === '127.0.0.1'),
    });
    expect(result).toEqual({ joined: ['127.0.0.1'], failed: [] });
    await port.leaveGroup('225.0.0.251', '127.0.0.1');
  });

  it.skipIf(!inNetns)(
    `joins on every IPv4 interface and reports second joins as failures (${NETNS_ONLY})`,
    async () => {
      const server = new Recorder();
      const port = listenMulticast(owner, 0, server);
      const first = await joinGroupOnAllInterfaces(port, '225.0.0.252');
      // The namespace has IPv4 only on lo.
      expect(first.joined).toEqual(['127.0.0.1']);
      expect(first.failed).toEqual([]);
      const again = await joinGroupOnAllInterfaces(port, '225.0.0.252');
      expect(again.joined).toEqual([]);
      expect(again.failed).toHaveLength(1);
      expect(again.failed[0]).toBeInstanceOf(MulticastJoinError);
      const sender = listenMulticast(owner, 0, new Recorder());
      sender.setTTL(1);
      await sender.setOutgoingInterface('127.0.0.1');
      sender.write(Buffer.from('everywhere'), ['225.0.0.252', port.getHost().port]);
      await server.received(1);
      for (const iface of first.joined) await port.leaveGroup('225.0.0.252', iface);
    },
  );

  it.skipIf(!inNetns || process.env.TWISTED_TS_IPV6_MCAST_IFACE === undefined)(
    `joins on every IPv6 interface as '::%<name>' (${NETNS_ONLY}, with its veth)`,
    async () => {
      const port = listenMulticast(owner, 0, new Recorder(), '::');
      const result = await joinGroupOnAllInterfaces(port, 'ff02::7474:9');
      expect(result.failed).toEqual([]);
      expect(result.joined).toContain(`::%${process.env.TWISTED_TS_IPV6_MCAST_IFACE}`);
      expect(result.joined.every((j) => j.startsWith('::%'))).toBe(true);
    },
  );
});
