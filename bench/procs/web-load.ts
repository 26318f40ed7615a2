/**
 * A bounded HTTP/1.1 load generator: `--connections` keep-alive connections on raw sockets, one
 * request in flight on each, until `--requests` responses arrived (or `--seconds` passed). The
 * same for every server. A response is framed by its `Content-Length` (every contender sends
 * one), which is all this client needs to understand.
 *
 * Prints `{"done":true,"responses","seconds","rate","errors"}`.
 */
import net from 'node:net';
import { now, numArg, out, parseArgs } from './io.ts';

const args = parseArgs();
const port = numArg(args, 'port', 8080);
const connections = numArg(args, 'connections', 64);
const total = numArg(args, 'requests', 10_000);
const limitSeconds = numArg(args, 'seconds', 60);
const path = args.get('path') ?? '/api/item';
const REQUEST = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
const HEADER_END = Buffer.from('\r\n\r\n');

let sent = 0;
let received = 0;
let errors = 0;
const started = now();

function finish(): void {
  const seconds = now() - started;
  out({ done: true, responses: received, seconds, rate: received / seconds, errors });
  process.exit(0);
}

function open(): void {
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  let buffer: Buffer = Buffer.alloc(0);
  let need = -1; // bytes of the current response still expected (-1: headers not seen yet)
  const next = (): void => {
    if (sent >= total) return void socket.end();
    sent++;
    socket.write(REQUEST);
  };
  socket.on('connect', next);
  socket.on('data', (chunk: Buffer) => {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    for (;;) {
      if (need < 0) {
        const end = buffer.indexOf(HEADER_END);
        if (end < 0) return;
        const head = buffer.subarray(0, end).toString('latin1');
        const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        if (m === null || !head.startsWith('HTTP/1.1 200')) {
          errors++;
          return void socket.destroy();
        }
        need = Number(m[1]);
        buffer = buffer.subarray(end + 4);
      }
      if (buffer.length < need) return;
      buffer = buffer.subarray(need);
      need = -1;
      received++;
      if (received >= total) return finish();
      next();
    }
  });
  socket.on('error', () => errors++);
}

for (let i = 0; i < connections; i++) open();
setTimeout(finish, limitSeconds * 1000).unref();
