/**
 * OS-level failures mapped to clear errors: a privileged port without permission (EACCES, run
 * as an unprivileged user through setpriv), no multicast route (ENODEV, in a fresh `unshare -n`
 * namespace), an address this host does not have (EADDRNOTAVAIL), and a send to an unreachable
 * network (ENETUNREACH, in a fresh namespace with no route at all: nothing can leave).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CannotListenError, InvalidAddressError } from '../../src/errors.ts';
import { DatagramProtocol } from '../../src/protocols/datagram-protocol.ts';
import { Reactor } from '../../src/reactor/reactor.ts';
import { captureLog, inNetns } from './helpers.ts';

const fixture = fileURLToPath(new URL('./fixtures/os-errors.ts', import.meta.url));
const isRoot = process.getuid?.() === 0;
const hasSetpriv = existsSync('/usr/bin/setpriv') || existsSync('/bin/setpriv');
const hasUnshare = existsSync('/usr/bin/unshare') || existsSync('/bin/unshare');

/** Runs one scenario of the fixture under `wrapper` (e.g. setpriv …) and parses its JSON line. */
async function run(wrapper: string[], scenario: string): Promise<Record<string, unknown>> {
  const [cmd, ...args] = [
    ...wrapper,
    process.execPath,
    '--no-warnings',
    '--experimental-strip-types',
    fixture,
    scenario,
  ];
  const { stdout } = await promisify(execFile)(cmd, args, { timeout: 15_000 });
  return JSON.parse(stdout.trim().split('\n').pop() as string) as Record<string, unknown>;
}

let log: ReturnType<typeof captureLog>;
beforeAll(() => {
  log = captureLog();
});
afterAll(() => log.stop());

describe('OS refusals become clear, typed errors', () => {
  it.skipIf(!isRoot || !hasSetpriv || !inNetns)(
    'EACCES: a port below 1024 without CAP_NET_BIND_SERVICE → CannotListenError that says so',
    async () => {
      // uid/gid nobody, no supplementary groups, no capabilities at all. The netns has the
      // kernel's default net.ipv4.ip_unprivileged_port_start of 1024.
      const result = await run(
        [
          'setpriv',
          '--reuid=65534',
          '--regid=65534',
          '--clear-groups',
          '--inh-caps=-all',
          '--bounding-set=-all',
        ],
        'privileged',
      );
      expect(result.uid).toBe(65534);
      expect(result.name).toBe('CannotListenError');
      expect(result.code).toBe('ERR_CANNOT_LISTEN');
      expect(result.osCode).toBe('EACCES');
      expect(result.message).toMatch(/^Couldn't listen on 127\.0\.0\.1:80: EACCES: /);
      expect(result.message).toContain('CAP_NET_BIND_SERVICE');
      expect(result.message).toContain('ip_unprivileged_port_start');
    },
  );

  it.skipIf(!isRoot || !hasUnshare)(
    'ENODEV: joining a group with no multicast route → MulticastJoinError explaining the route',
    async () => {
      const result = await run(['unshare', '-n'], 'noMulticastRoute');
      expect(result.name).toBe('MulticastJoinError');
      expect(result.osCode).toBe('ENODEV');
      expect(result.message).toMatch(/^Could not join 228\.0\.0\.5 on the default interface: ENODEV: /);
      expect(result.message).toContain('ip route add 224.0.0.0/4');
    },
  );

  it.skipIf(!inNetns)('EADDRNOTAVAIL: binding an address this host does not have → CannotListenError', () => {
    const reactor = new Reactor();
    let caught: unknown;
    try {
      reactor.listenUDP(0, new DatagramProtocol(), '192.0.2.1'); // TEST-NET-1; nothing is sent
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(CannotListenError);
    const e = caught as CannotListenError;
    expect(e.socketError.code).toBe('EADDRNOTAVAIL');
    expect(e.message).toBe(
      "Couldn't listen on 192.0.2.1:0: EADDRNOTAVAIL: the interface address is not an address of this machine.",
    );
    expect(reactor.getListeningPorts()).toEqual([]);
  });

  it.skipIf(!inNetns)(
    'EADDRNOTAVAIL: an outgoing multicast interface this host does not have → InvalidAddressError (errback)',
    async () => {
      const port = new Reactor().listenMulticast(0, new DatagramProtocol(), { listenMultiple: true });
      const error = await port.setOutgoingInterface('192.0.2.1').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(InvalidAddressError);
      expect((error as Error).message).toBe(
        "setOutgoingInterface('192.0.2.1'): EADDRNOTAVAIL: not an address of this host",
      );
      expect(port.getOutgoingInterface()).toBe('0.0.0.0');
      await port.stopListening();
    },
  );

  it.skipIf(!isRoot || !hasUnshare)(
    'ENETUNREACH: a send with no route is logged with its stack, counted and emitted — never thrown',
    async () => {
      const result = await run(['unshare', '-n'], 'unreachable');
      expect(result.thrown).toBeNull();
      expect(result.emitted).toEqual(['ENETUNREACH']);
      expect(result.errors).toBe(1);
      expect(result.datagramsOut).toBe(0);
      expect(result.osCode).toBe('ENETUNREACH');
      expect(result.why).toMatch(/to 192\.0\.2\.1:9 failed: ENETUNREACH \(no route to that network\)$/);
      expect(result.traceback).toMatch(/ENETUNREACH[^\n]*\n\s+at /);
    },
  );
});
