/**
 * `MulticastPort`: a UDP port that joins multicast groups and may share its port number with
 * other sockets (Twisted's `twisted.internet.udp.MulticastPort`).
 *
 * @module
 */
import { inspect } from 'node:util';
import type { Deferred } from '../../defer/deferred.ts';
import { succeed } from '../../defer/shortcuts.ts';
import { InvalidAddressError, MulticastJoinError } from '../../errors.ts';
import type { IDatagramProtocol, IMulticastTransport, IPortOwner } from '../../interfaces.ts';
import { invalidArgType, ipFamily, outOfRange, validateInteger, validateString } from '../../validate.ts';
import {
  InterfaceProblem,
  explainMembershipError,
  ipv4InterfaceArgument,
  ipv6InterfaceArgument,
  isMulticastAddress,
  listenMultipleNeedsReusePort,
} from './multicast-support.ts';
import { explainListenMultipleError } from './binding.ts';
import type { UdpSocketSpec } from './socket-io.ts';
import { UdpPort } from './udp-port.ts';
import type { UdpPortConfig } from './udp-port.ts';

/** What `MulticastPort` is built from; `listenMulticast` checks every field first. */
export interface MulticastPortConfig extends UdpPortConfig {
  /** Share the port: SO_REUSEADDR and, where the platform has it, SO_REUSEPORT. */
  listenMultiple: boolean;
}

/**
 * An interface argument: an IP address of this host (`'127.0.0.1'`, `'fd00::1'`), `''` for "let
 * the OS choose", a host name (resolved through the reactor), or on IPv6 ports a scoped address
 * (`'::%eth0'`) or an interface index (`3`, as Twisted ≥ 24.11 takes it).
 */
export type MulticastInterface = string | number;

type MembershipOp = 'join' | 'leave';

function validateInterfaceArg(value: unknown, name: string): asserts value is MulticastInterface {
  if (typeof value === 'number') {
    validateInteger(value, name, 0, 0xffffffff);
    return;
  }
  if (typeof value !== 'string') {
    throw invalidArgType(
      name,
      'of type string (an address or scoped address) or number (an IPv6 interface index)',
      value,
    );
  }
}

/**
 * A UDP port with Twisted's multicast methods (`IMulticastTransport`), over `node:dgram`.
 *
 * `listenMulticast` builds and starts it; everything `UdpPort` does (synchronous bind,
 * `write`, `connect`, `stopListening`, `datagrams()`, `stats()`) works the same. Group and
 * interface arguments may be host names, resolved through the reactor as Twisted does, which
 * is why the membership methods return Deferreds; with IP literals they fire before they return.
 *
 * Node can set the multicast TTL, loopback mode and outgoing interface but not read them back,
 * so the port remembers what it set: the getters return those values (the OS defaults, TTL 1 and
 * loopback on, until a setter is called).
 *
 * @example
 * class Listener extends DatagramProtocol<MulticastPort> {
 *   override startProtocol() {
 *     this.transport.setTTL(1);
 *     this.transport.joinGroup('228.0.0.5', '127.0.0.1');
 *   }
 *   override datagramReceived(data: Buffer, addr: readonly [string, number]) {
 *     this.transport.write(Buffer.from('pong'), addr);
 *   }
 * }
 * reactor.listenMulticast(9999, new Listener(), { listenMultiple: true });
 */
export class MulticastPort extends UdpPort implements IMulticastTransport {
  /** `true` when this port shares its number with others (SO_REUSEADDR, and SO_REUSEPORT where it exists). */
  readonly listenMultiple: boolean;

  private ttl = 1;
  private loopback = true;
  private outgoingInterface: string;

  /** Makes a port; opens nothing. `listenMulticast` validated the arguments. */
  constructor(owner: IPortOwner, port: number, protocol: IDatagramProtocol, config: MulticastPortConfig) {
    super(owner, port, protocol, {
      interface: config.interface,
      maxPacketSize: config.maxPacketSize,
      signal: config.signal,
      maxSendQueue: config.maxSendQueue,
      createSocket: config.createSocket,
      ioPath: config.ioPath,
      reusePort: config.reusePort || (config.listenMultiple && listenMultipleNeedsReusePort()),
    });
    this.listenMultiple = config.listenMultiple;
    this.outgoingInterface = this.socketType === 'udp6' ? '::' : '0.0.0.0';
  }

  /** @internal Adds `reuseAddr` for `listenMultiple` (see multicast-support.ts for what each OS then sets). */
  protected override socketSpec(): UdpSocketSpec {
    return { ...super.socketSpec(), reuseAddr: this.listenMultiple };
  }

