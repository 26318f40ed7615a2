/**
 * TLS server for the TLS bulk benchmark, on twisted-ts (`--impl tt`: a `Protocol` served by
 * `listenSSL` with `CertificateOptions`, as its users would write it) or raw `node:tls`
 * (`--impl raw`: a `tls.Server`):
 * - `--mode sink`: counts what it receives;
 * - `--mode source --bytes N`: sends N bytes to each client as fast as flow control allows (a
 *   push producer on twisted-ts, `write()` until false then `'drain'` on node:tls), then closes.
 *
 * `--key` and `--cert` name the PEM files. Prints `{"ready":true,"port":N}`; answers `stats`
 * with `{"count","bytes","cpu"}`.
 */
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { CertificateOptions, Factory } from '../../src/index.ts';
import { cpuSeconds, numArg, onCommands, out, parseArgs } from './io.ts';
import { streamProtocols } from './stream-protocols.ts';
import { reactor } from './tt.ts';

const args = parseArgs();
const impl = args.get('impl') ?? 'tt';
const mode = args.get('mode') ?? 'sink';
const total = numArg(args, 'bytes', 0);
const key = readFileSync(args.get('key')!);
const cert = readFileSync(args.get('cert')!);
const CHUNK = Buffer.alloc(64 * 1024, 0x61);
let count = 0;
let bytes = 0;

const tally = { connected: () => void count++, received: (n: number) => void (bytes += n) };
const { Sink, Source } = streamProtocols(tally, total);

function rawHandler(socket: tls.TLSSocket): void {
  count++;
  socket.on('error', () => {});
  if (mode === 'sink') {
    socket.on('data', (data: Buffer) => {
      bytes += data.length;
    });
    // The client half-closes when it is done: close in turn, as a twisted-ts protocol does.
    socket.on('end', () => socket.end());
    return;
  }
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
}

let port: number;
let close: () => void;
if (impl === 'tt') {
  const factory = Factory.forProtocol(mode === 'sink' ? Sink : Source);
  factory.noisy = false;
  const p = reactor.listenSSL(0, factory, new CertificateOptions({ privateKey: key, certificate: cert }), {
    interface: '127.0.0.1',
  });
  port = p.getHost().port;
  close = () => {
    void p.stopListening();
    for (const c of reactor.getConnections()) void c.disconnectForShutdown();
  };
} else {
  const server = tls.createServer({ key, cert, allowHalfOpen: true }, rawHandler);
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1' }, resolve));
  port = (server.address() as { port: number }).port;
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
