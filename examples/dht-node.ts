/**
 * A BitTorrent mainline DHT node (BEP 5: KRPC over UDP, bencoded) that real clients such as
 * libtorrent use: it answers ping, find_node, get_peers and announce_peer (with write tokens),
 * answers a malformed query with KRPC error 203 instead of failing, and asks the same of other
 * nodes. Each node has ONE port that both sends its queries and answers — the seed's problem
 * solved the right way, with no second socket and no port sharing. Queries are Deferreds with a
 * timeout and retries; lookups run rounds of parallel queries with a DeferredList.
 *
 * The protocol lives in examples/dht/ (bencode.ts, krpc.ts, node.ts); this file is the command.
 */
import { randomBytes } from 'node:crypto';
import { isIPv4 } from 'node:net';
import { DatagramProtocol, react, type AddressTuple, type Reactor } from 'twisted-ts';
import { DhtNode } from './dht/node.ts';
import { distance, short, type Contact } from './dht/krpc.ts';
import { numberOption, parseCommandLine, USAGE_ERROR } from './lib/command-line.ts';

const USAGE = `
usage: node examples/dht-node.ts [--nodes 6] [--timeout 0.3] [--retries 2] [--interface 127.0.0.1]
       node examples/dht-node.ts --port 6881 [--bootstrap HOST:PORT ...] [--announce INFOHASH[:PORT]]
                                 [--get-peers INFOHASH] [--duration SECONDS] [--interface 127.0.0.1]

The first form is a demo: --nodes nodes in this process, on loopback, bootstrap from the first;
a dead peer in one routing table shows timeouts and retries; it prints what each node did.

The second runs one node on --port (0: any free port) until Ctrl-C or --duration: it joins
through each --bootstrap node (an IPv4 literal: no DNS), announces itself as a peer of
--announce (40 hex digits; without :PORT, the port it sends from), looks up --get-peers, and
serves. It prints the queries it refuses and the peers announced to it.

  --timeout S    seconds to wait for an answer before retrying (default 2; demo 0.3)
  --retries N    retries after a timeout (default 1; demo 2)
  -h, --help     this text
`;

