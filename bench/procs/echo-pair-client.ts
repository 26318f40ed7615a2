/**
 * Echo client for the native I/O benchmark, the same implementation as its server ("twisted-ts
 * at both ends"): `--window W` datagrams in flight to 127.0.0.1:`--port`, each answer refilling
 * the window, on twisted-ts (`--impl tt`) or raw `node:dgram` (`--impl raw`). A datagram lost
 * on loopback (rare) is noticed by a 100 ms watchdog and replaced.
 *
 * Prints `{"done":true,"count","rate","seconds","lost","cpu"}` and exits.
 */
import dgram from 'node:dgram';
import { DatagramProtocol } from '../../src/index.ts';
import { cpuSeconds, numArg, out, parseArgs } from './io.ts';
import { reactor } from './tt.ts';

const args = parseArgs();
const impl = args.get('impl') ?? 'tt';
const port = numArg(args, 'port', 0);
const count = numArg(args, 'count', 10_000);
const size = numArg(args, 'size', 64);
const window = numArg(args, 'window', 1);
const host = '127.0.0.1';
const payload = Buffer.alloc(size, 0x62);

let received = 0;
let sent = 0;
let inFlight = 0;
let lost = 0;
let onAnswer: () => void = () => {};

let send: () => void;
let close: () => void;
if (impl === 'tt') {
  class Client extends DatagramProtocol {
    override datagramReceived(): void {
      onAnswer();
    }
  }
  const p = reactor.listenUDP(0, new Client(), host);
  const addr: [string, number] = [host, port];
  send = () => p.write(payload, addr);
  close = () => void p.stopListening();
} else {
  const socket = dgram.createSocket('udp4');
  socket.on('message', () => onAnswer());
  socket.bind(0, host);
  await new Promise((resolve) => socket.once('listening', resolve));
  send = () => socket.send(payload, port, host);
  close = () => socket.close();
}

function sendOne(): void {
  sent++;
  inFlight++;
  send();
}

const cpu = cpuSeconds();
const start = performance.now();
await new Promise<void>((resolve) => {
  let progressAtCheck = 0;
  onAnswer = () => {
    received++;
    inFlight--;
    if (received >= count) {
      clearInterval(watchdog);
      resolve();
    } else if (sent < count) {
      sendOne();
    }
  };
  const watchdog = setInterval(() => {
    if (received === progressAtCheck) {
      lost += inFlight;
      sent -= inFlight;
      inFlight = 0;
      while (inFlight < window && sent < count) sendOne();
    }
    progressAtCheck = received;
  }, 100);
  while (inFlight < window && sent < count) sendOne();
});
const seconds = (performance.now() - start) / 1000;
out({ done: true, count: received, rate: received / seconds, seconds, lost, cpu: cpuSeconds() - cpu });
close();
