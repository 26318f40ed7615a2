/**
 * `npm start`: the problem twisted-ts grew from, live on loopback.
 *
 * A DHT node has a "server" protocol listening on a UDP port, and a "client" that must send its
 * queries FROM THAT SAME PORT, because DHT peers answer to the port a query came from. The
 * original Python program (see docs/porting.md) opened a second socket on the port for the
 * client and got `error 10048` / `EADDRINUSE`. This demo shows:
 *
 *   1. the wrong way: a second plain socket on the taken port, and the error it gets;
 *   2. the right way A: the client sends through the listening port's own transport;
 *   3. the right way B: two multicast ports share one port number with `listenMultiple`, and each
 *      receives every datagram sent to their group.
 *
 *   node examples/shared-port.ts [--port 0] [--group 239.255.74.74] [--interface 127.0.0.1]
 *
 * Everything stays on this machine: unicast to 127.0.0.1, multicast joined on and sent out of
 * 127.0.0.1 with TTL 1. It ends by itself in a second or two.
 */
import {
  CannotListenError,
  DatagramProtocol,
  Deferred,
  MulticastJoinError,
  TimeoutError,
  deferLater,
  react,
  type AddressTuple,
  type MulticastPort,
  type Reactor,
  type UdpPort,
} from 'twisted-ts';
import { numberOption, parseCommandLine } from './lib/command-line.ts';

const USAGE = `
usage: node examples/shared-port.ts [--port 0] [--group 239.255.74.74] [--interface 127.0.0.1]

\`npm start\`: the problem twisted-ts grew from, live on loopback.
`;

const { values } = parseCommandLine(USAGE, {
  options: {
    port: { type: 'string', default: '0' },
    group: { type: 'string', default: '239.255.74.74' },
    interface: { type: 'string', default: '127.0.0.1' },
  },
});

const fmt = (addr: AddressTuple): string => `${addr[0]}:${addr[1]}`;
const hostOf = (p: UdpPort): string => `${p.getHost().host}:${p.getHost().port}`;

/** What the final table shows: one row per socket. */
interface Row {
  socket: string;
  bound: string;
  received: string[];
  why: string;
}
const rows: Row[] = [];

// ------------------------------------------------------------------------------------------------
// The protocols. Messages are tiny JSON objects: a query {t, q: "ping"} and its answer {t, r}.

interface Message {
  t: number;
  q?: string;
  r?: string;
}

/**
 * The DHT node's server protocol: answers queries, and hands answers to the client that is
 * waiting for them (the `pending` transactions).
 */
class DhtServer extends DatagramProtocol {
  readonly log: string[] = [];
  readonly pending = new Map<number, Deferred<Message>>();

  override datagramReceived(datagram: Buffer, addr: AddressTuple): void {
    const m = JSON.parse(datagram.toString()) as Message;
    if (m.q !== undefined) {
      this.log.push(`query "${m.q}" from ${fmt(addr)} → answered`);
      this.transport.write(Buffer.from(JSON.stringify({ t: m.t, r: 'pong from the server' })), addr);
      return;
    }
    const d = this.pending.get(m.t);
    this.pending.delete(m.t);
    this.log.push(`answer "${m.r}" from ${fmt(addr)} → handed to the client`);
    d?.callback(m);
  }
}

/**
 * The client. It owns no socket: it writes through the server's port, so its queries leave from
 * the server's port number and the answers come back there.
 */
class DhtClient {
  private nextT = 1;
  private readonly server: DhtServer;
  private readonly reactor: Reactor;
  constructor(server: DhtServer, reactor: Reactor) {
    this.server = server;
    this.reactor = reactor;
  }
  query(to: AddressTuple, q: string): Deferred<Message> {
    const t = this.nextT++;
    const d = new Deferred<Message>(() => this.server.pending.delete(t));
    this.server.pending.set(t, d);
    this.server.transport.write(Buffer.from(JSON.stringify({ t, q })), to);
    return d.addTimeout(1, this.reactor);
  }
}

/** Another DHT node somewhere (here: on loopback). It answers to the port a query came from. */
class Peer extends DatagramProtocol {
  readonly log: string[] = [];
  readonly answered = new Deferred<Message>();
  override datagramReceived(datagram: Buffer, addr: AddressTuple): void {
    const m = JSON.parse(datagram.toString()) as Message;
    if (m.q !== undefined) {
      this.log.push(`query "${m.q}" from ${fmt(addr)} → answered to ${fmt(addr)}`);
      this.transport.write(Buffer.from(JSON.stringify({ t: m.t, r: 'pong from the peer' })), addr);
    } else {
      this.log.push(`answer "${m.r}" from ${fmt(addr)}`);
      this.answered.callback(m);
    }
  }
}

