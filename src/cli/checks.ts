/**
 * The checks of `twisted-ts doctor`: each one tries, on this host, one thing the seed's problem
 * depends on (two sockets on one UDP port, multicast on loopback, reusePort, IPv6, low ports) and
 * says what it found and how to fix a failure. They use the library itself, so what they report
 * is what a program using twisted-ts will meet.
 *
 * Network safety: every datagram a check sends goes to 127.0.0.1 or ::1, or to a multicast group
 * with the outgoing interface 127.0.0.1 and a TTL of 1. Joins on other interfaces happen only for
 * the interfaces the user names, and nothing is ever sent on them.
 *
 * @module
 */
import { networkInterfaces } from 'node:os';
import { checkUdpIO } from './io-check.ts';
import { readFileSync } from 'node:fs';
import {
  CannotListenError,
  DatagramProtocol,
  Deferred,
  MulticastJoinError,
  TimeoutError,
  reactor,
  type AddressTuple,
  type IUDPTransport,
} from '../index.ts';

/** How a check ended: `warn` is a limitation worth knowing, `fail` breaks what the seed needs. */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

/** One line of the doctor's table. */
export interface CheckResult {
  /** A stable identifier (`node-version`, `bind-twice-plain` …), for scripts reading `--json`. */
  id: string;
  /** What was tried, in a few words. */
  title: string;
  /** `pass`, `warn`, `fail` or `skip`. */
  status: CheckStatus;
  /** What happened. */
  detail: string;
  /** The OS or twisted-ts error code involved, if any (`EADDRINUSE`, `ENODEV` …). */
  code?: string;
  /** How to fix it; present for `warn` and `fail`. */
  fix?: string;
}

/** What the checks may touch. */
export interface CheckOptions {
  /** Interfaces (IPv4 addresses, names such as `eth0`, or `all`) to try a group join on; none by default. */
  interfaces: readonly string[];
  /** The multicast group the checks use. */
  group: string;
  /** How long to wait for a datagram, in seconds. */
  timeout: number;
}

/** A protocol that records what it receives and can wait for the next datagram. */
class Recorder extends DatagramProtocol {
  readonly received: [Buffer, AddressTuple][] = [];
  private waiting: Deferred<Buffer> | undefined;

  override datagramReceived(datagram: Buffer, addr: AddressTuple): void {
    this.received.push([datagram, addr]);
    const d = this.waiting;
    this.waiting = undefined;
    d?.callback(datagram);
  }

  /** The next datagram, or a TimeoutError after `seconds`. */
  next(seconds: number): Deferred<Buffer> {
    const d = new Deferred<Buffer>(() => {
      if (this.waiting === d) this.waiting = undefined;
    });
    this.waiting = d;
    return d.addTimeout(seconds, reactor);
  }
}

