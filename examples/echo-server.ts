/**
 * An echo server: every datagram goes back to whoever sent it, through the listening port's own
 * transport (Twisted's classic `Echo(DatagramProtocol)`).
 *
 *   node examples/echo-server.ts [--port 9999] [--interface 127.0.0.1] [--duration 10] [--count N]
 *
 * It stops by itself after `--duration` seconds, or after `--count` datagrams if that is given.
 * Try it with `node examples/echo-client.ts` in another terminal.
 */
import { DatagramProtocol, Deferred, react, type AddressTuple, type Reactor } from 'twisted-ts';
import { numberOption, parseCommandLine } from './lib/command-line.ts';

const USAGE = `
usage: node examples/echo-server.ts [--port 9999] [--interface 127.0.0.1] [--duration 10] [--count N]

An echo server: every datagram goes back to whoever sent it, through the listening port's own
transport (Twisted's classic \`Echo(DatagramProtocol)\`).
`;

const { values } = parseCommandLine(USAGE, {
  options: {
    port: { type: 'string', default: '9999' },
    interface: { type: 'string', default: '127.0.0.1' },
    duration: { type: 'string', default: '10' },
    count: { type: 'string' },
  },
});

class Echo extends DatagramProtocol {
  echoed = 0;
  /** Fires when `limit` datagrams were echoed. */
  readonly done = new Deferred<string>();

  readonly limit: number;

  constructor(limit: number) {
    super();
    this.limit = limit;
  }

  override startProtocol(): void {
    // getHost() gives the real port even when 0 was asked for: the port is bound already.
    console.log(`echo server listening on ${this.transport.getHost().host}:${this.transport.getHost().port}`);
  }

  override datagramReceived(datagram: Buffer, addr: AddressTuple): void {
    this.transport.write(datagram, addr);
    this.echoed += 1;
    console.log(
      `echoed ${datagram.length} bytes to ${addr[0]}:${addr[1]}: ${JSON.stringify(datagram.toString())}`,
    );
    if (this.echoed === this.limit) this.done.callback(`echoed ${this.limit} datagram(s)`);
  }
}

react(async (reactor: Reactor) => {
  const echo = new Echo(values.count === undefined ? Infinity : numberOption(USAGE, 'count', values.count));
  const port = reactor.listenUDP(numberOption(USAGE, 'port', values.port), echo, values.interface);
  const timer = reactor.callLater(numberOption(USAGE, 'duration', values.duration), () => {
    echo.done.callback(`${values.duration} s passed, echoed ${echo.echoed} datagram(s)`);
  });
  const why = await echo.done;
  if (timer.active()) timer.cancel();
  await port.stopListening();
  console.log(`${why}; stopped`);
});
