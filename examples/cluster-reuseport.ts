/**
 * Scale-out with `reusePort` and `node:cluster`: one worker per core, each with its own socket on
 * the SAME UDP port (SO_REUSEPORT), and the kernel spreading the datagrams between them — no
 * balancer process in the middle. Linux hashes each datagram's source and destination, so a given
 * client keeps reaching the same worker.
 *
 *   node examples/cluster-reuseport.ts [--workers <cores>] [--clients 32] [--per-client 4]
 *
 * Bounded: the primary sends `--clients` × `--per-client` requests over 127.0.0.1, prints which
 * worker answered what, then stops the workers and exits.
 */
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import {
  CannotListenError,
  DatagramProtocol,
  Deferred,
  DeferredList,
  react,
  reactor,
  type AddressTuple,
  type Reactor,
} from 'twisted-ts';
import { numberOption, parseCommandLine } from './lib/command-line.ts';

const USAGE = `
usage: node examples/cluster-reuseport.ts [--workers <cores>] [--clients 32] [--per-client 4]

Scale-out with \`reusePort\` and \`node:cluster\`: one worker per core, each with its own socket on
the SAME UDP port (SO_REUSEPORT), and the kernel spreading the datagrams between them — no
balancer process in the middle. Linux hashes each datagram's source and destination, so a given
client keeps reaching the same worker.
`;

const { values } = parseCommandLine(USAGE, {
  options: {
    workers: { type: 'string', default: String(Math.max(2, Math.min(availableParallelism(), 8))) },
    clients: { type: 'string', default: '32' },
    'per-client': { type: 'string', default: '4' },
  },
});

type WorkerMessage =
  | { type: 'ready'; pid: number }
  | { type: 'failed'; message: string }
  | { type: 'report'; handled: number; clients: number };

// ------------------------------------------------------------------------------------------------
// Worker: answer every request with this worker's number, count what it handled.

class Answer extends DatagramProtocol {
  handled = 0;
  readonly clients = new Set<number>();
  override datagramReceived(datagram: Buffer, addr: AddressTuple): void {
    this.handled += 1;
    this.clients.add(addr[1]);
    this.transport.write(Buffer.from(`${process.env.TT_WORKER}`), addr);
  }
}

function worker(reactor: Reactor): void {
  const send = (m: WorkerMessage): boolean => process.send!(m);
  const answer = new Answer();
  let port;
  try {
    port = reactor.listenUDP(Number(process.env.TT_PORT), answer, {
      interface: '127.0.0.1',
      reusePort: true,
    });
  } catch (e) {
    if (!(e instanceof CannotListenError)) throw e;
    send({ type: 'failed', message: e.message });
    process.disconnect();
    return;
  }
  send({ type: 'ready', pid: process.pid });
  process.on('message', (m) => {
    if (m !== 'stop') return;
    // Closing the port and the IPC channel leaves nothing to keep the worker alive: it exits.
    port.stopListening().addCallback(() => {
      send({ type: 'report', handled: answer.handled, clients: answer.clients.size });
      process.disconnect();
    });
  });
}

// ------------------------------------------------------------------------------------------------
// Primary: reserve a port, start the workers on it, send requests from many client ports.

class Requester extends DatagramProtocol {
  readonly answers: string[] = [];
  readonly done = new Deferred<string[]>();
  expected = 0;
  override datagramReceived(datagram: Buffer): void {
    this.answers.push(datagram.toString());
    if (this.answers.length === this.expected) this.done.callback(this.answers);
  }
}

function messageFrom(
  w: ReturnType<typeof cluster.fork>,
  type: WorkerMessage['type'],
): Promise<WorkerMessage> {
  return new Promise((resolve) => {
    const on = (m: WorkerMessage): void => {
      if (m.type === type || m.type === 'failed') {
        w.off('message', on);
        resolve(m);
      }
    };
    w.on('message', on);
  });
}

async function primary(reactor: Reactor): Promise<void> {
  const n = numberOption(USAGE, 'workers', values.workers);
  // Hold the port with reusePort while the workers bind beside this socket, then let go of it.
  const reserve = reactor.listenUDP(0, new DatagramProtocol(), { interface: '127.0.0.1', reusePort: true });
  const port = reserve.getHost().port;
  console.log(`primary ${process.pid}: ${n} workers on 127.0.0.1:${port} with reusePort`);

  // Under ts-node, run the workers through ts-node as well (type stripping needs no help).
  const tsNode = (process as unknown as Record<symbol, unknown>)[Symbol.for('ts-node.register.instance')];
  if (tsNode !== undefined && typeof require === 'function') {
    cluster.setupPrimary({
      exec: require.resolve('ts-node/dist/bin.js'),
      args: [process.argv[1], ...process.argv.slice(2)],
    });
  }
  const workers = Array.from({ length: n }, (_, i) =>
    cluster.fork({ TT_PORT: String(port), TT_WORKER: String(i) }),
  );
  const ready = await Promise.all(workers.map((w) => messageFrom(w, 'ready')));
  await reserve.stopListening();
  const failed = ready.find((m) => m.type === 'failed');
  if (failed !== undefined && failed.type === 'failed') {
    console.log(`a worker could not share the port: ${failed.message}`);
    workers.forEach((w) => w.isConnected() && w.send('stop'));
    return;
  }

  const clients = numberOption(USAGE, 'clients', values.clients);
  const perClient = numberOption(USAGE, 'per-client', values['per-client']);
  const requesters = Array.from({ length: clients }, () => new Requester());
  const ports = requesters.map((r) => reactor.listenUDP(0, r, '127.0.0.1'));
  for (const [i, r] of requesters.entries()) {
    r.expected = perClient;
    for (let k = 0; k < perClient; k++) ports[i].write(Buffer.from('which worker?'), ['127.0.0.1', port]);
  }
  await new DeferredList(
    requesters.map((r) => r.done.addTimeout(2, reactor)),
    { consumeErrors: true },
  );
  await Promise.all(ports.map((p) => p.stopListening()));

  const reports = await Promise.all(
    workers.map((w) => {
      const report = messageFrom(w, 'report');
      w.send('stop');
      return report;
    }),
  );
  const sticky = requesters.filter((r) => r.answers.length > 0 && new Set(r.answers).size === 1).length;
  const answered = requesters.reduce((s, r) => s + r.answers.length, 0);

  console.log('\nworker  pid       datagrams  client ports');
  reports.forEach((m, i) => {
    const pid = (ready[i] as { pid: number }).pid;
    const r = m as { handled: number; clients: number };
    console.log(
      `${String(i).padEnd(6)}  ${String(pid).padEnd(8)}  ${String(r.handled).padStart(9)}  ${String(r.clients).padStart(12)}`,
    );
  });
  const busy = reports.filter((m) => (m as { handled: number }).handled > 0).length;
  console.log(`\n${answered}/${clients * perClient} requests answered; ${busy} of ${n} workers got traffic`);
  console.log(
    `${sticky}/${clients} client ports were always answered by the same worker (the kernel hashes the addresses)`,
  );
}

// The primary runs under react (it exits when primary() is done); a worker just listens until
// told to stop — react would stop its reactor, and its port, as soon as worker() returned.
if (cluster.isPrimary) react(primary);
else worker(reactor);
