/**
 * The one sender every UDP benchmark uses (raw `node:dgram`, so that it costs every contender the
 * same): `--count` datagrams of `--size` bytes to `--host`:`--port`.
 *
 * - `--mode burst`: as fast as it can, in batches that yield to the event loop so that send
 *   callbacks and errors are processed;
 * - `--mode paced --rate R`: R datagrams per second, sent in 1 ms ticks.
 * - `--sockets K`: spread over K sockets (K source ports), for SO_REUSEPORT balancing.
 * - `--multicast`: the destination is a group: outgoing interface 127.0.0.1, TTL 1, loopback on.
 *
 * Prints `{"done":true,"sent":N,"seconds":S,"errors":N}` and exits.
 */
import dgram from 'node:dgram';
import { numArg, out, parseArgs } from './io.ts';

const args = parseArgs();
const host = args.get('host') ?? '127.0.0.1';
const port = numArg(args, 'port', 0);
const count = numArg(args, 'count', 10_000);
const size = numArg(args, 'size', 64);
const mode = args.get('mode') ?? 'burst';
const rate = numArg(args, 'rate', 50_000);
const socketCount = numArg(args, 'sockets', 1);
const multicast = args.has('multicast');

// Network safety: the benchmarks talk to this machine only.
const allowed = host === '127.0.0.1' || host === '::1' || (multicast && /^2(2[4-9]|3\d)\./.test(host));
if (!allowed) throw new Error(`refusing to send to ${host}: loopback (or a multicast group on lo) only`);

const type = host.includes(':') ? 'udp6' : 'udp4';
const sockets: dgram.Socket[] = [];
for (let i = 0; i < socketCount; i++) {
  const s = dgram.createSocket(type);
  s.bind(0, multicast ? '127.0.0.1' : host);
  await new Promise((resolve) => s.once('listening', resolve));
  if (multicast) {
    s.setMulticastInterface('127.0.0.1');
    s.setMulticastTTL(1);
    s.setMulticastLoopback(true);
  }
  sockets.push(s);
}

const payload = Buffer.alloc(size, 0x61);
let sent = 0;
let errors = 0;
for (const s of sockets) s.on('error', () => errors++);

// No send callback: with one, dgram adds a process.nextTick per datagram, and the sender is
// what limits a burst on 2 cores. Backpressure comes from the sockets' send queues instead.
function sendOne(): void {
  sockets[sent % socketCount].send(payload, port, host);
  sent++;
}

function queued(): number {
  let n = 0;
  for (const s of sockets) n += s.getSendQueueCount();
  return n;
}

const start = performance.now();
await new Promise<void>((resolve) => {
  if (mode === 'paced') {
    const tick = () => {
      const due = Math.min(count, Math.floor(((performance.now() - start) / 1000) * rate));
      while (sent < due) sendOne();
      if (sent < count) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  } else {
    const batch = () => {
      // Bound the queue of sends libuv has not handed to the kernel yet, so memory stays flat.
      if (queued() < 4096) {
        const end = Math.min(count, sent + 512);
        while (sent < end) sendOne();
      }
      if (sent < count) setImmediate(batch);
      else resolve();
    };
    batch();
  }
});
while (queued() > 0) await new Promise((resolve) => setImmediate(resolve));
const seconds = (performance.now() - start) / 1000;
for (const s of sockets) s.close();
out({ done: true, sent, seconds, errors });