function errorCode(e: unknown): string | undefined {
  if (e instanceof CannotListenError || e instanceof MulticastJoinError) return e.socketError?.code ?? e.code;
  if (e !== null && typeof e === 'object' && typeof (e as { code?: unknown }).code === 'string') {
    return (e as { code: string }).code;
  }
  return undefined;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Runs `send` and waits for `receiver`'s next datagram; if `send` throws, the wait is dropped quietly. */
async function roundTrip(receiver: Recorder, send: () => void, seconds: number): Promise<void> {
  const got = receiver.next(seconds);
  try {
    send();
  } catch (e) {
    got.addErrback(() => undefined);
    got.cancel();
    throw e;
  }
  await got;
}

async function closeAll(ports: readonly IUDPTransport[]): Promise<void> {
  await Promise.all(ports.map((p) => p.stopListening().asPromise()));
}

/** Node ≥ 22.12 is what the package supports: it is the first 22.x with dgram's `reusePort`. */
export function checkNodeVersion(): CheckResult {
  const [major, minor] = process.versions.node.split('.').map(Number);
  const ok = major > 22 || (major === 22 && minor >= 12);
  return {
    id: 'node-version',
    title: 'Node.js version',
    status: ok ? 'pass' : 'fail',
    detail: `Node ${process.versions.node} on ${process.platform}/${process.arch}`,
    ...(ok
      ? {}
      : {
          fix: 'Install Node 22.12 or later (24 LTS recommended): older versions lack dgram reusePort and are not supported.',
        }),
  };
}

/** The seed's failure, on purpose: a second plain socket on a taken port must get EADDRINUSE. */
export async function checkBindTwicePlain(): Promise<CheckResult> {
  const base = { id: 'bind-twice-plain', title: 'Second plain bind of a UDP port is refused' };
  const first = reactor.listenUDP(0, new Recorder(), '127.0.0.1');
  const port = first.getHost().port;
  try {
    const second = reactor.listenUDP(port, new Recorder(), '127.0.0.1');
    await closeAll([second]);
    return {
      ...base,
      status: 'warn',
      detail: `a second socket bound 127.0.0.1:${port} without asking for reuse`,
      fix:
        'This OS lets a socket take a port another socket holds; any local program can read datagrams ' +
        'meant for yours. Bind your services to specific addresses and do not rely on exclusivity.',
    };
  } catch (e) {
    if (e instanceof CannotListenError && e.socketError.code === 'EADDRINUSE') {
      return {
        ...base,
        status: 'pass',
        code: 'EADDRINUSE',
        detail:
          `refused as expected (CannotListenError, EADDRINUSE): a client that must send from a ` +
          `server's port sends through that port's transport, or both sockets use listenMultiple`,
      };
    }
    return {
      ...base,
      status: 'fail',
      code: errorCode(e),
      detail: `unexpected error: ${message(e)}`,
      fix: 'Report this: binding a taken port should fail with EADDRINUSE.',
    };
  } finally {
    await closeAll([first]);
  }
}

/** Twisted's fix: two listenMulticast ports with listenMultiple share one port. */
export async function checkBindTwiceListenMultiple(): Promise<CheckResult> {
  const base = { id: 'bind-twice-listen-multiple', title: 'Two listenMultiple ports share one port' };
  const ports: IUDPTransport[] = [];
  try {
    const options = { interface: '127.0.0.1', listenMultiple: true };
    const first = reactor.listenMulticast(0, new Recorder(), options);
    ports.push(first);
    const port = first.getHost().port;
    ports.push(reactor.listenMulticast(port, new Recorder(), options));
    return {
      ...base,
      status: 'pass',
      detail: `both sockets bound 127.0.0.1:${port} (SO_REUSEADDR/SO_REUSEPORT)`,
    };
  } catch (e) {
    return {
      ...base,
      status: 'fail',
      code: errorCode(e),
      detail: message(e),
      fix:
        'The platform refuses address reuse for UDP. On Windows, another program may hold the port ' +
        'with SO_EXCLUSIVEADDRUSE; otherwise send through one port instead of sharing it.',
    };
  } finally {
    await closeAll(ports);
  }
}

/** `reusePort`: several processes on one port with kernel load balancing (Linux, BSD). */
export async function checkReusePort(): Promise<CheckResult> {
  const base = { id: 'reuse-port', title: 'listenUDP reusePort (SO_REUSEPORT)' };
  const ports: IUDPTransport[] = [];
  try {
    const first = reactor.listenUDP(0, new Recorder(), { interface: '127.0.0.1', reusePort: true });
    ports.push(first);
    const port = first.getHost().port;
    ports.push(reactor.listenUDP(port, new Recorder(), { interface: '127.0.0.1', reusePort: true }));
    return {
      ...base,
      status: 'pass',
      detail: `two reusePort sockets bound 127.0.0.1:${port}; the kernel balances datagrams between them`,
    };
  } catch (e) {
    return {
      ...base,
      status: 'warn',
      code: errorCode(e),
      detail: message(e),
      fix:
        'SO_REUSEPORT is missing here (Windows, macOS load-balances differently): run one process per ' +
        'port, or use listenMulticast with listenMultiple where every socket must see every datagram.',
    };
  } finally {
    await closeAll(ports);
  }
}

const multicastRouteFix =
  process.platform === 'linux'
    ? 'Give loopback multicast: `sudo ip link set lo up multicast on && sudo ip route add 224.0.0.0/4 dev lo` ' +
      '(a host with a default route usually has one already); check that no firewall drops 224.0.0.0/4 on lo.'
    : 'Make sure a multicast route exists (most hosts have one through the default route) and that ' +
      'no firewall drops multicast on the loopback interface.';

/** Joins `group` on 127.0.0.1, sends one datagram to it with TTL 1 out of 127.0.0.1, and waits for it. */
export async function checkLoopbackMulticast(options: CheckOptions): Promise<CheckResult> {
  const base = { id: 'multicast-loopback', title: `Multicast send/receive on loopback (${options.group})` };
  const receiver = new Recorder();
  const ports: IUDPTransport[] = [];
  try {
    const port = reactor.listenMulticast(0, receiver, { listenMultiple: true });
    ports.push(port);
    await port.joinGroup(options.group, '127.0.0.1');
    await port.setOutgoingInterface('127.0.0.1');
    port.setTTL(1);
    port.setLoopbackMode(true);
    const to: AddressTuple = [options.group, port.getHost().port];
    await roundTrip(receiver, () => port.write(Buffer.from('twisted-ts doctor'), to), options.timeout);
    return { ...base, status: 'pass', detail: 'joined on 127.0.0.1, sent with TTL 1, received it back' };
  } catch (e) {
    if (e instanceof TimeoutError) {
      return {
        ...base,
        status: 'fail',
        code: 'ETIMEDOUT',
        detail: `the datagram sent to ${options.group} did not come back within ${options.timeout} s`,
        fix: multicastRouteFix,
      };
    }
    return {
      ...base,
      status: 'fail',
      code: errorCode(e),
      detail: message(e),
      fix: multicastRouteFix,
    };
  } finally {
    await closeAll(ports);
  }
}

/** The IPv4 addresses to join on for each `--interface` argument (an address, a name, or `all`). */
export function resolveInterfaces(names: readonly string[]): { name: string; address: string | undefined }[] {
  const table = networkInterfaces();
  const v4 = (entries: (typeof table)[string]) => entries?.find((a) => a.family === 'IPv4')?.address;
  const out: { name: string; address: string | undefined }[] = [];
  for (const name of names) {
    if (name === 'all') {
      for (const [ifname, entries] of Object.entries(table)) out.push({ name: ifname, address: v4(entries) });
    } else if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) {
      out.push({ name, address: name });
    } else {
      out.push({ name, address: v4(table[name]) });
    }
  }
  return out;
}

