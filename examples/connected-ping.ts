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
import { parseArgs } from 'node:util';
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

const { values } = parseArgs({
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

class Pinger extends ConnectedDatagramProtocol {
  private waiting: Deferred<string> | undefined;
  refusals = 0;

  /** Sends "ping n" to the connected peer; fires with the answer. */
  ping(n: number, timeout: number, reactor: Reactor): Deferred<string> {
    const d = new Deferred<string>(() => {
      if (this.waiting === d) this.waiting = undefined;
    });
    this.waiting = d;
    this.transport.write(Buffer.from(`ping ${n}`)); // no address: the port is connected
    return d.addTimeout(timeout, reactor);
  }

  override datagramReceived(datagram: Buffer): void {
    const d = this.waiting;
    this.waiting = undefined;
    d?.callback(datagram.toString());
  }

  override connectionRefused(): void {
    this.refusals += 1;
    const d = this.waiting;
    this.waiting = undefined;
    d?.errback(new ConnectionRefusedError('the peer answered with ICMP port-unreachable'));
  }
}

react(async (reactor: Reactor) => {
  const interval = Number(values.interval);
  const count = Number(values.count);
  let peer = values.port === undefined ? reactor.listenUDP(0, new Ponger(), values.host) : undefined;
  const target: AddressTuple = [values.host, peer?.getHost().port ?? Number(values.port)];

  const pinger = new Pinger();
  const port = reactor.listenUDP(0, pinger, values.host.includes(':') ? '::1' : '127.0.0.1');
  port.connect(...target);
  console.log(`pinger ${port.getHost().host}:${port.getHost().port} connected to ${target[0]}:${target[1]}`);

  let n = 0;
  for (let i = 0; i < count; i++) {
    n += 1;
    const answer = await pinger.ping(n, 1, reactor);
    console.log(`ping ${n} -> ${JSON.stringify(answer)}`);
    await deferLater(reactor, interval);
  }

  if (peer !== undefined) {
    await peer.stopListening();
    peer = undefined;
    console.log(`peer stopped: nothing listens on ${target[0]}:${target[1]} any more`);
  }
  // Linux reports the ICMP error on the send after the one that provoked it, so it may take two.
  for (let tries = 0; tries < 10; tries++) {
    n += 1;
    try {
      const answer = await pinger.ping(n, Math.max(interval, 0.2), reactor);
      console.log(`ping ${n} -> ${JSON.stringify(answer)}`);
    } catch (e) {
      if (e instanceof ConnectionRefusedError) {
        console.log(`ping ${n} -> connectionRefused(): ${e.message}`);
        break;
      }
      if (!(e instanceof TimeoutError)) throw e;
      console.log(`ping ${n} -> no answer (timed out)`);
    }
  }
  await port.stopListening();
  console.log(`done: ${count} pong(s), ${pinger.refusals} refusal(s)`);
});
