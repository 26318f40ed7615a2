/**
 * SO_REUSEPORT under `node:cluster`: the primary forks `--workers` workers; each binds its own
 * socket on one shared port with `reusePort` (twisted-ts `listenUDP(port, proto, { reusePort:
 * true })`, or raw dgram `reusePort: true`) and counts datagrams; the kernel spreads them over the
 * sockets by a hash of the source address and port.
 *
 * The primary prints `{"ready":true,"port":N}`; `stats` answers
 * `{"workers":[{"count","first","last","cpu"}…]}` with epoch-based times (seconds), comparable
 * across processes.
 */
import cluster from 'node:cluster';
import dgram from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { numArg, onCommands, out, parseArgs } from './io.ts';

type WorkerStats = { count: number; first: number; last: number; cpu: number };

if (cluster.isPrimary) {
  const args = parseArgs();
  const impl = args.get('impl') ?? 'tt';
  const workerCount = numArg(args, 'workers', 2);
  cluster.setupPrimary({ exec: fileURLToPath(import.meta.url), args: ['--impl', impl], silent: false });
  const workers: import('node:cluster').Worker[] = [];
  let port = 0;
  for (let i = 0; i < workerCount; i++) {
    const worker = cluster.fork({ BENCH_PORT: String(port) });
    const message = await new Promise<{ port?: number; error?: string }>((resolve) =>
      worker.once('message', resolve),
    );
    if (message.error !== undefined) throw new Error(`worker ${i + 1}: ${message.error}`);
    port = message.port!;
    workers.push(worker);
  }
  out({ ready: true, port });
  onCommands(
    (command) => {
      if (command !== 'stats') return;
      void Promise.all(
        workers.map((w) => {
          const answer = new Promise<WorkerStats>((resolve) => w.once('message', resolve));
          w.send('stats');
          return answer;
        }),
      ).then((stats) => out({ workers: stats }));
    },
    () => {
      for (const w of workers) w.send('quit');
    },
  );
} else {
  const args = parseArgs();
  const impl = args.get('impl') ?? 'tt';
  const requested = Number(process.env.BENCH_PORT ?? '0');
  const stamps = new Float64Array(2);
  let count = 0;
  const received = () => {
    if (count === 0) stamps[0] = performance.now();
    count++;
    stamps[1] = performance.now();
  };
  let close: () => void;
  let port: number;
  try {
    if (impl === 'tt') {
      const { DatagramProtocol } = await import('../../src/index.ts');
      const { reactor } = await import('./tt.ts');
      class Counter extends DatagramProtocol {
        override datagramReceived(): void {
          received();
        }
      }
      const p = reactor.listenUDP(requested, new Counter(), { interface: '127.0.0.1', reusePort: true });
      port = p.getHost().port;
      close = () => void p.stopListening();
    } else {
      const s = dgram.createSocket({ type: 'udp4', reusePort: true });
      s.on('message', received);
      s.bind({ port: requested, address: '127.0.0.1', exclusive: true });
      await new Promise((resolve) => s.once('listening', resolve));
      port = s.address().port;
      close = () => s.close();
    }
  } catch (e) {
    process.send!({ error: e instanceof Error ? e.message : String(e) });
    process.exit(1);
  }
  process.send!({ port });
  process.on('message', (m) => {
    if (m === 'stats') {
      const origin = performance.timeOrigin;
      const u = process.cpuUsage();
      process.send!({
        count,
        first: (origin + stamps[0]) / 1000,
        last: (origin + stamps[1]) / 1000,
        cpu: (u.user + u.system) / 1e6,
      } satisfies WorkerStats);
    } else if (m === 'quit') {
      close();
      process.disconnect();
    }
  });
}