/**
 * Joins `group` on one interface and leaves again — never sends. ENODEV means no such device or no
 * multicast route, EADDRNOTAVAIL an address that is not this machine's.
 */
export async function checkJoinOn(
  name: string,
  address: string | undefined,
  group: string,
): Promise<CheckResult> {
  const base = { id: `multicast-join:${name}`, title: `Join ${group} on ${name}` };
  if (address === undefined) {
    return {
      ...base,
      status: 'fail',
      code: 'ENODEV',
      detail: `no IPv4 address for interface "${name}"`,
      fix: `Check the name with \`ip addr\` (Linux) or \`ifconfig\`; give an IPv4 address of this machine.`,
    };
  }
  const ports: IUDPTransport[] = [];
  try {
    const port = reactor.listenMulticast(0, new Recorder(), { listenMultiple: true });
    ports.push(port);
    await port.joinGroup(group, address);
    await port.leaveGroup(group, address);
    return { ...base, status: 'pass', detail: `joined and left on ${address} (nothing sent)` };
  } catch (e) {
    const code = errorCode(e);
    const local = Object.values(networkInterfaces()).some((list) => list?.some((a) => a.address === address));
    // Linux answers ENODEV for an address no interface has, EADDRNOTAVAIL on some other systems.
    const fix = !local
      ? `${address} is not an address of this machine: pass one that \`ip addr\` (or \`ifconfig\`) lists.`
      : code === 'ENODEV'
        ? `No multicast-capable device or route for ${address}: bring the interface up, enable multicast ` +
          `on it (\`ip link set <dev> multicast on\`), or add a route for 224.0.0.0/4.`
        : code === 'EADDRNOTAVAIL'
          ? `The interface with ${address} is down or cannot join groups now; bring it up and retry.`
          : 'See the error; joining needs a multicast-capable interface that is up.';
    return { ...base, status: 'fail', code, detail: message(e), fix };
  } finally {
    await closeAll(ports);
  }
}

/** IPv6: bind ::1 and send a datagram to itself. */
export async function checkIPv6(options: CheckOptions): Promise<CheckResult> {
  const base = { id: 'ipv6', title: 'IPv6 UDP on ::1' };
  const receiver = new Recorder();
  const ports: IUDPTransport[] = [];
  try {
    const port = reactor.listenUDP(0, receiver, '::1');
    ports.push(port);
    const to: AddressTuple = ['::1', port.getHost().port];
    await roundTrip(receiver, () => port.write(Buffer.from('twisted-ts doctor'), to), options.timeout);
    return { ...base, status: 'pass', detail: `bound [::1]:${port.getHost().port} and received from itself` };
  } catch (e) {
    return {
      ...base,
      status: 'warn',
      code: e instanceof TimeoutError ? 'ETIMEDOUT' : errorCode(e),
      detail: message(e),
      fix:
        process.platform === 'linux'
          ? 'IPv6 looks disabled: `sudo sysctl -w net.ipv6.conf.lo.disable_ipv6=0` (and check the ' +
            'ipv6.disable kernel parameter). IPv4 keeps working.'
          : 'IPv6 looks disabled on loopback; IPv4 keeps working.',
    };
  } finally {
    await closeAll(ports);
  }
}

