/**
 * Security: port reuse is opt-in on both sides, and what Linux does when another user tries to
 * share a port (the facts docs/security.md states, checked on this kernel). Loopback only.
 */
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CannotListenError } from '../../src/errors.ts';
import type { AddressTuple } from '../../src/interfaces.ts';
import { DatagramProtocol } from '../../src/protocols/datagram-protocol.ts';
import { Reactor } from '../../src/reactor/reactor.ts';
import { captureLog, inNetns, turns } from './helpers.ts';

const intruder = fileURLToPath(new URL('./fixtures/intruder.mjs', import.meta.url));
const canDropPrivileges = process.getuid?.() === 0 && existsSync('/usr/bin/setpriv') && inNetns;
const linux = process.platform === 'linux';

let log: ReturnType<typeof captureLog>;
beforeAll(() => {
  log = captureLog();
});
afterAll(() => log.stop());

class Counter extends DatagramProtocol {
  count = 0;
  override datagramReceived(_d: Buffer, _a: AddressTuple): void {
    this.count += 1;
  }
}

function bindError(fn: () => unknown): CannotListenError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CannotListenError);
    return e as CannotListenError;
  }
  throw new Error('the bind succeeded');
}

/** Binds a plain node:dgram socket (no reuse options) in this process; resolves with its error code or 'bound'. */
function plainBind(port: number, address: string): Promise<string> {
  const s = dgram.createSocket('udp4');
  return new Promise((resolve) => {
    s.once('error', (e: NodeJS.ErrnoException) => {
      s.close();
      resolve(e.code ?? '?');
    });
    s.bind(port, address, () => {
      s.close();
      resolve('bound');
    });
  });
}

describe('reuse is opt-in on both sides', () => {
  const reactor = new Reactor();

  it('a plain socket cannot bind onto a listenMultiple port (twisted-ts or raw dgram)', async () => {
    const shared = reactor.listenMulticast(0, new Counter(), { listenMultiple: true });
    const port = shared.getHost().port;
    expect(bindError(() => reactor.listenMulticast(port, new Counter())).socketError.code).toBe('EADDRINUSE');
    expect(bindError(() => reactor.listenUDP(port, new Counter())).socketError.code).toBe('EADDRINUSE');
    expect(await plainBind(port, '0.0.0.0')).toBe('EADDRINUSE');
    // Control: a second listenMultiple socket shares it.
    const second = reactor.listenMulticast(port, new Counter(), { listenMultiple: true });
    await second.stopListening();
    await shared.stopListening();
  });

  it('a plain socket cannot bind onto a reusePort port', async () => {
    const shared = reactor.listenUDP(0, new Counter(), { interface: '127.0.0.1', reusePort: true });
    const port = shared.getHost().port;
    expect(bindError(() => reactor.listenUDP(port, new Counter(), '127.0.0.1')).socketError.code).toBe(
      'EADDRINUSE',
    );
    expect(await plainBind(port, '127.0.0.1')).toBe('EADDRINUSE');
    const second = reactor.listenUDP(port, new Counter(), { interface: '127.0.0.1', reusePort: true });
    await second.stopListening();
    await shared.stopListening();
  });

  it('a listenMultiple (or reusePort) port cannot bind onto a plain one, and says why', async () => {
    const plain = reactor.listenUDP(0, new Counter());
    const port = plain.getHost().port;
    const e = bindError(() => reactor.listenMulticast(port, new Counter(), { listenMultiple: true }));
    expect(e.socketError.code).toBe('EADDRINUSE');
    expect(e.message).toContain('a port is shared only if every socket on it asks for reuse');
    expect(
      bindError(() => reactor.listenUDP(port, new Counter(), { reusePort: true })).socketError.code,
    ).toBe('EADDRINUSE');
    await plain.stopListening();
  });
});

interface IntruderResult {
  uid?: number;
  bound?: boolean;
  error?: string;
  received?: number;
}

