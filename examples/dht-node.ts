/**
 * A tiny Kademlia-style DHT, KRPC over UDP (the message format of BitTorrent's DHT, BEP 5):
 * each node has ONE port that both sends queries and answers them — the seed's problem solved
 * the right way, with no second socket and no port sharing. Queries are Deferreds with a timeout
 * and retries; an iterative `find_node` runs rounds of parallel queries with a DeferredList.
 *
 *   node examples/dht-node.ts [--nodes 6] [--timeout 0.3] [--retries 2] [--interface 127.0.0.1]
 *
 * It starts `--nodes` nodes on loopback in this process, bootstraps them from the first, adds a
 * dead peer to one routing table (to show timeouts and retries), looks up a random id, prints
 * what each node did, and exits.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import {
  DatagramProtocol,
  Deferred,
  DeferredList,
  TimeoutError,
  react,
  type AddressTuple,
  type Failure,
  type Reactor,
} from 'twisted-ts';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '6' },
    timeout: { type: 'string', default: '0.3' },
    retries: { type: 'string', default: '2' },
    interface: { type: 'string', default: '127.0.0.1' },
  },
});

// ------------------------------------------------------------------------------------------------
// Bencode, the encoding of KRPC messages: integers, byte strings, lists and dictionaries.

type BValue = number | Buffer | BValue[] | { [key: string]: BValue };
type BDict = { [key: string]: BValue };

function bencode(v: BValue): Buffer {
  if (typeof v === 'number') return Buffer.from(`i${Math.trunc(v)}e`);
  if (Buffer.isBuffer(v)) return Buffer.concat([Buffer.from(`${v.length}:`), v]);
  if (Array.isArray(v)) return Buffer.concat([Buffer.from('l'), ...v.map(bencode), Buffer.from('e')]);
  const keys = Object.keys(v).sort(); // bencoded dictionaries have sorted keys
  return Buffer.concat([
    Buffer.from('d'),
    ...keys.flatMap((k) => [bencode(Buffer.from(k)), bencode(v[k])]),
    Buffer.from('e'),
  ]);
}

function bdecode(data: Buffer): BValue {
  let i = 0;
  const next = (): BValue => {
    const c = String.fromCharCode(data[i]);
    if (c === 'i') {
      const end = data.indexOf('e', i);
      const n = Number(data.subarray(i + 1, end).toString());
      i = end + 1;
      return n;
    }
    if (c === 'l' || c === 'd') {
      i += 1;
      const items: BValue[] = [];
      while (data[i] !== 0x65 /* e */) {
        if (i >= data.length) throw new Error('truncated bencode');
        items.push(next());
      }
      i += 1;
      if (c === 'l') return items;
      const dict: BDict = {};
      for (let k = 0; k < items.length; k += 2) dict[(items[k] as Buffer).toString()] = items[k + 1];
      return dict;
    }
    const colon = data.indexOf(':', i);
    if (colon < 0) throw new Error('bad bencode');
    const len = Number(data.subarray(i, colon).toString());
    const s = data.subarray(colon + 1, colon + 1 + len);
    i = colon + 1 + len;
    return s;
  };
  return next();
}

// ------------------------------------------------------------------------------------------------
// Node ids, distances, compact node info (20-byte id + 4-byte IPv4 + 2-byte port).

interface Contact {
  id: Buffer;
  addr: AddressTuple;
}

const distance = (a: Buffer, b: Buffer): bigint =>
  BigInt('0x' + Buffer.from(a.map((x, i) => x ^ b[i])).toString('hex'));

function packNodes(contacts: Contact[]): Buffer {
  return Buffer.concat(
    contacts.map(({ id, addr: [host, port] }) => {
      const out = Buffer.alloc(26);
      id.copy(out, 0);
      host.split('.').forEach((octet, k) => (out[20 + k] = Number(octet)));
      out.writeUInt16BE(port, 24);
      return out;
    }),
  );
}

function unpackNodes(data: Buffer): Contact[] {
  const out: Contact[] = [];
  for (let o = 0; o + 26 <= data.length; o += 26) {
    const host = [...data.subarray(o + 20, o + 24)].join('.');
    out.push({ id: Buffer.from(data.subarray(o, o + 20)), addr: [host, data.readUInt16BE(o + 24)] });
  }
  return out;
}