/** A multicast member: records everything it receives. */
class Member extends DatagramProtocol<MulticastPort> {
  readonly log: string[] = [];
  readonly name: string;
  constructor(name: string) {
    super();
    this.name = name;
  }
  override datagramReceived(datagram: Buffer, addr: AddressTuple): void {
    this.log.push(`"${datagram}" from ${fmt(addr)}`);
  }
}

// ------------------------------------------------------------------------------------------------

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + word.length + 1 > width) {
      out.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  return line === '' ? out : [...out, line];
}

function heading(text: string): void {
  console.log(`\n${text}\n${'─'.repeat(text.length)}`);
}

async function wrongWay(reactor: Reactor, server: UdpPort): Promise<void> {
  const port = server.getHost().port;
  heading(`1. The wrong way: a second socket for the client on port ${port}`);
  console.log(`server: reactor.listenUDP(${port}, new DhtServer(), '127.0.0.1')  → bound ${hostOf(server)}`);
  console.log(`client: reactor.listenUDP(${port}, new DhtClient(), '127.0.0.1')  → ?`);
  try {
    reactor.listenUDP(port, new DatagramProtocol(), '127.0.0.1');
    console.log('   unexpectedly bound: this OS lets a second socket take the port');
  } catch (e) {
    if (!(e instanceof CannotListenError)) throw e;
    console.log(`   throws ${e.name} (code ${e.code}, OS error ${e.socketError.code}):`);
    for (const line of wrap(e.message, 96)) console.log(`   ${line}`);
  }
  // The seed's next attempt: SO_REUSEADDR on the client socket only.
  console.log(
    `client, with reuse on its own side only: listenMulticast(${port}, …, { listenMultiple: true })  → ?`,
  );
  try {
    const p = reactor.listenMulticast(port, new DatagramProtocol(), {
      interface: '127.0.0.1',
      listenMultiple: true,
    });
    await p.stopListening();
    console.log('   unexpectedly bound');
  } catch (e) {
    if (!(e instanceof CannotListenError)) throw e;
    console.log(`   still ${e.socketError.code}: both sockets must ask for reuse, and the server did not.`);
    console.log(`   (On Windows the seed saw 10048 = WSAEADDRINUSE, then 10013 = WSAEACCES.)`);
  }
  rows.push({
    socket: 'client, 2nd socket',
    bound: `— (127.0.0.1:${port} refused)`,
    received: [],
    why: 'a port held without reuse cannot be bound again',
  });
}

async function rightWayA(reactor: Reactor, server: UdpPort, serverProto: DhtServer): Promise<void> {
  heading('2. The right way A: the client sends through the server port’s own transport');
  const peerProto = new Peer();
  const peer = reactor.listenUDP(0, peerProto, '127.0.0.1');
  const peerAddr: AddressTuple = ['127.0.0.1', peer.getHost().port];
  const client = new DhtClient(serverProto, reactor);
  console.log(`a peer listens on ${hostOf(peer)}; the client queries it through the server's transport`);
  const answer = await client.query(peerAddr, 'ping');
  console.log(
    `   client got ${JSON.stringify(answer.r)} — it was sent to port ${server.getHost().port}, the server's`,
  );
  // And the other direction: the peer queries the node, the same port answers.
  peer.write(Buffer.from(JSON.stringify({ t: 99, q: 'ping' })), ['127.0.0.1', server.getHost().port]);
  const back = await peerProto.answered.addTimeout(1, reactor);
  console.log(`   the peer queried the node and got ${JSON.stringify(back.r)}: one port, both directions`);
  rows.push({
    socket: 'server + client (one port)',
    bound: hostOf(server),
    received: serverProto.log,
    why: 'answers to the client arrive on the port its query left from',
  });
  rows.push({
    socket: 'peer (another node)',
    bound: hostOf(peer),
    received: peerProto.log,
    why: `it saw the client's query come from port ${server.getHost().port}`,
  });
  await peer.stopListening();
}

