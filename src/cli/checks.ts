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
import { readFileSync } from 'node:fs';
import { CannotListenError, TimeoutError, reactor, type AddressTuple, type IUDPTransport } from '../index.ts';
import type { CheckOptions, CheckResult } from './check-result.ts';
import { Recorder, closeAll, errorCode, message, roundTrip } from './check-support.ts';
import { checkUdpIO } from './io-check.ts';
import { checkJoinOn, checkLoopbackMulticast, resolveInterfaces } from './multicast-checks.ts';

export type { CheckOptions, CheckResult, CheckStatus } from './check-result.ts';
export { checkJoinOn, checkLoopbackMulticast, resolveInterfaces } from './multicast-checks.ts';

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