const short = (id: Buffer): string => id.toString('hex').slice(0, 8);

// ------------------------------------------------------------------------------------------------
// The node: one DatagramProtocol, one port, queries and answers.

class DhtNode extends DatagramProtocol {
  readonly id = randomBytes(20);
  readonly name: string;
  readonly table = new Map<string, Contact>();
  readonly counts = { sent: 0, answered: 0, timeouts: 0, retries: 0, served: 0 };
  private readonly pending = new Map<string, Deferred<BDict>>();
  private nextTid = 0;
  private readonly reactor: Reactor;
  private readonly timeout: number;
  private readonly retries: number;

  constructor(name: string, reactor: Reactor, timeout: number, retries: number) {
    super();
    this.name = name;
    this.reactor = reactor;
    this.timeout = timeout;
    this.retries = retries;
  }

  get addr(): AddressTuple {
    const h = this.transport.getHost();
    return [h.host, h.port];
  }

  learn(contact: Contact): void {
    if (!contact.id.equals(this.id)) this.table.set(contact.id.toString('hex'), contact);
  }

  closest(target: Buffer, k = 8): Contact[] {
    return [...this.table.values()]
      .sort((a, b) => (distance(a.id, target) < distance(b.id, target) ? -1 : 1))
      .slice(0, k);
  }

  /** One attempt: send the query, fire with the response dictionary, or TimeoutError. */
  private sendQuery(addr: AddressTuple, q: string, args: BDict): Deferred<BDict> {
    const tid = Buffer.alloc(2);
    tid.writeUInt16BE(this.nextTid++ & 0xffff);
    const key = tid.toString('hex');
    // Cancelling (which is what a timeout does) forgets the transaction, so a late answer is ignored.
    const d = new Deferred<BDict>(() => this.pending.delete(key));
    this.pending.set(key, d);
    this.counts.sent += 1;
    // The query leaves from the port we listen on, so the answer comes back to this protocol.
    this.transport.write(
      bencode({ t: tid, y: Buffer.from('q'), q: Buffer.from(q), a: { id: this.id, ...args } }),
      addr,
    );
    return d.addTimeout(this.timeout, this.reactor);
  }

  /** A query with retries: a timeout is retried `retries` times, any other failure is not. */
  query(addr: AddressTuple, q: string, args: BDict = {}): Deferred<BDict> {
    const attempt = (left: number): Deferred<BDict> =>
      this.sendQuery(addr, q, args).addErrback((failure: Failure) => {
        failure.trap(TimeoutError); // anything else goes on failing
        this.counts.timeouts += 1;
        if (left === 0) failure.raiseException(); // out of retries: fail with the timeout
        this.counts.retries += 1;
        return attempt(left - 1);
      });
    return attempt(this.retries).addCallback((r: BDict) => {
      this.counts.answered += 1;
      this.learn({ id: r.id as Buffer, addr });
      return r;
    });
  }

  ping(addr: AddressTuple): Deferred<BDict> {
    return this.query(addr, 'ping');
  }

  /**
   * Iterative find_node: ask the 3 closest unasked contacts in parallel, learn what they return,
   * repeat while that brings closer nodes. Fires with the 8 closest contacts found.
   */
  async findNode(target: Buffer): Promise<Contact[]> {
    const asked = new Set<string>();
    for (let round = 1; ; round++) {
      const batch = this.closest(target)
        .filter((c) => !asked.has(c.id.toString('hex')))
        .slice(0, 3);
      if (batch.length === 0) return this.closest(target);
      for (const c of batch) asked.add(c.id.toString('hex'));
      const results = await new DeferredList(
        batch.map((c) => this.query(c.addr, 'find_node', { target })),
        { consumeErrors: true },
      );
      let learned = 0;
      results.forEach(([ok, result], k) => {
        if (!ok) {
          console.log(
            `  ${this.name} round ${round}: ${short(batch[k].id)} gave up after ${this.retries + 1} attempts (${result.getErrorMessage()})`,
          );
          this.table.delete(batch[k].id.toString('hex'));
          return;
        }
        for (const c of unpackNodes(result.nodes as Buffer)) {
          if (!this.table.has(c.id.toString('hex')) && !c.id.equals(this.id)) learned += 1;
          this.learn(c);
        }
      });
      console.log(`  ${this.name} round ${round}: asked ${batch.length}, learned ${learned} new node(s)`);
    }
  }

