/**
 * TCP server for the stream benchmarks, on twisted-ts (`--impl tt`: a `Protocol` served by
 * `listenTCP`, written as its users would) or raw `node:net` (`--impl raw`: a `net.Server`,
 * written as Node users would):
 * - `--mode echo`: writes back what it receives;
 * - `--mode sink`: counts what it receives;
 * - `--mode source --bytes N`: sends N bytes to each client as fast as flow control allows (a
 *   push producer on twisted-ts, `write()` until false then `'drain'` on node:net), then closes;
 * - `--mode accept`: writes one byte to each new connection and closes it.
 *
 * Prints `{"ready":true,"port":N}`; answers `stats` with `{"count","bytes","cpu"}` (count:
 * connections accepted).
 */
import net from 'node:net';
import { Factory, Protocol } from '../../src/index.ts';
import { cpuSeconds, numArg, onCommands, out, parseArgs } from './io.ts';
import { streamProtocols } from './stream-protocols.ts';
import { reactor } from './tt.ts';

const args = parseArgs();
const impl = args.get('impl') ?? 'tt';
const mode = args.get('mode') ?? 'echo';
const total = numArg(args, 'bytes', 0);
const CHUNK = Buffer.alloc(64 * 1024, 0x61);
const ONE = Buffer.from('x');
let count = 0;
let bytes = 0;

// --- twisted-ts -------------------------------------------------------------------------------

class Echo extends Protocol {
  override connectionMade(): void {
    count++;
  }
  override dataReceived(data: Buffer): void {
    this.transport.write(data);
  }
}

const tally = { connected: () => void count++, received: (n: number) => void (bytes += n) };
const { Sink, Source } = streamProtocols(tally, total);

class Accept extends Protocol {
  override connectionMade(): void {
    count++;
    this.transport.write(ONE);
    this.transport.loseConnection();
  }
}

const protocols = { echo: Echo, sink: Sink, source: Source, accept: Accept } as const;

// --- raw node:net -----------------------------------------------------------------------------

function rawHandler(socket: net.Socket): void {
  count++;
  socket.on('error', () => {});
  switch (mode) {
    case 'echo':
      socket.on('data', (data) => socket.write(data));
      break;
    case 'sink':
      socket.on('data', (data) => {
        bytes += data.length;
      });
      break;
    case 'source': {
      let sent = 0;
      const pump = (): void => {
        while (sent < total) {
          sent += CHUNK.length;
          if (!socket.write(CHUNK)) {
            socket.once('drain', pump);
            return;
          }
        }
        socket.end();
      };
      pump();
      break;
    }
    case 'accept':
      socket.end(ONE);
      break;
  }
}

let port: number;
let close: () => void;
if (impl === 'tt') {
  const factory = Factory.forProtocol(protocols[mode as keyof typeof protocols]);
  factory.noisy = false;
  const p = reactor.listenTCP(0, factory, { interface: '127.0.0.1', backlog: 1024 });
  port = p.getHost().port;
  close = () => {
    void p.stopListening();
    for (const c of reactor.getConnections()) void c.disconnectForShutdown();
  };
} else {
  const server = net.createServer(rawHandler);
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 1024 }, resolve));
  port = (server.address() as net.AddressInfo).port;
  close = () => {
    server.close();
    server.unref();
  };
}

out({ ready: true, port });
onCommands(
  (command) => {
    if (command === 'stats') out({ count, bytes, cpu: cpuSeconds() });
  },
  () => {
    close();
    setTimeout(() => process.exit(0), 200).unref();
  },
);
