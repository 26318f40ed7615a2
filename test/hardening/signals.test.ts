/**
 * SIGINT/SIGTERM under traffic: a real child process running the built package (dist/; run
 * `npm run build` first — `npm test` does) receives a steady flood of datagrams, gets the
 * signal, runs its shutdown triggers, closes its port and exits 0 by itself.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DatagramProtocol } from '../../src/protocols/datagram-protocol.ts';
import { Reactor } from '../../src/reactor/reactor.ts';

const fixture = fileURLToPath(new URL('./fixtures/signal-server.mjs', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../../dist/esm/index.js', import.meta.url)));

interface Line {
  port?: number;
  shutdown?: number;
  done?: boolean;
  received?: number;
  stopped?: boolean;
  state?: string;
  pending?: number;
  never?: boolean;
}

async function underTraffic(
  signal: NodeJS.Signals,
): Promise<{ lines: Line[]; code: number | null; sig: string | null; sent: number }> {
  const child = spawn(process.execPath, [fixture], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<[number | null, string | null]>((resolve) =>
    child.on('exit', (c, s) => resolve([c, s])),
  );
  const reactor = new Reactor();
  const sender = reactor.listenUDP(0, new DatagramProtocol(), '127.0.0.1');
  const lines: Line[] = [];
  let sent = 0;
  let flood: NodeJS.Timeout | undefined;
  for await (const text of createInterface({ input: child.stdout })) {
    const line = JSON.parse(text) as Line;
    lines.push(line);
    if (line.port !== undefined) {
      const target: [string, number] = ['127.0.0.1', line.port];
      flood = setInterval(() => {
        for (let i = 0; i < 200; i++) sender.write(Buffer.from(`load ${sent++}`), target);
      }, 1);
      // Signal once traffic is flowing; the flood goes on during the shutdown.
      setTimeout(() => child.kill(signal), 150);
    }
  }
  const [code, sig] = await exited;
  clearInterval(flood);
  await sender.stopListening();
  if (code !== 0) throw new Error(`child exited ${code} ${sig}: ${stderr}`);
  return { lines, code, sig, sent };
}

describe.skipIf(!built)('a signal under traffic (child process on the built package)', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s: shutdown triggers run, the port closes, exit code 0',
    async (signal) => {
      const { lines, code, sig, sent } = await underTraffic(signal);
      expect(code).toBe(0);
      expect(sig).toBeNull();
      expect(sent).toBeGreaterThan(0);
      const shutdown = lines.find((l) => l.shutdown !== undefined);
      const done = lines.find((l) => l.done === true);
      expect(shutdown).toBeDefined();
      expect(done).toMatchObject({ stopped: true, state: 'closed', pending: 0 });
      // It received traffic, and counted it (at most what was sent).
      expect(done!.received).toBeGreaterThan(0);
      expect(done!.received).toBeLessThanOrEqual(sent);
      expect(lines.some((l) => l.never)).toBe(false);
    },
  );
});