const { values } = parseCommandLine(USAGE, {
  options: {
    nodes: { type: 'string', default: '6' },
    timeout: { type: 'string' },
    retries: { type: 'string' },
    interface: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string' },
    bootstrap: { type: 'string', multiple: true, default: [] },
    announce: { type: 'string' },
    'get-peers': { type: 'string' },
    duration: { type: 'string' },
  },
});

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE.trim()}\n`);
  process.exit(USAGE_ERROR);
}

function address(text: string): AddressTuple {
  const colon = text.lastIndexOf(':');
  const [host, port] = [text.slice(0, colon), Number(text.slice(colon + 1))];
  if (!isIPv4(host) || !Number.isInteger(port) || port < 1 || port > 65535) {
    fail(`--bootstrap wants an IPv4 address and a port, such as 127.0.0.1:6881, not ${JSON.stringify(text)}`);
  }
  return [host, port];
}

function infoHash(option: string, text: string): Buffer {
  if (!/^[0-9a-fA-F]{40}$/.test(text))
    fail(`--${option} wants an info-hash of 40 hex digits, not ${JSON.stringify(text)}`);
  return Buffer.from(text, 'hex');
}

const singleNode =
  values.port !== undefined ||
  values.bootstrap.length > 0 ||
  values.announce !== undefined ||
  values['get-peers'] !== undefined;
const timeout = numberOption(USAGE, 'timeout', values.timeout ?? (singleNode ? '2' : '0.3'));
const retries = numberOption(USAGE, 'retries', values.retries ?? (singleNode ? '1' : '2'));

// ------------------------------------------------------------------------------------------------
// One node, for a real network (or a test against other implementations).

async function runNode(reactor: Reactor): Promise<void> {
  const bootstrap = values.bootstrap.map(address);
  const [announceHash, announcePort] = (values.announce ?? '').split(':');
  const toAnnounce = values.announce === undefined ? undefined : infoHash('announce', announceHash);
  const toFind = values['get-peers'] === undefined ? undefined : infoHash('get-peers', values['get-peers']);
  const node = new DhtNode({ clock: reactor, timeout, retries, log: (line) => console.log(line) });
  const port = reactor.listenUDP(numberOption(USAGE, 'port', values.port ?? '0'), node, values.interface);
  console.log(`dht node ${node.id.toString('hex')} on ${node.addr[0]}:${node.addr[1]}`);
  reactor.addSystemEventTrigger('before', 'shutdown', () => {
    const c = node.counts;
    console.log(
      `stopping: sent ${c.sent}, answered ${c.answered}, timeouts ${c.timeouts}, served ${c.served}, ` +
        `refused ${c.refused}; ${node.table.size} node(s) known, peers stored for ${node.peers.size} info-hash(es)`,
    );
  });

  for (const addr of bootstrap) {
    try {
      const known = await node.bootstrap(addr);
      console.log(`bootstrap from ${addr[0]}:${addr[1]}: ${known} node(s) known`);
    } catch (e) {
      console.log(`bootstrap from ${addr[0]}:${addr[1]} failed: ${(e as Error).message}`);
    }
  }
  if (toAnnounce !== undefined) {
    const peerPort = announcePort === undefined ? undefined : numberOption(USAGE, 'announce', announcePort);
    const { accepted } = await node.announce(toAnnounce, peerPort);
    console.log(
      `announced ${toAnnounce.toString('hex')} port ${peerPort ?? node.addr[1]} to ${accepted} node(s)`,
    );
  }
  if (toFind !== undefined) {
    const { peers } = await node.lookup(toFind, 'get_peers');
    for (const p of node.peersFor(toFind)) peers.add(`${p[0]}:${p[1]}`); // and what was announced here
    console.log(`peers for ${toFind.toString('hex')}: ${peers.size === 0 ? 'none' : [...peers].join(' ')}`);
  }

  if (values.duration === undefined) {
    console.log('serving; Ctrl-C stops');
    await new Promise(() => {}); // until a signal stops the reactor (react then exits)
  }
  const duration = numberOption(USAGE, 'duration', values.duration!);
  console.log(`serving for ${duration} s`);
  await new Promise<void>((done) => reactor.callLater(duration, done));
  await port.stopListening();
}

// ------------------------------------------------------------------------------------------------
// The demo: several nodes in one process.

async function demo(reactor: Reactor): Promise<void> {
  const nodes: { name: string; node: DhtNode }[] = [];
  const ports = [];
  for (let i = 0; i < Math.max(2, numberOption(USAGE, 'nodes', values.nodes)); i++) {
    const name = `node${i}`;
    const node = new DhtNode({
      clock: reactor,
      timeout,
      retries,
      log: (line) => console.log(`  ${name} ${line}`),
    });
    ports.push(reactor.listenUDP(0, node, values.interface)); // one port per node, bound at once
    nodes.push({ name, node });
    console.log(`${name} id ${short(node.id)} on ${node.addr[0]}:${node.addr[1]}`);
  }

  console.log('\nbootstrap: every node pings node0, then looks up its own id');
  const [first, ...rest] = nodes;
  for (const { node } of rest) await node.bootstrap(first.node.addr);

  // A dead peer: a port that was bound and closed, so nothing answers there.
  const ghostPort = reactor.listenUDP(0, new DatagramProtocol(), values.interface);
  const ghost: Contact = { id: randomBytes(20), addr: [ghostPort.getHost().host, ghostPort.getHost().port] };
  await ghostPort.stopListening();
  const seeker = nodes[nodes.length - 1];
  const target = Buffer.from(ghost.id); // make the dead peer the closest thing to the target
  target[19] ^= 1;
  seeker.node.learn(ghost);
  console.log(`\n${seeker.name} looks up ${short(target)} (a dead peer ${short(ghost.id)} is in its table)`);
  const { closest } = await seeker.node.lookup(target);
  console.log(`closest nodes to ${short(target)}:`);
  for (const c of closest.slice(0, 3)) {
    console.log(
      `  ${short(c.id)} at ${c.addr[0]}:${c.addr[1]}  distance 2^${distance(c.id, target).toString(2).length - 1}`,
    );
  }

  console.log('\nnode    port   sent  answered  timeouts  retries  served  known');
  for (const { name, node } of nodes) {
    const c = node.counts;
    console.log(
      `${name.padEnd(7)} ${String(node.addr[1]).padEnd(6)} ${String(c.sent).padStart(4)}  ${String(c.answered).padStart(8)}  ` +
        `${String(c.timeouts).padStart(8)}  ${String(c.retries).padStart(7)}  ${String(c.served).padStart(6)}  ${String(node.table.size).padStart(5)}`,
    );
  }
  await Promise.all(ports.map((p) => p.stopListening()));
  console.log('\nevery node used one UDP port for its queries and its answers');
}

react(singleNode ? runNode : demo);