/** Runs the intruder as user nobody; `onBound` runs once it has bound; resolves with its lines. */
async function runIntruder(
  port: number,
  mode: string,
  ms: number,
  onBound?: () => Promise<void>,
  address = '0.0.0.0',
): Promise<IntruderResult[]> {
  const child = spawn(
    'setpriv',
    [
      '--reuid=65534',
      '--regid=65534',
      '--clear-groups',
      process.execPath,
      intruder,
      String(port),
      mode,
      String(ms),
      address,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines: IntruderResult[] = [];
  for await (const line of createInterface({ input: child.stdout })) {
    const parsed = JSON.parse(line) as IntruderResult;
    lines.push(parsed);
    if (parsed.bound === true && onBound !== undefined) await onBound();
  }
  return lines;
}

describe.skipIf(!canDropPrivileges || !linux)('another user on the same host (Linux)', () => {
  const reactor = new Reactor();

  it('cannot join a reusePort port: SO_REUSEPORT is limited to one effective UID', async () => {
    const port = reactor.listenUDP(0, new Counter(), { reusePort: true });
    const n = port.getHost().port;
    for (const mode of ['plain', 'port', 'addr', 'addrport']) {
      const [result] = await runIntruder(n, mode, 0);
      expect(result, mode).toEqual({ uid: 65534, error: 'EADDRINUSE' });
    }
    await port.stopListening();
  });

  it('CAN join a listenMultiple port with SO_REUSEADDR, and then receives its unicast datagrams (the hijacking risk)', async () => {
    const victim = new Counter();
    const port = reactor.listenMulticast(0, victim, { listenMultiple: true });
    const n = port.getHost().port;
    const sender = reactor.listenUDP(0, new Counter(), '127.0.0.1');
    const lines = await runIntruder(n, 'addr', 300, async () => {
      for (let i = 0; i < 20; i++) sender.write(Buffer.from(`secret ${i}`), ['127.0.0.1', n]);
      await turns(2);
    });
    expect(lines[0]).toEqual({ uid: 65534, bound: true });
    const stolen = lines[1].received ?? 0;
    // Linux hands unicast to the most recently bound SO_REUSEADDR socket: the intruder.
    console.log(`hijack: the intruder received ${stolen} of 20 unicast datagrams`);
    expect(stolen + victim.count).toBe(20);
    expect(stolen).toBeGreaterThan(0);
    await sender.stopListening();
    await port.stopListening();
  });

  // docs/security.md: the other doors onto a listenMultiple port (issue 12, point 11).
  // `steals`: whether the intruder then gets the unicast (Linux prefers an IPv4 socket for IPv4
  // traffic over a dual-stack one, whichever was bound last).
  it.each([
    ['an IPv4 listenMultiple port', '', '::ffff:127.0.0.1', true],
    ['an IPv4 listenMultiple port', '', '::', false],
    ["a dual-stack '::' listenMultiple port", '::', '0.0.0.0', true],
    ["a dual-stack '::' listenMultiple port", '::', '::ffff:127.0.0.1', true],
    ["a dual-stack '::' listenMultiple port", '::', '::', true],
  ])(
    'CAN join %s (interface %j) through %s with SO_REUSEADDR (takes its unicast: %s)',
    async (_what, iface, through, steals) => {
      const victim = new Counter();
      const port = reactor.listenMulticast(0, victim, { interface: iface, listenMultiple: true });
      const n = port.getHost().port;
      const sender = reactor.listenUDP(0, new Counter(), '127.0.0.1');
      const lines = await runIntruder(
        n,
        'addr',
        300,
        async () => {
          for (let i = 0; i < 20; i++) sender.write(Buffer.from(`secret ${i}`), ['127.0.0.1', n]);
          await turns(2);
        },
        through,
      );
      expect(lines[0]).toEqual({ uid: 65534, bound: true });
      const stolen = lines[1].received ?? 0;
      console.log(`hijack via ${through} onto ${iface || "''"}: the intruder received ${stolen} of 20`);
      expect(stolen + victim.count).toBe(20);
      if (steals) expect(stolen).toBeGreaterThan(0);
      else expect(stolen).toBe(0);
      await sender.stopListening();
      await port.stopListening();
    },
  );
});
