/**
 * The multicast checks of `twisted-ts doctor`: send and receive on loopback, and a group join on
 * each interface the user names (nothing is ever sent on those).
 *
 * @module
 */
import { networkInterfaces } from 'node:os';
import { TimeoutError, reactor, type AddressTuple, type IUDPTransport } from '../index.ts';
import type { CheckOptions, CheckResult } from './check-result.ts';
import { Recorder, closeAll, errorCode, message, roundTrip } from './check-support.ts';

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
