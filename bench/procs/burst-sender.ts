/**
 * Send rate: `--count` datagrams of `--size` bytes to 127.0.0.1:`--port` in bursts of `--burst`
 * written in one turn of the event loop, the next burst on the next turn (setImmediate) — on
 * twisted-ts (`--impl tt`: `transport.write` × burst; on the native path they leave in one
 * sendmmsg) or raw `node:dgram` (`--impl raw`: `socket.send` × burst).
 *
 * Prints `{"done":true,"sent","seconds","rate","cpu"}` and exits.
 */
import dgram from 'node:dgram';
import { DatagramProtocol } from '../../src/index.ts';
import { cpuSeconds, numArg, out, parseArgs } from './io.ts';
import { reactor } from './tt.ts';

const args = parseArgs();
const impl = args.get('impl') ?? 'tt';
const port = numArg(args, 'port', 0);
const count = numArg(args, 'count', 100_000);
const size = numArg(args, 'size', 64);
const burst = numArg(args, 'burst', 64);
const host = '127.0.0.1';
const payload = Buffer.alloc(size, 0x61);

let send: () => void;
let queued: () => number;
let close: () => void;
if (impl === 'tt') {
  const p = reactor.listenUDP(0, new DatagramProtocol(), host);
  const addr: [string, number] = [host, port];
  send = () => p.write(payload, addr);
  queued = () => p.stats().sendQueueSize;
  close = () => void p.stopListening();
} else {
  const socket = dgram.createSocket('udp4');
  socket.bind(0, host);
  await new Promise((resolve) => socket.once('listening', resolve));
  send = () => socket.send(payload, port, host);
  queued = () => socket.getSendQueueSize();
  close = () => socket.close();
}

// Warm-up, not counted: the figures are for a running program.
for (let i = 0; i < Math.min(count, 5_000); i++) send();
await new Promise((resolve) => setTimeout(resolve, 50));

const cpu = cpuSeconds();
const start = performance.now();
let sent = 0;
await new Promise<void>((resolve) => {
  const tick = (): void => {
    // Bound what waits unsent, so memory stays flat if the kernel pushes back.
    if (queued() < 1 << 20) {
      const end = Math.min(count, sent + burst);
      while (sent < end) {
        send();
        sent++;
      }
    }
    if (sent < count) setImmediate(tick);
    else resolve();
  };
  tick();
});
while (queued() > 0) await new Promise((resolve) => setImmediate(resolve));
const seconds = (performance.now() - start) / 1000;
out({ done: true, sent, seconds, rate: sent / seconds, cpu: cpuSeconds() - cpu });
close();
