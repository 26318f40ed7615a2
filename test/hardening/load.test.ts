/**
 * Load, in child processes so that each measures only itself: a flood of 200,000 datagrams at a
 * port (the receiver survives, its peak RSS stays far below 400 MB, the port still answers, and
 * stats() counts what the kernel delivered); a sender faster than its link (the send queue grows
 * without bound unless maxSendQueue caps it); and 1,000,000 delayed calls scheduled and
 * cancelled (the heap returns to its baseline).
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { AddressTuple } from '../../src/interfaces.ts';
import { DatagramProtocol } from '../../src/protocols/datagram-protocol.ts';
import { Reactor } from '../../src/reactor/reactor.ts';
import { inNetns, until } from './helpers.ts';

const fixture = fileURLToPath(new URL('./fixtures/load.ts', import.meta.url));
const node = process.execPath;
const MB = 1024 * 1024;
const FLOOD = 200_000;

/** The JSON lines a child prints, as they come. */
function jsonLines(child: { stdout: NodeJS.ReadableStream }): AsyncIterator<Record<string, unknown>> {
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    async next() {
      const r = await lines.next();
      return r.done ? r : { done: false, value: JSON.parse(r.value) as Record<string, unknown> };
    },
  };
}

async function runJson(args: string[], wrapper: string[] = []): Promise<Record<string, unknown>> {
  const [cmd, ...rest] = [...wrapper, node, '--no-warnings', ...args];
  const { stdout } = await promisify(execFile)(cmd, rest, { timeout: 60_000, maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop() as string) as Record<string, unknown>;
}

class Pinger extends DatagramProtocol {
  pongs = 0;
  override datagramReceived(data: Buffer, _addr: AddressTuple): void {
    if (data.toString() === 'pong') this.pongs += 1;
  }
}

describe('a flood of 200,000 datagrams at one port', () => {
  it('the receiver survives with bounded memory, still answers, and counts what was delivered', async () => {
    const receiver = spawn(node, ['--no-warnings', fixture, 'receiver'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines = jsonLines(receiver);
    const { port } = (await lines.next()).value as { port: number };
    const flood = await runJson([fixture, 'sender', String(port), String(FLOOD), '64']);
    expect(flood.sent).toBe(FLOOD);

    // Afterwards the port still works: ping → pong.
    const reactor = new Reactor();
    const pinger = new Pinger();
    const client = reactor.listenUDP(0, pinger, '127.0.0.1');
    const ping = setInterval(() => client.write(Buffer.from('ping'), ['127.0.0.1', port]), 20);
    try {
      await until(() => pinger.pongs > 0, 'a pong after the flood', 10_000);
    } finally {
      clearInterval(ping);
      await client.stopListening();
    }

    receiver.stdin.end('report\n');
    const report = (await lines.next()).value as {
      received: number;
      stats: { datagramsIn: number; bytesIn: number; errors: number };
      peakRss: number;
      kernelDropped: number;
      loggedErrors: number;
    };
    await new Promise((r) => receiver.once('exit', r));
    expect(receiver.exitCode).toBe(0);
    // Figures for docs/security.md.
    console.log(
      `flood: ${FLOOD} sent, ${report.stats.datagramsIn} delivered (kernel receive-buffer drops ${report.kernelDropped}), peak RSS ${(report.peakRss / MB).toFixed(1)} MB`,
    );
    expect(report.stats.datagramsIn).toBe(report.received);
    expect(report.received).toBeGreaterThan(0);
    expect(report.stats.datagramsIn).toBeLessThanOrEqual(FLOOD + 100); // + the pings
    expect(report.stats.errors).toBe(0);
    expect(report.loggedErrors).toBe(0);
    expect(report.peakRss).toBeLessThan(400 * MB);
    // What was sent is what was delivered plus what the kernel dropped for a full receive buffer
    // (the netns counters also see the pings and pongs, hence the margin).
    if (inNetns) expect(report.stats.datagramsIn + report.kernelDropped).toBeGreaterThanOrEqual(FLOOD);
  }, 60_000);
});

const canShapeLoopback =
  process.getuid?.() === 0 && existsSync('/usr/sbin/tc') && existsSync('/usr/bin/unshare');
// A private netns whose loopback is limited to 1 Mbit/s, so writes outrun the link and queue.
const slowLoopback = [
  'unshare',
  '-n',
  'sh',
  '-c',
  'ip link set lo up && tc qdisc add dev lo root tbf rate 1mbit burst 16kb latency 10s && exec "$@"',
  'sh',
];

describe.skipIf(!canShapeLoopback)('a sender faster than its link (node:dgram has no backpressure)', () => {
  it('without a cap the send queue grows with every write; stats().sendQueueSize shows it', async () => {
    const r = (await runJson([fixture, 'sendQueue', 'none'], slowLoopback)) as {
      writes: number;
      maxQueue: number;
      stats: { drops: number; sendQueueSize: number };
    };
    console.log(`send queue without a cap: ${r.maxQueue} bytes after ${r.writes} writes of 1000 bytes`);
    expect(r.maxQueue).toBeGreaterThan(10 * MB);
    expect(r.stats.drops).toBe(0);
  });

  it('with maxSendQueue the queue stays at the cap and the excess is dropped and counted', async () => {
    const cap = 64 * 1024;
    const r = (await runJson([fixture, 'sendQueue', String(cap)], slowLoopback)) as {
      writes: number;
      maxQueue: number;
      stats: { drops: number; sendQueueSize: number };
      loggedErrors: number;
    };
    console.log(
      `send queue with maxSendQueue ${cap}: max ${r.maxQueue} bytes, ${r.stats.drops} of ${r.writes} writes dropped`,
    );
    // At most one datagram beyond the cap: the write that crossed it.
    expect(r.maxQueue).toBeGreaterThan(0);
    expect(r.maxQueue).toBeLessThanOrEqual(cap + 1000);
    expect(r.stats.drops).toBeGreaterThan(r.writes / 2);
    expect(r.loggedErrors).toBe(0);
  });
});

describe('1,000,000 delayed calls scheduled and cancelled', () => {
  it('the heap returns to its baseline', async () => {
    const r = (await runJson(['--expose-gc', fixture, 'delayedCalls', '1000000'])) as {
      pending: number;
      left: number;
      base: { heapUsed: number; arrayBuffers: number; rss: number };
      loaded: { heapUsed: number; arrayBuffers: number; rss: number };
      after: { heapUsed: number; arrayBuffers: number; rss: number };
      peakRss: number;
    };
    console.log(
      `1M delayed calls: heap ${(r.base.heapUsed / MB).toFixed(1)} → ${(r.loaded.heapUsed / MB).toFixed(1)} → ${(r.after.heapUsed / MB).toFixed(1)} MB, ` +
        `typed arrays ${(r.base.arrayBuffers / MB).toFixed(1)} → ${(r.loaded.arrayBuffers / MB).toFixed(1)} → ${(r.after.arrayBuffers / MB).toFixed(1)} MB, peak RSS ${(r.peakRss / MB).toFixed(0)} MB`,
    );
    expect(r.pending).toBe(1_000_000);
    expect(r.left).toBe(0);
    expect(r.loaded.heapUsed - r.base.heapUsed).toBeGreaterThan(50 * MB); // the measurement can see them
    expect(r.after.heapUsed).toBeLessThan(r.base.heapUsed + 5 * MB);
    expect(r.after.arrayBuffers).toBeLessThan(r.base.arrayBuffers + 1 * MB);
  }, 60_000);
});
