/**
 * Echo server: sends every datagram back to where it came from, on a twisted-ts
 * `DatagramProtocol` (`transport.write(data, addr)`) or a raw `node:dgram` socket
 * (`socket.send(data, rinfo.port, rinfo.address)`) — each written as its users would.
 *
 * Prints `{"ready":true,"port":N}`; answers `stats` with `{"count","cpu"}`.
 */
import dgram from 'node:dgram';
import { DatagramProtocol } from '../../src/index.ts';
import type { AddressTuple } from '../../src/index.ts';
import { cpuSeconds, numArg, onCommands, out, parseArgs } from './io.ts';
import { reactor } from './tt.ts';

const args = parseArgs();
const impl = args.get('impl') ?? 'tt';
const family = numArg(args, 'family', 4);
const host = family === 6 ? '::1' : '127.0.0.1';
let count = 0;

class Echo extends DatagramProtocol {
  override datagramReceived(data: Buffer, addr: AddressTuple): void {
    count++;
    this.transport!.write(data, addr);
  }
}

let port: number;
let close: () => void;
if (impl === 'tt') {
  const p = reactor.listenUDP(0, new Echo(), { interface: host });
  port = p.getHost().port;
  close = () => void p.stopListening();
} else {
  const socket = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
  socket.on('message', (data, rinfo) => {
    count++;
    socket.send(data, rinfo.port, rinfo.address);
  });
  socket.bind(0, host);
  await new Promise((resolve) => socket.once('listening', resolve));
  port = socket.address().port;
  close = () => socket.close();
}

out({ ready: true, port });
onCommands(
  (command) => {
    if (command === 'stats') out({ count, cpu: cpuSeconds() });
  },
  () => close(),
);
