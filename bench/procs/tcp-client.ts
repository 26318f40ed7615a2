/**
 * TCP client for the stream benchmarks (raw node:net, the same for every server):
 * - `--mode echo --window W --count N --size 64`: one connection, W messages in flight,
 *   refilled as answers come; with W = 1 every round trip is timed (p50, p99);
 * - `--mode send --bytes N`: one connection, N bytes written as fast as flow control allows,
 *   then FIN; timed until the server has closed (it read everything);
 * - `--mode recv`: one connection, timed from the first byte to the server's close;
 * - `--mode accept --count N --concurrency C`: N connections, C at a time, each read until the
 *   server's one byte and close.
 *
 * Prints `{"done":true,"rate",…}` and exits. Loopback only.
 */
import net from 'node:net';
import { quantileSorted } from '../lib/stats.ts';
import { numArg, out, parseArgs } from './io.ts';

const args = parseArgs();
const host = '127.0.0.1';
const port = numArg(args, 'port', 0);
const mode = args.get('mode') ?? 'echo';

function connect(): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host, noDelay: true });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

async function echo(): Promise<Record<string, number>> {
  const count = numArg(args, 'count', 10_000);
  const size = numArg(args, 'size', 64);
  const window = numArg(args, 'window', 1);
  const socket = await connect();
  const message = Buffer.alloc(size, 0x62);
  const rtts = new Float64Array(window === 1 ? count : 0);
  let sent = 0;
  let answered = 0;
  let pending = 0; // bytes of the current answer
  let sentAt = 0;
  const start = performance.now();
  const send = (): void => {
    sent++;
    if (window === 1) sentAt = performance.now();
    socket.write(message);
  };
  await new Promise<void>((resolve) => {
    socket.on('data', (data) => {
      pending += data.length;
      while (pending >= size) {
        pending -= size;
        if (window === 1) rtts[answered] = performance.now() - sentAt;
        answered++;
        if (answered >= count) {
          resolve();
          return;
        }
        if (sent < count) send();
      }
    });
    while (sent < window && sent < count) send();
  });
  const seconds = (performance.now() - start) / 1000;
  socket.destroy();
  let p50 = NaN;
  let p99 = NaN;
  if (window === 1) {
    const sorted = rtts.sort();
    p50 = quantileSorted(sorted, 0.5) * 1000;
    p99 = quantileSorted(sorted, 0.99) * 1000;
  }
  return { count: answered, rate: answered / seconds, p50, p99, seconds };
}

async function send(): Promise<Record<string, number>> {
  const total = numArg(args, 'bytes', 64 * 1024 * 1024);
  const chunk = Buffer.alloc(64 * 1024, 0x63);
  const socket = await connect();
  const start = performance.now();
  await new Promise<void>((resolve, reject) => {
    let sent = 0;
    socket.on('close', () => resolve());
    socket.on('error', reject);
    socket.on('data', () => {});
    const pump = (): void => {
      while (sent < total) {
        sent += chunk.length;
        if (!socket.write(chunk)) {
          socket.once('drain', pump);
          return;
        }
      }
      socket.end();
    };
    pump();
  });
  const seconds = (performance.now() - start) / 1000;
  return { bytes: total, rate: total / seconds / 1e6, seconds };
}

async function recv(): Promise<Record<string, number>> {
  const socket = await connect();
  let bytes = 0;
  let start = 0;
  await new Promise<void>((resolve, reject) => {
    socket.on('data', (data) => {
      if (bytes === 0) start = performance.now();
      bytes += data.length;
    });
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
  const seconds = (performance.now() - start) / 1000;
  return { bytes, rate: bytes / seconds / 1e6, seconds };
}

async function accept(): Promise<Record<string, number>> {
  const count = numArg(args, 'count', 5_000);
  const concurrency = numArg(args, 'concurrency', 32);
  let started = 0;
  let done = 0;
  let failed = 0;
  const start = performance.now();
  await new Promise<void>((resolve) => {
    const one = (): void => {
      started++;
      const socket = net.connect({ port, host });
      socket.on('data', () => {});
      socket.on('error', () => {
        failed++;
      });
      socket.on('close', () => {
        done++;
        if (done >= count) resolve();
        else if (started < count) one();
      });
    };
    for (let i = 0; i < concurrency && i < count; i++) one();
  });
  const seconds = (performance.now() - start) / 1000;
  return { count: done, failed, rate: done / seconds, seconds };
}

const modes: Record<string, () => Promise<Record<string, number>>> = { echo, send, recv, accept };
if (!(mode in modes)) throw new Error(`unknown --mode ${mode}`);
out({ done: true, ...(await modes[mode]()) });
