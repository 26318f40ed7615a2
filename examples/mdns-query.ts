/**
 * An mDNS query (RFC 6762): ask 224.0.0.251:5353 who `<name>.local` is, from port 5353 itself,
 * shared with any resident responder (Avahi, Bonjour, systemd-resolved) through `listenMultiple`
 * — without it the bind fails with EADDRINUSE on a host that runs one.
 *
 *   node examples/mdns-query.ts [--name twisted-ts-demo.local] [--interface 127.0.0.1]
 *                               [--port 5353] [--duration 1] [--no-responder] [--max-packet-size 9000]
 *
 * Two sockets on port 5353 in this process: the querier, and a demo responder that owns `--name`
 * (turn it off with --no-responder). A query sent from port 5353 gets its answer multicast to the
 * group, so every socket on the port hears it: the querier and the responder both do. The
 * responder answers with the address of the interface the query came in on, and both sockets
 * take datagrams of up to 9,000 bytes, the most RFC 6762 allows (8,192 is the default).
 *
 * By default everything stays on loopback (joined on and sent out of 127.0.0.1, TTL 1): a
 * resident responder on the LAN interface will not see it. Give `--interface <your address>`
 * and `--no-responder` to ask your network for real. `--port 0` uses a free port (for tests).
 */
import { networkInterfaces } from 'node:os';
import {
  DatagramProtocol,
  MulticastJoinError,
  deferLater,
  react,
  type AddressTuple,
  type MulticastPort,
  type Reactor,
} from 'twisted-ts';
import { numberOption, parseCommandLine } from './lib/command-line.ts';

const USAGE = `
usage: node examples/mdns-query.ts [--name twisted-ts-demo.local] [--interface 127.0.0.1]
                                   [--port 5353] [--duration 1] [--no-responder] [--max-packet-size 9000]

An mDNS query (RFC 6762): ask 224.0.0.251:5353 who \`<name>.local\` is, from port 5353 itself,
shared with any resident responder (Avahi, Bonjour, systemd-resolved) through \`listenMultiple\`
— without it the bind fails with EADDRINUSE on a host that runs one.
`;

const { values } = parseCommandLine(USAGE, {
  allowNegative: true,
  options: {
    name: { type: 'string', default: 'twisted-ts-demo.local' },
    interface: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '5353' },
    duration: { type: 'string', default: '1' },
    responder: { type: 'boolean', default: true },
    'max-packet-size': { type: 'string', default: '9000' },
  },
});

const GROUP = '224.0.0.251';
const TYPE_A = 1;
const CLASS_IN = 1;

// ------------------------------------------------------------------------------------------------
// Just enough DNS: one question, A records, compressed names when decoding.

function encodeName(name: string): Buffer {
  const labels = name.replace(/\.$/, '').split('.');
  return Buffer.concat([
    ...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])),
    Buffer.from([0]),
  ]);
}

function decodeName(msg: Buffer, offset: number): [name: string, next: number] {
  const labels: string[] = [];
  let next = -1;
  for (let hops = 0; hops < 64; hops++) {
    const len = msg[offset];
    if (len === 0) return [labels.join('.'), next === -1 ? offset + 1 : next];
    if ((len & 0xc0) === 0xc0) {
      if (next === -1) next = offset + 2; // a compression pointer
      offset = msg.readUInt16BE(offset) & 0x3fff;
      continue;
    }
    labels.push(msg.subarray(offset + 1, offset + 1 + len).toString());
    offset += 1 + len;
  }
  throw new Error('bad DNS name');
}

function query(name: string): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(1, 4); // one question; id 0 and flags 0, as mDNS queries have
  const q = Buffer.alloc(4);
  q.writeUInt16BE(TYPE_A, 0);
  q.writeUInt16BE(CLASS_IN, 2);
  return Buffer.concat([header, encodeName(name), q]);
}

function answer(name: string, ip: string): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(0x8400, 2); // response, authoritative
  header.writeUInt16BE(1, 6); // one answer
  const rr = Buffer.alloc(14);
  rr.writeUInt16BE(TYPE_A, 0);
  rr.writeUInt16BE(0x8000 | CLASS_IN, 2); // cache-flush bit: this is the unique owner
  rr.writeUInt32BE(120, 4); // TTL in seconds
  rr.writeUInt16BE(4, 8);
  ip.split('.').forEach((o, i) => rr.writeUInt8(Number(o), 10 + i));
  return Buffer.concat([header, encodeName(name), rr]);
}

interface Parsed {
  response: boolean;
  questions: string[];
  answers: { name: string; type: number; ttl: number; address?: string }[];
}

function parse(msg: Buffer): Parsed {
  const flags = msg.readUInt16BE(2);
  const [qd, an] = [msg.readUInt16BE(4), msg.readUInt16BE(6)];
  let offset = 12;
  const questions: string[] = [];
  for (let i = 0; i < qd; i++) {
    const [name, next] = decodeName(msg, offset);
    questions.push(name);
    offset = next + 4;
  }
  const answers: Parsed['answers'] = [];
  for (let i = 0; i < an; i++) {
    const [name, next] = decodeName(msg, offset);
    const type = msg.readUInt16BE(next);
    const ttl = msg.readUInt32BE(next + 4);
    const len = msg.readUInt16BE(next + 8);
    const rdata = msg.subarray(next + 10, next + 10 + len);
    answers.push({
      name,
      type,
      ttl,
      ...(type === TYPE_A && len === 4 ? { address: [...rdata].join('.') } : {}),
    });
    offset = next + 10 + len;
  }
  return { response: (flags & 0x8000) !== 0, questions, answers };
}

