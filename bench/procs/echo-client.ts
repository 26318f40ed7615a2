/**
 * Echo client (raw node:dgram, the same for every server):
 * - `--mode pingpong`: one datagram in flight; every round trip is timed (p50, p99);
 * - `--mode window --window 64`: 64 in flight, refilled as answers come: round trips per second.
 * A datagram lost on loopback (rare) is noticed by a 100 ms watchdog and replaced.
 *
 * Prints `{"done":true,"rate","p50","p99","lost","count"}` (µs for latencies) and exits.
 */
import dgram from 'node:dgram';
import { quantileSorted } from '../lib/stats.ts';
import { numArg, out, parseArgs } from './io.ts';

const args = parseArgs();
const host = args.get('host') ?? '127.0.0.1';
if (host !== '127.0.0.1' && host !== '::1') throw new Error(`refusing to send to ${host}: loopback only`);
const port = numArg(args, 'port', 0);
const count = numArg(args, 'count', 10_000);
const size = numArg(args, 'size', 64);
const window = args.get('mode') === 'window' ? numArg(args, 'window', 64) : 1;

const socket = dgram.createSocket(host === '::1' ? 'udp6' : 'udp4');
socket.bind(0, host);
await new Promise((resolve) => socket.once('listening', resolve));
socket.setRecvBufferSize(1 << 21);

const rtts = new Float64Array(count);
const sentAt = new Float64Array(window === 1 ? 1 : 0);
let seq = 0;
let sent = 0;
let received = 0;
let inFlight = 0;
let lost = 0;
let progressAtCheck = 0;

function sendOne(): void {
  const b = Buffer.allocUnsafe(size).fill(0x62);
  b.writeUInt32LE(++seq >>> 0, 0);
  if (window === 1) sentAt[0] = performance.now();
  sent++;
  inFlight++;
  socket.send(b, port, host);
}

const start = performance.now();
await new Promise<void>((resolve) => {
  socket.on('message', (data) => {
    if (window === 1) {
      if (data.readUInt32LE(0) !== seq >>> 0) return; // an answer to a ping given up for lost
      rtts[received] = performance.now() - sentAt[0];
    }
    received++;
    inFlight--;
    if (received >= count) {
      resolve();
      return;
    }
    if (sent < count) sendOne();
  });
  const watchdog = setInterval(() => {
    if (received >= count) {
      clearInterval(watchdog);
      return;
    }
    if (received === progressAtCheck) {
      // Nothing came back for a whole period: count what is in flight as lost and refill.
      lost += inFlight;
      sent -= inFlight;
      inFlight = 0;
      while (inFlight < window && sent < count) sendOne();
    }
    progressAtCheck = received;
  }, 100);
  while (inFlight < window && sent < count) sendOne();
  socket.once('close', () => clearInterval(watchdog));
});
const seconds = (performance.now() - start) / 1000;
socket.close();
let p50 = NaN;
let p99 = NaN;
if (window === 1) {
  const sorted = rtts.slice(0, received).sort();
  p50 = quantileSorted(sorted, 0.5) * 1000;
  p99 = quantileSorted(sorted, 0.99) * 1000;
}
out({ done: true, count: received, rate: received / seconds, p50, p99, lost, seconds });
