/**
 * One-way receiver: counts datagrams and stamps the first and the last, on a twisted-ts
 * `DatagramProtocol` (`--impl tt`) or a raw `node:dgram` socket (`--impl raw`). Both do the same
 * work per datagram, so the difference is what the framework adds.
 *
 * Prints `{"ready":true,"port":N,"rcvbuf":N}`; answers `stats` with
 * `{"count","bytes","first","last","cpu"}` (seconds).
 */
import dgram from 'node:dgram';
import { DatagramProtocol } from '../../src/index.ts';
import { cpuSeconds, numArg, onCommands, out, parseArgs } from './io.ts';
import { reactor, socketOf, type SocketBuffers } from './tt.ts';

const args = parseArgs();
const impl = args.get('impl') ?? 'tt';
const family = numArg(args, 'family', 4);
const rcvbuf = numArg(args, 'rcvbuf', 0);
const host = family === 6 ? '::1' : '127.0.0.1';

// Counters in a typed array: storing a double in a plain variable would box it on every datagram.
const stamps = new Float64Array(2); // first, last (ms)
let count = 0;
let bytes = 0;

function received(length: number): void {
  if (count === 0) stamps[0] = performance.now();
  count++;
  bytes += length;
  stamps[1] = performance.now();
}

class Counter extends DatagramProtocol {
  override datagramReceived(data: Buffer): void {
    received(data.length);
  }
}

let socket: SocketBuffers;
let portNumber: number;
let close: () => void;
if (impl === 'tt') {
  const port = reactor.listenUDP(0, new Counter(), { interface: host, maxPacketSize: 65535 });
  socket = socketOf(port);
  portNumber = port.getHost().port;
  close = () => void port.stopListening();
} else {
  const raw = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
  raw.on('message', (data) => received(data.length));
  raw.bind(0, host);
  await new Promise((resolve) => raw.once('listening', resolve));
  socket = raw;
  portNumber = raw.address().port;
  close = () => raw.close();
}
if (rcvbuf > 0) socket.setRecvBufferSize(rcvbuf);

out({ ready: true, port: portNumber, rcvbuf: socket.getRecvBufferSize() });
onCommands(
  (command) => {
    if (command === 'stats') {
      out({ count, bytes, first: stamps[0] / 1000, last: stamps[1] / 1000, cpu: cpuSeconds() });
    }
  },
  () => close(),
);