  override datagramReceived(datagram: Buffer, addr: AddressTuple): void {
    let m: BDict;
    try {
      m = bdecode(datagram) as BDict;
    } catch {
      return; // not KRPC: ignore, as DHT nodes do
    }
    const type = (m.y as Buffer | undefined)?.toString();
    if (type === 'q') this.answer(m, addr);
    else if (type === 'r' || type === 'e') {
      const key = (m.t as Buffer).toString('hex');
      const d = this.pending.get(key);
      if (d === undefined) return; // a late answer to a query that timed out
      this.pending.delete(key);
      if (type === 'r') d.callback(m.r as BDict);
      else d.errback(new Error(`KRPC error ${String((m.e as BValue[])[1])}`));
    }
  }

  private answer(m: BDict, addr: AddressTuple): void {
    const args = m.a as BDict;
    this.counts.served += 1;
    this.learn({ id: args.id as Buffer, addr });
    const q = (m.q as Buffer).toString();
    const r: BDict = { id: this.id };
    if (q === 'find_node') r.nodes = packNodes(this.closest(args.target as Buffer));
    else if (q !== 'ping') {
      this.transport.write(
        bencode({ t: m.t, y: Buffer.from('e'), e: [204, Buffer.from('Method Unknown')] }),
        addr,
      );
      return;
    }
    this.transport.write(bencode({ t: m.t, y: Buffer.from('r'), r }), addr);
  }
}

// ------------------------------------------------------------------------------------------------

react(async (reactor: Reactor) => {
  const timeout = Number(values.timeout);
  const retries = Number(values.retries);
  const nodes: DhtNode[] = [];
  const ports = [];
  for (let i = 0; i < Math.max(2, Number(values.nodes)); i++) {
    const node = new DhtNode(`node${i}`, reactor, timeout, retries);
    ports.push(reactor.listenUDP(0, node, values.interface)); // one port per node, bound at once
    nodes.push(node);
    console.log(`${node.name} id ${short(node.id)} on ${node.addr[0]}:${node.addr[1]}`);
  }

  console.log('\nbootstrap: every node pings node0, then looks up its own id');
  const [first, ...rest] = nodes;
  for (const node of rest) {
    await node.ping(first.addr);
    await node.findNode(node.id);
  }

  // A dead peer: a port that was bound and closed, so nothing answers there.
  const ghostPort = reactor.listenUDP(0, new DatagramProtocol(), values.interface);
  const ghost: Contact = { id: randomBytes(20), addr: [ghostPort.getHost().host, ghostPort.getHost().port] };
  await ghostPort.stopListening();
  const seeker = nodes[nodes.length - 1];
  const target = Buffer.from(ghost.id); // make the dead peer the closest thing to the target
  target[19] ^= 1;
  seeker.learn(ghost);
  console.log(`\n${seeker.name} looks up ${short(target)} (a dead peer ${short(ghost.id)} is in its table)`);
  const found = await seeker.findNode(target);
  console.log(`closest nodes to ${short(target)}:`);
  for (const c of found.slice(0, 3)) {
    console.log(
      `  ${short(c.id)} at ${c.addr[0]}:${c.addr[1]}  distance 2^${distance(c.id, target).toString(2).length - 1}`,
    );
  }

  console.log('\nnode    port   sent  answered  timeouts  retries  served  known');
  for (const n of nodes) {
    const c = n.counts;
    console.log(
      `${n.name.padEnd(7)} ${String(n.addr[1]).padEnd(6)} ${String(c.sent).padStart(4)}  ${String(c.answered).padStart(8)}  ` +
        `${String(c.timeouts).padStart(8)}  ${String(c.retries).padStart(7)}  ${String(c.served).padStart(6)}  ${String(n.table.size).padStart(5)}`,
    );
  }
  await Promise.all(ports.map((p) => p.stopListening()));
  console.log('\nevery node used one UDP port for its queries and its answers');
});