// ------------------------------------------------------------------------------------------------

/**
 * The address of this host's interface on the sender's subnet, which is the interface a query
 * from `source` came in on (mDNS is link-local: the sender is on the same link). Node does not
 * expose IP_PKTINFO, which would say so directly; the subnet says the same for every sender on
 * the link, and a host with two interfaces on one subnet is the exception RFC 6762 §15 warns of.
 */
function addressFacing(source: string): string | undefined {
  const toInt = (ip: string): number => ip.split('.').reduce((n, octet) => (n << 8) + Number(octet), 0) >>> 0;
  const from = toInt(source);
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) {
      if (a.family === 'IPv4' && ((toInt(a.address) ^ from) & toInt(a.netmask)) === 0) return a.address;
    }
  }
  return undefined;
}

/**
 * Owns one name; answers queries for it by multicasting the answer to the group, with the
 * address of the interface the query came in on — the address the asker can reach, which on a
 * host with several interfaces differs from one link to the next (RFC 6762 §6.2).
 */
class Responder extends DatagramProtocol<MulticastPort> {
  answered: string[] = [];
  heardAnswers = 0;
  readonly name: string;
  /** The interface the port joined on: the answer's address when no subnet matches the asker. */
  readonly joinedOn: string;
  constructor(name: string, joinedOn: string) {
    super();
    this.name = name;
    this.joinedOn = joinedOn;
  }
  override datagramReceived(datagram: Buffer, addr: AddressTuple): void {
    let m: Parsed;
    try {
      m = parse(datagram);
    } catch {
      return;
    }
    if (m.response) {
      this.heardAnswers += 1;
      return;
    }
    if (!m.questions.some((q) => q.toLowerCase() === this.name.toLowerCase())) return;
    const address = addressFacing(addr[0]) ?? this.joinedOn;
    this.answered.push(`query from ${addr[0]}:${addr[1]} answered with ${address}`);
    this.transport.write(answer(this.name, address), [GROUP, this.transport.getHost().port]);
  }
}

/** Collects the answers the group carries. */
class Querier extends DatagramProtocol<MulticastPort> {
  readonly answers: string[] = [];
  override datagramReceived(datagram: Buffer, addr: AddressTuple): void {
    let m: Parsed;
    try {
      m = parse(datagram);
    } catch {
      return; // not DNS
    }
    if (!m.response) return; // our own query, looped back, or someone else's
    for (const a of m.answers) {
      this.answers.push(
        `${a.name} ${a.type === TYPE_A ? `A ${a.address}` : `type ${a.type}`} ttl ${a.ttl}  (from ${addr[0]}:${addr[1]})`,
      );
    }
  }
}

react(async (reactor: Reactor) => {
  const iface = values.interface;
  const name = values.name;
  // RFC 6762 §17: mDNS messages may fill a 9,000-byte jumbo frame, more than the 8,192 default.
  const maxPacketSize = numberOption(USAGE, 'max-packet-size', values['max-packet-size']);
  const ports: MulticastPort[] = [];
  const querier = new Querier();
  const responder = new Responder(name, iface);
  try {
    // listenMultiple: share 5353 with whatever responder the host runs. Bind '' to receive the group.
    const q = reactor.listenMulticast(numberOption(USAGE, 'port', values.port), querier, {
      listenMultiple: true,
      maxPacketSize,
    });
    ports.push(q);
    const port = q.getHost().port;
    await q.joinGroup(GROUP, iface);
    await q.setOutgoingInterface(iface);
    q.setTTL(1);
    console.log(`querier on port ${port} (listenMultiple), joined ${GROUP} on ${iface}`);
    if (values.responder) {
      const r = reactor.listenMulticast(port, responder, { listenMultiple: true, maxPacketSize });
      ports.push(r);
      await r.joinGroup(GROUP, iface);
      await r.setOutgoingInterface(iface);
      r.setTTL(1);
      console.log(`demo responder for ${name} on the same port ${port}: both sockets are bound`);
    }
    q.write(query(name), [GROUP, port]);
    console.log(
      `asked ${GROUP}:${port} for ${name} (A), TTL 1 out of ${iface}; waiting ${values.duration} s`,
    );
    await deferLater(reactor, numberOption(USAGE, 'duration', values.duration));

    console.log(`\n${querier.answers.length} answer(s):`);
    for (const a of querier.answers) console.log(`  ${a}`);
    if (values.responder) {
      for (const line of responder.answered) console.log(`responder: ${line}`);
      console.log(
        `the responder answered ${responder.answered.length} query(ies) and heard ${responder.heardAnswers} answer(s) ` +
          'on the group: every socket sharing the port receives every multicast datagram',
      );
    }
    if (querier.answers.length === 0) console.log(`nobody on ${iface} owns ${name}`);
  } catch (e) {
    if (!(e instanceof MulticastJoinError)) throw e;
    console.log(`cannot join ${GROUP} on ${iface}: ${e.message}`);
    console.log('run `npx twisted-ts doctor` to see what this host lacks');
  } finally {
    await Promise.all(ports.map((p) => p.stopListening()));
  }
});
