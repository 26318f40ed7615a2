/**
 * Multicast fan-out: 1, 2 and 4 sockets sharing one port with `listenMultiple`, all joined to one
 * group on 127.0.0.1; a sender process (raw dgram, outgoing interface 127.0.0.1, TTL 1) sends a
 * burst to the group and every socket receives every datagram.
 *
 * @module
 */
import dgram from 'node:dgram';
import { sleep } from '../lib/child.ts';
import { Section, type SuiteContext, type SectionResult } from '../lib/results.ts';
import { PY, RAW, TT, num, runSender, settledStats, startPeer, udpContenders } from './common.ts';

/** An administratively scoped group (239/8): it never leaves a site, and TTL 1 keeps it on the host. */
const GROUP = '239.255.74.74';

/** Whether a datagram sent to the group on 127.0.0.1 comes back (a multicast route on lo). */
async function multicastWorks(): Promise<boolean> {
  const rx = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  const tx = dgram.createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      rx.once('error', reject);
      rx.bind(0, GROUP, () => resolve());
    });
    rx.addMembership(GROUP, '127.0.0.1');
    await new Promise<void>((resolve) => tx.bind(0, '127.0.0.1', () => resolve()));
    tx.setMulticastInterface('127.0.0.1');
    tx.setMulticastTTL(1);
    let got = false;
    rx.on('message', () => (got = true));
    for (let i = 0; i < 5 && !got; i++) {
      tx.send(Buffer.from('probe'), rx.address().port, GROUP);
      await sleep(100);
    }
    return got;
  } catch {
    return false;
  } finally {
    rx.close();
    tx.close();
  }
}

export async function run(ctx: SuiteContext): Promise<SectionResult> {
  const section = new Section(
    'multicast',
    'Multicast fan-out with listenMultiple',
    `K sockets in one receiver process share one port (SO_REUSEADDR/SO_REUSEPORT: twisted-ts and ` +
      `Twisted \`listenMulticast(port, proto, { listenMultiple: true })\`, raw dgram \`reuseAddr: true\`), ` +
      `each joined to ${GROUP} on 127.0.0.1. The sender (raw dgram, outgoing interface 127.0.0.1, ` +
      'TTL 1) bursts 64-byte datagrams to the group. Rate each = datagrams one socket received per ' +
      'second (mean over the sockets); total = deliveries per second across all of them.',
    [
      { key: 'each', label: 'rate each', unit: 'datagrams/s', better: 'higher' },
      { key: 'total', label: 'total deliveries', unit: '1/s', better: 'higher' },
      { key: 'loss', label: 'loss per socket', unit: '%', better: 'lower' },
      { key: 'cpu', label: 'CPU per delivery', unit: 'µs', better: 'lower' },
    ],
  );
  if (!(await multicastWorks())) {
    section.skip(
      `multicast to ${GROUP} on 127.0.0.1 does not come back here (no multicast route on lo); ` +
        'run inside .ci/netns.sh, which adds one',
    );
    return section.finish();
  }
  const contenders = udpContenders(ctx, section);
  const count = ctx.quick ? 10_000 : 100_000;
  for (const listeners of [1, 2, 4]) {
    const name = `${listeners} listener${listeners > 1 ? 's' : ''}`;
    ctx.log(`multicast: ${name}`);
    await section.alternate(name, contenders, ctx.heavyRounds, async (contender) => {
      const { child, ready } = await startPeer(contender, 'mcast-receiver.ts', 'mcast_receiver.py', [
        '--listeners',
        String(listeners),
        '--group',
        GROUP,
      ]);
      try {
        const before = await child.ask('stats');
        const sent = await runSender([
          '--host',
          GROUP,
          '--multicast',
          '--port',
          String(ready.port),
          '--count',
          String(count),
        ]);
        const after = await settledStats(child);
        const deliveries = num(after, 'count') - num(before, 'count');
        if (deliveries === 0) throw new Error('no datagram arrived');
        const seconds = num(after, 'last') - num(after, 'first');
        const each = deliveries / listeners;
        return {
          each: each / seconds,
          total: deliveries / seconds,
          loss: (1 - each / num(sent, 'sent')) * 100,
          cpu: ((num(after, 'cpu') - num(before, 'cpu')) / deliveries) * 1e6,
        };
      } finally {
        await child.close();
      }
    });
    section.ratio(name, 'each', TT, RAW);
    section.ratio(name, 'each', TT, PY);
  }
  return section.finish();
}
