/**
 * Receive capacity: a receiver whose event loop the orchestrator can block (`hold MS`), while a
 * C filler process queues datagrams in its socket (bench/procs/udp_reference.c `fill`); once
 * released it drains the queue. On twisted-ts (`--impl tt`, the default io: native where the
 * addon loads) or a raw `node:dgram` socket (`--impl raw`), counting and stamping each datagram
 * the same way.
 *
 * Prints `{"ready":true,"port":N,"pid":P}`; `hold MS` answers `{"holding":true}` and then blocks
 * for MS ms; `stats` answers `{"count","bytes","released","first","last","cpu"}` (seconds).
 */
import dgram from 'node:dgram';
import { DatagramProtocol } from '../../src/index.ts';
import type { AddressTuple } from '../../src/index.ts';
import { cpuSeconds, onCommands, out, parseArgs } from './io.ts';
import { reactor } from './tt.ts';

const args = parseArgs();
const impl = args.get('impl') ?? 'tt';
const host = '127.0.0.1';

// Stamps in a typed array: a double in a plain variable would be boxed on every datagram.
const stamps = new Float64Array(3); // released, first, last (ms)
let count = 0;
let bytes = 0;

// Both receivers do what a program does with a datagram: look at its bytes and its sender.
function received(length: number, _host: string, _port: number): void {
  if (count === 0) stamps[1] = performance.now();
  count++;
  bytes += length;
  stamps[2] = performance.now();
}

class Counter extends DatagramProtocol {
  override datagramReceived(data: Buffer, addr: AddressTuple): void {
    received(data.length, addr[0], addr[1]);
  }
}

let port: number;
let close: () => void;
if (impl === 'tt') {
  const p = reactor.listenUDP(0, new Counter(), host);
  port = p.getHost().port;
  close = () => void p.stopListening();
  out({ ready: true, port, pid: process.pid, io: p.ioPath });
} else {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (data, rinfo) => received(data.length, rinfo.address, rinfo.port));
  socket.bind(0, host);
  await new Promise((resolve) => socket.once('listening', resolve));
  port = socket.address().port;
  close = () => socket.close();
  out({ ready: true, port, pid: process.pid, io: 'dgram' });
}

const blocker = new Int32Array(new SharedArrayBuffer(4));
onCommands(
  (command) => {
    if (command.startsWith('hold ')) {
      out({ holding: true });
      // The event loop stands still: nothing is read while the filler fills the queue.
      Atomics.wait(blocker, 0, 0, Number(command.slice(5)));
      stamps[0] = performance.now();
    } else if (command === 'stats') {
      out({
        count,
        bytes,
        released: stamps[0] / 1000,
        first: stamps[1] / 1000,
        last: stamps[2] / 1000,
        cpu: cpuSeconds(),
      });
    }
  },
  () => close(),
);