function unprivilegedPortStart(): number | undefined {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8').trim());
  } catch {
    return undefined;
  }
}

/** Ports below 1024 (SSDP's 1900 and mDNS's 5353 are not among them, DNS's 53 is). */
export async function checkPrivilegedPort(): Promise<CheckResult> {
  const base = { id: 'privileged-port', title: 'Binding a port below 1024' };
  const start = unprivilegedPortStart();
  const limit = start === undefined ? '' : ` (net.ipv4.ip_unprivileged_port_start = ${start})`;
  // A few high "privileged" ports, in case one is taken by a local service.
  for (const candidate of [1023, 1022, 1021, 1020, 1019]) {
    try {
      const port = reactor.listenUDP(candidate, new Recorder(), '127.0.0.1');
      await closeAll([port]);
      const root = process.getuid?.() === 0 ? ', running as root' : '';
      return { ...base, status: 'pass', detail: `bound 127.0.0.1:${candidate}${limit}${root}` };
    } catch (e) {
      const code = errorCode(e);
      if (code === 'EADDRINUSE') continue;
      if (code === 'EACCES') {
        return {
          ...base,
          status: 'warn',
          code,
          detail: `EACCES on 127.0.0.1:${candidate}: this user may not bind ports below ${start ?? 1024}${limit}`,
          fix:
            process.platform === 'linux'
              ? 'Use a port >= 1024, or allow it: `sudo setcap cap_net_bind_service=+ep "$(command -v node)"` ' +
                'or `sudo sysctl -w net.ipv4.ip_unprivileged_port_start=0`.'
              : 'Use a port >= 1024, or run with the needed privileges.',
        };
      }
      return { ...base, status: 'warn', code, detail: message(e), fix: 'Use a port >= 1024.' };
    }
  }
  return { ...base, status: 'skip', detail: 'ports 1019-1023 on 127.0.0.1 are all in use; nothing to learn' };
}

/** Runs `check`; a check that throws where it should have reported becomes a failed row, not a crash. */
async function safely(
  id: string,
  title: string,
  check: () => CheckResult | Promise<CheckResult>,
): Promise<CheckResult> {
  try {
    return await check();
  } catch (e) {
    return {
      id,
      title,
      status: 'fail',
      code: errorCode(e),
      detail: `the check itself failed: ${message(e)}`,
      fix: 'Is the loopback interface up? (`ip link set lo up` on Linux.) Otherwise please report this.',
    };
  }
}

/** Runs every check in order (they share the process-wide reactor, so one at a time). */
export async function runChecks(options: CheckOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const run = async (id: string, title: string, check: () => CheckResult | Promise<CheckResult>) => {
    results.push(await safely(id, title, check));
  };
  await run('node-version', 'Node.js version', checkNodeVersion);
  await run('bind-twice-plain', 'Second plain bind of a UDP port is refused', checkBindTwicePlain);
  await run(
    'bind-twice-listen-multiple',
    'Two listenMultiple ports share one port',
    checkBindTwiceListenMultiple,
  );
  await run('reuse-port', 'listenUDP reusePort (SO_REUSEPORT)', checkReusePort);
  await run('multicast-loopback', `Multicast send/receive on loopback (${options.group})`, () =>
    checkLoopbackMulticast(options),
  );
  for (const { name, address } of resolveInterfaces(options.interfaces)) {
    await run(`multicast-join:${name}`, `Join ${options.group} on ${name}`, () =>
      checkJoinOn(name, address, options.group),
    );
  }
  await run('ipv6', 'IPv6 UDP on ::1', () => checkIPv6(options));
  await run('privileged-port', 'Binding a port below 1024', checkPrivilegedPort);
  await run('udp-io', 'UDP I/O path (native batched or node:dgram)', () => checkUdpIO(options.timeout));
  return results;
}
