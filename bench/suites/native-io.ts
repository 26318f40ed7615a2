/**
 * Native batched UDP I/O (issue 18): receive capacity, send rate and echo, twisted-ts on its
 * native path against raw node:dgram, Python Twisted and a C recvmmsg/sendmmsg reference.
 *
 * Receive capacity cannot be measured with a live sender on loopback (the sender pays for the
 * delivery, so the sender is what is measured): the receiver's event loop is blocked (`hold`),
 * a C filler takes a copy of the receiver's socket (pidfd_getfd), raises its receive buffer
 * with SO_RCVBUFFORCE (that socket only; needs root, as in the private netns) and queues N
 * datagrams, then the receiver is released and the drain is timed.
 *
 * @module
 */
import { Child, nodeChild, pythonChild, reportOf, sleep, type Message } from '../lib/child.ts';
import { compileCReference } from '../lib/c-reference.ts';
import { withPython } from '../lib/contenders.ts';
import { Section, type SuiteContext, type SectionResult } from '../lib/results.ts';
import { PY, RAW, TT, num } from './common.ts';

const C = 'C (recvmmsg/sendmmsg)';

/** A receiving process, started once per case so its code is warm for every round. */
interface Receiver {
  child: Child;
  port: number;
  pid: number;
}

async function start(child: Child): Promise<Message> {
  try {
    const ready = await child.next(15_000);
    if (ready.ready !== true)
      throw new Error(`${child.name}: unexpected first message ${JSON.stringify(ready)}`);
    return ready;
  } catch (e) {
    child.kill();
    throw e;
  }
}

function runToEnd(child: Child, timeoutMs = 120_000): Promise<Message> {
  return reportOf(child, timeoutMs);
}

export async function run(ctx: SuiteContext): Promise<SectionResult> {
  const section = new Section(
    'native-io',
    'Native batched UDP I/O',
    "twisted-ts on its native path (`io: 'auto'` with the addon: recvmmsg drained up to 256 datagrams " +
      'per wake-up and handed to JavaScript in one call, the writes of a turn sent with sendmmsg) against ' +
      'raw node:dgram, Python Twisted 22.4 (epoll) and a C loop making the same system calls (compiled ' +
      "at bench time). *Receive capacity*: the receiver's event loop is blocked, a C filler queues N " +
      'datagrams in its socket (SO_RCVBUFFORCE on that socket, taken with pidfd_getfd; needs root), the ' +
      'receiver is released and the drain timed: rate = N / (last datagram − release); CPU = receiver ' +
      'CPU per datagram; each receiver process is warmed by one drain first. *Send*: bursts of 64 × 64 B ' +
      'written in one event-loop turn, to a C sink; rate = datagrams / s measured by the sender. *Echo*: ' +
      'the same implementation at both ends (client and server), 64-byte datagrams, 1 or 64 in flight; ' +
      'CPU = server CPU per round trip.',
    [
      { key: 'rate', label: 'rate', unit: '1/s', better: 'higher' },
      { key: 'cpu', label: 'CPU per datagram', unit: 'µs', better: 'lower' },
    ],
  );
  const reference = compileCReference();
  if ('reason' in reference) section.skip(reference.reason);
  const cPath = 'path' in reference ? reference.path : undefined;
  const contenders = [...withPython(ctx, section, [TT, RAW], PY), ...(cPath === undefined ? [] : [C])];
  try {
    if (cPath === undefined || process.getuid?.() !== 0) {
      section.skip(
        'receive capacity: the filler needs the C reference and root (pidfd_getfd, SO_RCVBUFFORCE)',
      );
    } else {
      // --quick checks that the benchmark runs: one size, small counts.
      const sizes = ctx.quick
        ? [[64, 5_000] as const]
        : ([
            [64, 100_000],
            [1200, 50_000],
          ] as const);
      for (const [size, count] of sizes) {
        await drainCase(ctx, section, contenders, cPath, size, count);
      }
    }
    await sendCase(ctx, section, contenders, cPath);
    await echoCases(ctx, section, contenders, cPath);
  } finally {
    if ('remove' in reference) reference.remove();
  }
  return section.finish();
}

function receiverChild(contender: string, cPath: string | undefined): Child {
  if (contender === C) return new Child(C, cPath as string, ['drain']);
  if (contender === PY) return pythonChild(PY, 'drain_receiver.py', []);
  return nodeChild(contender, 'drain-receiver.ts', ['--impl', contender === TT ? 'tt' : 'raw']);
}

async function drain(receiver: Receiver, cPath: string, size: number, count: number, holdMs: number) {
  const before = await receiver.child.ask('stats');
  await receiver.child.ask(`hold ${holdMs}`);
  const filled = await runToEnd(
    new Child('filler', cPath, [
      'fill',
      '--pid',
      String(receiver.pid),
      '--port',
      String(receiver.port),
      '--count',
      String(count),
      '--size',
      String(size),
    ]),
  );
  const sent = num(filled, 'sent');
  let after = before;
  for (let i = 0; i < 100; i++) {
    await sleep(holdMs / 10);
    after = await receiver.child.ask('stats');
    if (num(after, 'count') - num(before, 'count') >= sent) break;
  }
  const received = num(after, 'count') - num(before, 'count');
  if (received < sent * 0.99) throw new Error(`only ${received} of ${sent} datagrams were drained`);
  return {
    rate: received / (num(after, 'last') - num(after, 'released')),
    cpu: ((num(after, 'cpu') - num(before, 'cpu')) / received) * 1e6,
  };
}

