/**
 * Multicast fan-out receiver: `--listeners K` sockets share one port (twisted-ts
 * `listenMulticast(..., { listenMultiple: true })`, or raw dgram with `reuseAddr`), each joins
 * `--group` on interface 127.0.0.1 and counts what it receives.
 *
 * Prints `{"ready":true,"port":N}`; answers `stats` with
 * `{"counts":[…],"count","first","last","cpu"}`.
 */
import dgram from 'node:dgram';
import { DatagramProtocol } from '../../src/index.ts';
import { cpuSeconds, numArg, onCommands, out, parseArgs } from './io.ts';
import { reactor } from './tt.ts';

const args = parseArgs();
const impl = args.get('impl') ?? 'tt';
const listeners = numArg(args, 'listeners', 1);
const group = args.get('group') ?? '239.255.74.74';

const counts = new Float64Array(listeners);
const stamps = new Float64Array(2);
let total = 0;

function received(i: number): void {
  if (total === 0) stamps[0] = performance.now();
  total++;
  counts[i]++;
  stamps[1] = performance.now();
}

class Listener extends DatagramProtocol {
  readonly index: number;
  constructor(index: number) {
    super();
    this.index = index;
  }
  override datagramReceived(): void {
    received(this.index);
  }
}

const closers: (() => void)[] = [];
let port = 0;
if (impl === 'tt') {
  for (let i = 0; i < listeners; i++) {
    // Bound to the group address, so the sockets see that group only (Linux allows it).
    const p = reactor.listenMulticast(port, new Listener(i), { interface: group, listenMultiple: true });
    port = p.getHost().port;
    await p.joinGroup(group, '127.0.0.1');
    closers.push(() => void p.stopListening());
  }
} else {
  for (let i = 0; i < listeners; i++) {
    const s = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    s.on('message', () => received(i));
    s.bind(port, group);
    await new Promise((resolve) => s.once('listening', resolve));
    port = s.address().port;
    s.addMembership(group, '127.0.0.1');
    closers.push(() => s.close());
  }
}

out({ ready: true, port });
onCommands(
  (command) => {
    if (command === 'stats') {
      out({
        counts: [...counts],
        count: total,
        first: stamps[0] / 1000,
        last: stamps[1] / 1000,
        cpu: cpuSeconds(),
      });
    }
  },
  () => closers.forEach((close) => close()),
);
