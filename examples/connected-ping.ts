/**
 * Connected UDP (Twisted's `ConnectedDatagramProtocol`): a pinger `connect()`s its port to one
 * peer, writes without an address, hears only that peer, and learns through
 * `connectionRefused()` when nobody listens there any more (the peer's host answers with ICMP
 * port-unreachable).
 *
 *   node examples/connected-ping.ts [--count 3] [--interval 0.2]
 *   node examples/connected-ping.ts --port 9999 [--host 127.0.0.1]   (ping an echo server you run)
 *
 * Without `--port` it starts its own peer on 127.0.0.1, pings it `--count` times, stops the peer
 * and pings on until the refusal arrives.
 */
import {
  ConnectedDatagramProtocol,
  ConnectionRefusedError,
  DatagramProtocol,
  Deferred,
  TimeoutError,
  deferLater,
  react,
  type AddressTuple,
  type Reactor,
} from 'twisted-ts';
import { numberOption, parseCommandLine } from './lib/command-line.ts';

const USAGE = `
usage: node examples/connected-ping.ts [--count 3] [--interval 0.2]
       node examples/connected-ping.ts --port 9999 [--host 127.0.0.1]   (ping an echo server you run)

Connected UDP (Twisted's \`ConnectedDatagramProtocol\`): a pinger \`connect()\`s its port to one
peer, writes without an address, hears only that peer, and learns through
\`connectionRefused()\` when nobody listens there any more (the peer's host answers with ICMP
port-unreachable).
`;

const { values } = parseCommandLine(USAGE, {
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string' },
    count: { type: 'string', default: '3' },
    interval: { type: 'string', default: '0.2' },
  },
});

/** The peer: answers "ping N" with "pong N". */
class Ponger extends DatagramProtocol {
  override datagramReceived(datagram: Buffer, addr: AddressTuple): void {
    this.transport.write(Buffer.from(datagram.toString().replace('ping', 'pong')), addr);
  }
}

/** The pinger: one Deferred per ping in flight, matched to its pong by number. */
class Pinger extends ConnectedDatagramProtocol {
  readonly #waiting = new Map<number, Deferred<string>>();
  refusals = 0;

  /** Sends "ping n" to the connected peer; fires with the answer, or fails. */
  ping(n: number, timeout: number, reactor: Reactor): Deferred<string> {
    const d = new Deferred<string>(() => this.#waiting.delete(n)); // the timeout cancels
    this.#waiting.set(n, d);
    this.transport.write(Buffer.from(`ping ${n}`)); // no address: the port is connected
    return d.addTimeout(timeout, reactor);
  }

  override datagramReceived(datagram: Buffer): void {
    // A late pong (its ping timed out) or a stray datagram matches nothing and is dropped.
    const n = Number(/^pong (\d+)$/.exec(datagram.toString())?.[1]);
    const d = this.#waiting.get(n);
    this.#waiting.delete(n);
    d?.callback(datagram.toString());
  }

  override connectionRefused(): void {
    // The refusal is for the port, not for one datagram: every ping in flight has lost its peer.
    this.refusals += 1;
    const waiting = [...this.#waiting.values()];
    this.#waiting.clear();
    for (const d of waiting)
      d.errback(new ConnectionRefusedError('the peer answered with ICMP port-unreachable'));
  }
}

react(async (reactor: Reactor) => {
  const interval = numberOption(USAGE, 'interval', values.interval);
  const count = numberOption(USAGE, 'count', values.count);
  const peerPort = values.port === undefined ? undefined : numberOption(USAGE, 'port', values.port);
  let peer = peerPort === undefined ? reactor.listenUDP(0, new Ponger(), values.host) : undefined;
  const target: AddressTuple = [values.host, peer?.getHost().port ?? peerPort!];

  const pinger = new Pinger();
  const port = reactor.listenUDP(0, pinger, values.host.includes(':') ? '::1' : '127.0.0.1');
  port.connect(...target);
  console.log(`pinger ${port.getHost().host}:${port.getHost().port} connected to ${target[0]}:${target[1]}`);

  let n = 0;
  let pongs = 0;
  let timeouts = 0;
  /** One ping; a refusal or a timeout is reported, not thrown: the peer may come and go. */
  const pingOnce = async (timeout: number): Promise<'pong' | 'refused' | 'timeout'> => {
    n += 1;
    try {
      console.log(`ping ${n} -> ${JSON.stringify(await pinger.ping(n, timeout, reactor))}`);
      pongs += 1;
      return 'pong';
    } catch (e) {
      if (e instanceof ConnectionRefusedError) {
        console.log(`ping ${n} -> connectionRefused(): ${e.message}`);
        return 'refused';
      }
      if (!(e instanceof TimeoutError)) throw e;
      timeouts += 1;
      console.log(`ping ${n} -> no answer (timed out)`);
      return 'timeout';
    }
  };

  for (let i = 0; i < count; i++) {
    await pingOnce(1);
    await deferLater(reactor, interval);
  }

  if (peer !== undefined) {
    await peer.stopListening();
    peer = undefined;
    console.log(`peer stopped: nothing listens on ${target[0]}:${target[1]} any more`);
  }
  // Until the refusal is seen. Linux reports the ICMP error on the send after the one that
  // provoked it, so it may take two.
  for (let tries = 0; tries < 10 && pinger.refusals === 0; tries++) {
    if ((await pingOnce(Math.max(interval, 0.2))) === 'refused') break;
  }
  await port.stopListening();
  console.log(`done: ${pongs} pong(s), ${pinger.refusals} refusal(s), ${timeouts} timeout(s)`);
});