async function drainCase(
  ctx: SuiteContext,
  section: Section,
  contenders: string[],
  cPath: string,
  size: number,
  count: number,
): Promise<void> {
  const name = `receive capacity, ${size} B`;
  ctx.log(`native-io: ${name} (${count} datagrams queued per round)`);
  const holdMs = ctx.quick ? 400 : 2_000;
  const receivers = new Map<string, Receiver>();
  try {
    for (const contender of contenders) {
      const child = receiverChild(contender, cPath);
      const ready = await start(child);
      const receiver = { child, port: num(ready, 'port'), pid: num(ready, 'pid') };
      receivers.set(contender, receiver);
      if (!ctx.quick) await drain(receiver, cPath, size, count, holdMs); // warm-up, not counted
    }
    await section.alternate(name, contenders, ctx.rounds, (contender) =>
      drain(receivers.get(contender) as Receiver, cPath, size, count, holdMs),
    );
  } finally {
    await Promise.all([...receivers.values()].map((r) => r.child.close(5_000)));
  }
  section.ratio(name, 'rate', TT, RAW, { target: { op: '>=', value: 3 } });
  section.ratio(name, 'rate', TT, PY, { target: { op: '>=', value: 1.7 } });
  section.ratio(name, 'rate', TT, C, { target: { op: '>=', value: 0.8 } });
  section.ratio(name, 'cpu', TT, RAW, { invert: true, chart: false });
}

async function sendCase(
  ctx: SuiteContext,
  section: Section,
  contenders: string[],
  cPath: string | undefined,
) {
  const name = 'send, bursts of 64 × 64 B';
  const count = ctx.quick ? 10_000 : 300_000;
  ctx.log(`native-io: ${name}`);
  const sink =
    cPath === undefined
      ? nodeChild('sink', 'drain-receiver.ts', ['--impl', 'raw'])
      : new Child('sink', cPath, ['drain']);
  const port = String(num(await start(sink), 'port'));
  try {
    await section.alternate(name, contenders, ctx.rounds, async (contender) => {
      const args = ['--port', port, '--count', String(count), '--size', '64', '--burst', '64'];
      const sender =
        contender === C
          ? new Child(C, cPath as string, ['send', ...args])
          : contender === PY
            ? pythonChild(PY, 'burst_sender.py', args)
            : nodeChild(contender, 'burst-sender.ts', ['--impl', contender === TT ? 'tt' : 'raw', ...args]);
      const done = await runToEnd(sender);
      return { rate: num(done, 'rate'), cpu: (num(done, 'cpu') / num(done, 'sent')) * 1e6 };
    });
  } finally {
    await sink.close(5_000);
  }
  section.ratio(name, 'rate', TT, RAW, { target: { op: '>=', value: 1.3 } });
  section.ratio(name, 'rate', TT, PY);
  section.ratio(name, 'rate', TT, C);
}

async function echoCases(
  ctx: SuiteContext,
  section: Section,
  contenders: string[],
  cPath: string | undefined,
) {
  const one = 'echo, window 1 (both ends the same)';
  const many = 'echo, window 64 (both ends the same)';
  const counts = { 1: ctx.quick ? 1_000 : 10_000, 64: ctx.quick ? 5_000 : 100_000 };
  ctx.log('native-io: echo, windows 1 and 64');
  const client = (contender: string, port: number, window: 1 | 64, count: number): Child => {
    const args = ['--port', String(port), '--window', String(window), '--count', String(count)];
    if (contender === C) return new Child(C, cPath as string, ['echo-client', ...args]);
    if (contender === PY) return pythonChild(PY, 'echo_client.py', args);
    return nodeChild(contender, 'echo-pair-client.ts', ['--impl', contender === TT ? 'tt' : 'raw', ...args]);
  };
  await section.alternateCases([one, many], contenders, ctx.rounds, async (contender) => {
    const server =
      contender === C
        ? new Child(C, cPath as string, ['echo-server'])
        : contender === PY
          ? pythonChild(PY, 'echo_server.py', ['--family', '4'])
          : nodeChild(contender, 'echo-server.ts', [
              '--impl',
              contender === TT ? 'tt' : 'raw',
              '--family',
              '4',
            ]);
    try {
      const port = num(await start(server), 'port');
      if (!ctx.quick) await runToEnd(client(contender, port, 64, 5_000)); // warm-up, not counted
      const results: Record<string, Record<string, number>> = {};
      for (const [name, window] of [
        [one, 1],
        [many, 64],
      ] as const) {
        const before = await server.ask('stats');
        const done = await runToEnd(client(contender, port, window, counts[window]));
        const after = await server.ask('stats');
        const echoed = num(after, 'count') - num(before, 'count');
        results[name] = {
          rate: num(done, 'rate'),
          cpu: ((num(after, 'cpu') - num(before, 'cpu')) / echoed) * 1e6,
        };
      }
      return results;
    } finally {
      await server.close(5_000);
    }
  });
  section.ratio(one, 'rate', TT, RAW, { target: { op: '>=', value: 0.97 } });
  section.ratio(one, 'rate', TT, PY);
  section.ratio(many, 'rate', TT, RAW, { target: { op: '>=', value: 1.6 } });
  section.ratio(many, 'rate', TT, PY);
  section.ratio(many, 'cpu', TT, RAW, { invert: true, chart: false });
}