async function rightWayB(reactor: Reactor): Promise<void> {
  const group = values.group;
  const iface = values.interface;
  heading(`3. The right way B: two listenMultiple ports on one port number, group ${group}`);
  const a = new Member('member A');
  const b = new Member('member B');
  const opened: UdpPort[] = [];
  try {
    // Bind '' (all interfaces): a socket bound to 127.0.0.1 would not receive group datagrams.
    // Nothing is SENT anywhere but loopback: the outgoing interface is 127.0.0.1, TTL 1.
    const portA = reactor.listenMulticast(0, a, { listenMultiple: true });
    opened.push(portA);
    const number = portA.getHost().port;
    const portB = reactor.listenMulticast(number, b, { listenMultiple: true });
    opened.push(portB);
    console.log(`A and B: reactor.listenMulticast(${number}, …, { listenMultiple: true })  → both bound`);
    for (const p of [portA, portB]) {
      await p.joinGroup(group, iface);
      await p.setOutgoingInterface(iface);
      p.setTTL(1);
    }
    console.log(
      `both joined ${group} on ${iface}; sending 2 datagrams to the group and 1 unicast to ${iface}:${number}`,
    );
    const sender = reactor.listenMulticast(0, new DatagramProtocol(), {
      interface: '',
      listenMultiple: false,
    });
    opened.push(sender);
    await sender.setOutgoingInterface(iface);
    sender.setTTL(1);
    sender.write(Buffer.from('to the group #1'), [group, number]);
    sender.write(Buffer.from('to the group #2'), [group, number]);
    sender.write(Buffer.from('unicast'), ['127.0.0.1', number]);
    await deferLater(reactor, 0.3);
    const groupCount = (log: string[]): number => log.filter((x) => x.includes('to the group')).length;
    const [gotA, gotB] = [groupCount(a.log), groupCount(b.log)];
    if (gotA === 0 && gotB === 0) {
      console.log(
        `   no group datagram came back: this host has no multicast route for ${iface} ` +
          '(Linux: `ip route add 224.0.0.0/4 dev lo`; run `npx twisted-ts doctor`).',
      );
    } else if (gotA === 2 && gotB === 2) {
      console.log('   each member received every group datagram; the unicast one went to only one of them');
    } else {
      console.log(`   A got ${gotA} and B got ${gotB} of the 2 group datagrams`);
    }
    const why = (log: string[]): string =>
      log.some((x) => x.includes('unicast'))
        ? 'a group datagram is copied to every member; a unicast one goes to one socket only'
        : 'a group datagram is copied to every member';
    rows.push({
      socket: 'member A (listenMultiple)',
      bound: hostOf(portA),
      received: a.log,
      why: why(a.log),
    });
    rows.push({
      socket: 'member B (listenMultiple)',
      bound: hostOf(portB),
      received: b.log,
      why: why(b.log),
    });
  } catch (e) {
    if (!(e instanceof MulticastJoinError) && !(e instanceof CannotListenError)) throw e;
    for (const line of wrap(`${e.name} (${e.code}): ${e.message}`, 96)) console.log(`   ${line}`);
    console.log(
      '   This host cannot do multicast on loopback right now; the sharing itself works, the group does not. ' +
        'Run `npx twisted-ts doctor` for the fix.',
    );
    rows.push({ socket: 'members A, B', bound: '—', received: [], why: `multicast unavailable: ${e.code}` });
  } finally {
    await Promise.all(opened.map((p) => p.stopListening()));
  }
}

function table(): void {
  heading('What each socket received, and why');
  const w1 = Math.max(...rows.map((r) => r.socket.length));
  const w2 = Math.max(...rows.map((r) => r.bound.length));
  for (const r of rows) {
    const lines = r.received.length > 0 ? r.received : ['(nothing)'];
    console.log(`${r.socket.padEnd(w1)}  ${r.bound.padEnd(w2)}  ${lines[0]}`);
    for (const l of lines.slice(1)) console.log(`${' '.repeat(w1 + w2 + 4)}${l}`);
    console.log(`${' '.repeat(w1 + w2 + 4)}why: ${r.why}`);
  }
  console.log(
    '\nIn short: send from a port through that port’s transport; share a port (listenMultiple) only ' +
      'when several programs must all hear a group, as SSDP and mDNS do.',
  );
}

react(async (reactor: Reactor) => {
  console.log('twisted-ts — two protocols, one UDP port (the scenario this project grew from)');
  const serverProto = new DhtServer();
  const server = reactor.listenUDP(numberOption(USAGE, 'port', values.port), serverProto, '127.0.0.1');
  try {
    await wrongWay(reactor, server);
    await rightWayA(reactor, server, serverProto);
  } catch (e) {
    if (e instanceof TimeoutError) console.log(`   no answer: ${e.message}`);
    else throw e;
  } finally {
    await server.stopListening();
  }
  await rightWayB(reactor);
  table();
});