  protected override explainBindError(error: NodeJS.ErrnoException): string | undefined {
    return (
      (this.listenMultiple ? explainListenMultipleError(error) : undefined) ?? super.explainBindError(error)
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Group membership

  /**
   * Joins the multicast group `addr` on the interface `iface` (Twisted's `joinGroup`). `iface`
   * `''` lets the OS choose by its multicast route; give the address of the interface to be
   * sure (e.g. `'127.0.0.1'`, or on IPv6 `'::%eth0'` or an index). To join on every interface,
   * see `joinGroupOnAllInterfaces`.
   *
   * Errbacks with `MulticastJoinError` (carrying `group`, `interface` and the OS error) when
   * `addr` is not a multicast group of this port's family, `iface` is of the other family or
   * unknown, or the OS refuses (ENODEV, EADDRNOTAVAIL, EINVAL, EADDRINUSE for a second join);
   * with the reactor's resolution error when a host name does not resolve.
   */
  joinGroup(addr: string, iface: MulticastInterface = ''): Deferred<void> {
    validateString(addr, 'addr');
    validateInterfaceArg(iface, 'iface');
    return this.membership('join', undefined, addr, iface);
  }

  /** Leaves a group joined with `joinGroup` (same arguments, same errors). */
  leaveGroup(addr: string, iface: MulticastInterface = ''): Deferred<void> {
    validateString(addr, 'addr');
    validateInterfaceArg(iface, 'iface');
    return this.membership('leave', undefined, addr, iface);
  }

  /**
   * Beyond Twisted: joins `group` for datagrams from `source` only (source-specific multicast,
   * IGMPv3 / MLDv2; the SSM ranges are 232.0.0.0/8 and ff3x::/32, though Linux allows any group).
   * Same interface rules and errors as `joinGroup`.
   *
   * @example
   * await port.joinSourceGroup('127.0.0.1', '232.1.2.3', '127.0.0.1');
   */
  joinSourceGroup(source: string, group: string, iface: MulticastInterface = ''): Deferred<void> {
    validateString(source, 'source');
    validateString(group, 'group');
    validateInterfaceArg(iface, 'iface');
    return this.membership('join', source, group, iface);
  }

  /** Leaves a source-specific membership made with `joinSourceGroup`. */
  leaveSourceGroup(source: string, group: string, iface: MulticastInterface = ''): Deferred<void> {
    validateString(source, 'source');
    validateString(group, 'group');
    validateInterfaceArg(iface, 'iface');
    return this.membership('leave', source, group, iface);
  }

  private membership(
    op: MembershipOp,
    source: string | undefined,
    group: string,
    iface: MulticastInterface,
  ): Deferred<void> {
    return this.maybeResolve(group).addCallback((resolvedGroup) =>
      this.maybeResolve(source ?? '').addCallback((resolvedSource) =>
        this.maybeResolve(iface).addCallback((resolvedIface) => {
          this.applyMembership(
            op,
            source === undefined ? undefined : String(resolvedSource),
            String(resolvedGroup),
            resolvedIface,
            iface,
          );
        }),
      ),
    );
  }

  private applyMembership(
    op: MembershipOp,
    source: string | undefined,
    group: string,
    iface: MulticastInterface,
    ifaceAsGiven: MulticastInterface,
  ): void {
    const ifaceName = String(ifaceAsGiven);
    const what =
      `${op} ${group}${source !== undefined ? ` from source ${source}` : ''}` +
      ` on ${ifaceName === '' ? 'the default interface' : ifaceName}`;
    const failure = (reason: string, socketError?: unknown): MulticastJoinError =>
      new MulticastJoinError(group, ifaceName, `Could not ${what}: ${reason}`, socketError);
    const io = this.io;
    if (io === undefined || !this.listening) throw failure('the port is not listening (it was stopped)');
    const family = this.socketType === 'udp6' ? 6 : 4;
    const groupFamily = ipFamily(group);
    if (groupFamily !== family) {
      throw failure(
        groupFamily === 0
          ? 'the group is not an IP address'
          : `the group is an IPv${groupFamily} address but this port is IPv${family}` +
              (groupFamily === 6 ? " (listen on '::' for IPv6 multicast)" : ''),
      );
    }
    if (!isMulticastAddress(group)) {
      throw failure(
        family === 4
          ? 'not a multicast address (IPv4 groups are 224.0.0.0 to 239.255.255.255)'
          : 'not a multicast address (IPv6 groups are ff00::/8)',
      );
    }
    if (source !== undefined) {
      if (ipFamily(source) !== family) throw failure(`the source must be an IPv${family} address`);
      if (isMulticastAddress(source)) throw failure('the source must be a unicast address');
    }
    const ifaceArg = this.interfaceArgument(iface);
    if (ifaceArg instanceof InterfaceProblem) throw failure(`${ifaceArg.code}: ${ifaceArg.reason}`);
    try {
      if (source === undefined) io.changeMembership(op === 'join', group, ifaceArg);
      else io.changeSourceMembership(op === 'join', source, group, ifaceArg);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const hint = explainMembershipError(code, {
        leave: op === 'leave',
        sourceSpecific: source !== undefined,
      });
      throw failure(`${code ?? 'error'}: ${hint ?? (e as Error).message}`, e);
    }
  }

  /**
   * What dgram receives for an interface argument, or why it cannot be used: the family must be
   * the port's (an index only on IPv6), and IPv6 zones must name an existing interface.
   */
  private interfaceArgument(iface: MulticastInterface): string | undefined | InterfaceProblem {
    if (this.socketType === 'udp4') {
      if (typeof iface === 'number') {
        return new InterfaceProblem(
          'EINVAL',
          'an interface index is for IPv6 ports; give an IPv4 interface by its address (e.g. 127.0.0.1)',
        );
      }
      if (iface !== '' && ipFamily(iface) !== 4) {
        return new InterfaceProblem('EINVAL', 'the interface must be an IPv4 address on an IPv4 port');
      }
      return ipv4InterfaceArgument(iface);
    }
    if (typeof iface === 'string' && ipFamily(iface) === 4) {
      return new InterfaceProblem(
        'EINVAL',
        "the interface must be IPv6 on an IPv6 port: '::%<name>', an interface index, or an IPv6 address of this host",
      );
    }
    return ipv6InterfaceArgument(iface);
  }

  /** An IP literal, `''`, a scoped address or an index as is; a host name through the reactor, as Twisted. */
  private maybeResolve(name: MulticastInterface): Deferred<MulticastInterface> {
    if (typeof name === 'number' || name === '' || ipFamily(name) !== 0) return succeed(name);
    return this.owner.resolve(name);
  }

  // ---------------------------------------------------------------------------------------------
  // Socket options

  /**
   * Sets the interface multicast datagrams are sent from (Twisted's `setOutgoingInterface`): an
   * IPv4 address of this host, a host name (resolved through the reactor), or on IPv6 ports a
   * scoped address (`'::%eth0'`), an interface index, or an IPv6 address of this host.
   * Errbacks with `InvalidAddressError` for an address of the other family, an unknown
   * interface, or an address the OS refuses (EADDRNOTAVAIL: not an address of this host).
   */
  setOutgoingInterface(addr: MulticastInterface): Deferred<void> {
    validateInterfaceArg(addr, 'addr');
    return this.maybeResolve(addr).addCallback((resolved) => {
      this.applyOutgoingInterface(resolved, addr);
    });
  }

  private applyOutgoingInterface(addr: MulticastInterface, asGiven: MulticastInterface): void {
    const io = this.requireIO('setOutgoingInterface()');
    const invalid = (reason: string, cause?: unknown): InvalidAddressError =>
      new InvalidAddressError(
        asGiven,
        `setOutgoingInterface(${inspect(asGiven)}): ${reason}`,
        cause === undefined ? undefined : { cause },
      );
    const ifaceArg = this.interfaceArgument(addr);
    if (ifaceArg instanceof InterfaceProblem) throw invalid(`${ifaceArg.code}: ${ifaceArg.reason}`);
    const any = this.socketType === 'udp6' ? '::' : '0.0.0.0';
    try {
      io.setMulticastInterface(ifaceArg ?? any);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw invalid(
        code === 'EADDRNOTAVAIL'
          ? 'EADDRNOTAVAIL: not an address of this host'
          : `${code ?? 'error'}: ${explainMembershipError(code) ?? (e as Error).message}`,
        e,
      );
    }
    if (ifaceArg === undefined) this.outgoingInterface = any;
    else this.outgoingInterface = typeof asGiven === 'number' ? `::%${asGiven}` : String(addr);
  }

  /**
   * The outgoing interface last set: `'0.0.0.0'` (IPv4) or `'::'` (IPv6) until
   * `setOutgoingInterface` succeeds; afterwards the address as set (an index `n` as `'::%n'`).
   */
  getOutgoingInterface(): string {
    return this.outgoingInterface;
  }

  /**
   * Sets the time-to-live (IPv4) or hop limit (IPv6) of outgoing multicast datagrams: an integer
   * 0–255 (`RangeError` otherwise). 0 keeps them on this host, 1 (the default) on the local link.
   */
  setTTL(ttl: number): void {
    validateInteger(ttl, 'ttl', 0, 255);
    this.requireIO('setTTL()').setMulticastTTL(ttl);
    this.ttl = ttl;
  }

  /** The multicast TTL last set (1, the OS default, until `setTTL`). */
  getTTL(): number {
    return this.ttl;
  }

  /**
   * Whether this host's own sockets (this one included) receive the multicast datagrams this port
   * sends (IP_MULTICAST_LOOP / IPV6_MULTICAST_LOOP). `true`/`false`, or 1/0 as in Twisted.
   */
  setLoopbackMode(mode: boolean | 0 | 1): void {
    if (typeof mode === 'number') {
      if (mode !== 0 && mode !== 1) throw outOfRange('mode', 'true, false, 0 or 1', mode);
    } else if (typeof mode !== 'boolean') {
      throw invalidArgType('mode', 'of type boolean (or the number 0 or 1)', mode);
    }
    const io = this.requireIO('setLoopbackMode()');
    const enabled = mode === true || mode === 1;
    io.setMulticastLoopback(enabled);
    this.loopback = enabled;
  }

  /** The loopback mode last set (`true`, the OS default, until `setLoopbackMode`). */
  getLoopbackMode(): boolean {
    return this.loopback;
  }

  /** What `console.log` and `util.inspect` show: `MulticastPort <Proto on 0.0.0.0:9999>`. */
  override [inspect.custom](): string {
    return `MulticastPort ${this.toString()}`;
  }
}
