/**
 * An echo client: sends `--count` numbered datagrams to an echo server and waits for each echo,
 * giving up on one after `--timeout` seconds. The protocol is Twisted's client half of the echo
 * example; the waiting is a Deferred per message, with `addTimeout`.
 *
 *   node examples/echo-client.ts [--host 127.0.0.1] [--port 9999] [--count 3] [--timeout 1]
 *
 * Exit code 0 when every echo came back, 1 otherwise.
 */
import {
  DatagramProtocol,
  Deferred,
  SystemExit,
  TimeoutError,
  react,
  type AddressTuple,
  type Reactor,
} from 'twisted-ts';
import { numberOption, parseCommandLine } from './lib/command-line.ts';

const USAGE = `
usage: node examples/echo-client.ts [--host 127.0.0.1] [--port 9999] [--count 3] [--timeout 1]

An echo client: sends \`--count\` numbered datagrams to an echo server and waits for each echo,
giving up on one after \`--timeout\` seconds. The protocol is Twisted's client half of the echo
example; the waiting is a Deferred per message, with \`addTimeout\`.
`;

const { values } = parseCommandLine(USAGE, {
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '9999' },
    count: { type: 'string', default: '3' },
    timeout: { type: 'string', default: '1' },
  },
});

class EchoClient extends DatagramProtocol {
  private readonly waiting = new Map<string, Deferred<Buffer>>();

  /** Sends `text` and fires with its echo (or fails with TimeoutError). */
  send(text: string, to: AddressTuple, timeout: number, reactor: Reactor): Deferred<Buffer> {
    const d = new Deferred<Buffer>(() => this.waiting.delete(text));
    this.waiting.set(text, d);
    this.transport.write(Buffer.from(text), to);
    return d.addTimeout(timeout, reactor);
  }

  override datagramReceived(datagram: Buffer): void {
    const d = this.waiting.get(datagram.toString());
    if (d === undefined) return; // a late echo of something we gave up on
    this.waiting.delete(datagram.toString());
    d.callback(datagram);
  }
}

react(async (reactor: Reactor) => {
  const client = new EchoClient();
  // Port 0: any free port; the echo comes back to it because we send from it.
  const port = reactor.listenUDP(0, client, values.host.includes(':') ? '::1' : '127.0.0.1');
  const to: AddressTuple = [values.host, numberOption(USAGE, 'port', values.port)];
  console.log(
    `sending ${values.count} datagram(s) from ${port.getHost().host}:${port.getHost().port} to ${to[0]}:${to[1]}`,
  );
  let ok = 0;
  for (let i = 1; i <= numberOption(USAGE, 'count', values.count); i++) {
    const text = `hello #${i}`;
    const started = reactor.seconds();
    try {
      const echo = await client.send(text, to, numberOption(USAGE, 'timeout', values.timeout), reactor);
      const ms = ((reactor.seconds() - started) * 1000).toFixed(2);
      console.log(`echo ${i}: ${JSON.stringify(echo.toString())} in ${ms} ms`);
      ok += 1;
    } catch (e) {
      if (!(e instanceof TimeoutError)) throw e;
      console.log(`echo ${i}: no answer within ${values.timeout} s (is the server running?)`);
    }
  }
  await port.stopListening();
  console.log(`${ok}/${values.count} echoes received`);
  if (ok !== numberOption(USAGE, 'count', values.count)) throw new SystemExit(1);
});
