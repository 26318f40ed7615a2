/**
 * TLS client for the TLS bulk benchmark (raw node:tls, the same for every server), trusting the
 * server's certificate (`--ca`):
 * - `--mode send --bytes N`: N bytes written as fast as flow control allows, then FIN; timed
 *   from the end of the handshake until the server has closed (it read everything);
 * - `--mode recv`: timed from the first byte to the server's close.
 *
 * Prints `{"done":true,"rate","bytes","seconds"}` (rate in MB/s) and exits. Loopback only.
 */
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { numArg, out, parseArgs } from './io.ts';

const args = parseArgs();
const port = numArg(args, 'port', 0);
const mode = args.get('mode') ?? 'send';
const ca = readFileSync(args.get('ca')!);

const socket = tls.connect({ port, host: '127.0.0.1', ca, servername: 'localhost' });
await new Promise<void>((resolve, reject) => {
  socket.once('secureConnect', resolve);
  socket.once('error', reject);
});

let bytes = 0;
let start = 0;
if (mode === 'send') {
  const total = numArg(args, 'bytes', 64 * 1024 * 1024);
  const chunk = Buffer.alloc(64 * 1024, 0x63);
  start = performance.now();
  await new Promise<void>((resolve, reject) => {
    socket.on('close', () => resolve());
    socket.on('error', reject);
    socket.resume();
    const pump = (): void => {
      while (bytes < total) {
        bytes += chunk.length;
        if (!socket.write(chunk)) {
          socket.once('drain', pump);
          return;
        }
      }
      socket.end();
    };
    pump();
  });
} else {
  await new Promise<void>((resolve, reject) => {
    socket.on('data', (data: Buffer) => {
      if (start === 0) start = performance.now();
      bytes += data.length;
    });
    socket.on('end', () => resolve());
    socket.on('error', reject);
  });
}
const seconds = (performance.now() - start) / 1000;
socket.destroy();
out({ done: true, rate: bytes / 1e6 / seconds, bytes, seconds });
