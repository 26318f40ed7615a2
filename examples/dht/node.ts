/**
 * A mainline DHT node (BEP 5) as one `DatagramProtocol` on one UDP port: it answers `ping`,
 * `find_node`, `get_peers` and `announce_peer` (with tokens), and it asks the same four of other
 * nodes, each query a Deferred with a timeout and retries — the seed's problem solved the right
 * way: the queries leave from the port the node listens on, so the answers come back to it.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  DatagramProtocol,
  Deferred,
  DeferredList,
  LoopingCall,
  TimeoutError,
  type AddressTuple,
  type Failure,
  type IReactorTime,
} from 'twisted-ts';
import { bencode, type BDict } from './bencode.ts';
import {
  distance,
  idArgument,
  KRPC,
  KrpcError,
  packNodes,
  packPeer,
  portArgument,
  QueryRefused,
  readMessage,
  short,
  unpackNodes,
  unpackPeer,
  type Contact,
} from './krpc.ts';

/** Nodes returned by `find_node`/`get_peers`, and asked per lookup (BEP 5's K). */
const K = 8;
/** Queries in flight per lookup round (Kademlia's alpha). */
const ALPHA = 3;
/** Token secrets change this often (BEP 5: every five minutes, the previous one still valid). */
const TOKEN_ROTATION = 300;
/** Announced peers are forgotten after this many seconds unless announced again. */
const PEER_LIFETIME = 30 * 60;
/** Bounds, so that a flood of announces or new node ids cannot grow memory without end. */
const MAX_CONTACTS = 512;
const MAX_INFO_HASHES = 1024;
const MAX_PEERS_PER_HASH = 64;

/** What a lookup found. */
export interface LookupResult {
  /** The closest nodes that answered, nearest first. */
  closest: Contact[];
  /** The write tokens the answering nodes gave (`get_peers` only), by node id in hex. */
  tokens: Map<string, { contact: Contact; token: Buffer }>;
  /** Peers found (`get_peers` only), as `host:port`. */
  peers: Set<string>;
}

/** Options of a {@link DhtNode}. */
export interface DhtNodeOptions {
  /** The time source for timeouts and token rotation: the reactor, or a `Clock` in tests. */
  clock: IReactorTime;
  /** Seconds to wait for an answer before a retry. */
  timeout?: number;
  /** Retries after a timeout (other failures are not retried). */
  retries?: number;
  /** Where the node reports what it does (a line each); nothing by default. */
  log?: (line: string) => void;
  /** The node id; random by default. */
  id?: Buffer;
}

export class DhtNode extends DatagramProtocol {
  readonly id: Buffer;
  readonly table = new Map<string, Contact>();
  readonly counts = { sent: 0, answered: 0, timeouts: 0, retries: 0, served: 0, refused: 0 };
  /** Announced peers: info-hash (hex) → `host:port` → when it expires. */
  readonly peers = new Map<string, Map<string, number>>();
  readonly #pending = new Map<string, Deferred<BDict>>();
  readonly #clock: IReactorTime;
  readonly #timeout: number;
  readonly #retries: number;
  readonly #log: (line: string) => void;
  #secrets = [randomBytes(16), randomBytes(16)];
  #rotation: LoopingCall | undefined;
  #nextTid = 0;

  constructor(options: DhtNodeOptions) {
    super();
    this.#clock = options.clock;
    this.#timeout = options.timeout ?? 2;
    this.#retries = options.retries ?? 1;
    this.#log = options.log ?? (() => {});
    this.id = options.id ?? randomBytes(20);
  }

  /** The address this node listens on. */
  get addr(): AddressTuple {
    const h = this.transport.getHost();
    return [h.host, h.port];
  }

  override startProtocol(): void {
    this.#rotation = new LoopingCall(() => {
      this.#secrets = [randomBytes(16), this.#secrets[0]];
    });
    this.#rotation.clock = this.#clock;
    this.#rotation.start(TOKEN_ROTATION, false);
  }

  override stopProtocol(): void {
    this.#rotation?.stop();
    for (const d of [...this.#pending.values()]) d.cancel();
  }

  // ----------------------------------------------------------------------------------------------
  // The routing table and the peer store.

  learn(contact: Contact): void {
    if (contact.id.equals(this.id)) return;
    const key = contact.id.toString('hex');
    if (!this.table.has(key) && this.table.size >= MAX_CONTACTS) {
      const farthest = this.closest(this.id, MAX_CONTACTS).at(-1)!; // keep the neighbourhood
      if (distance(farthest.id, this.id) < distance(contact.id, this.id)) return;
      this.table.delete(farthest.id.toString('hex'));
    }
    this.table.set(key, contact);
  }

  closest(target: Buffer, k = K): Contact[] {
    return [...this.table.values()]
      .sort((a, b) => (distance(a.id, target) < distance(b.id, target) ? -1 : 1))
      .slice(0, k);
  }

  /** The peers announced for `infoHash` that have not expired. */
  peersFor(infoHash: Buffer): AddressTuple[] {
    const now = this.#clock.seconds();
    const entry = this.peers.get(infoHash.toString('hex'));
    if (entry === undefined) return [];
    for (const [peer, expires] of entry) if (expires <= now) entry.delete(peer);
    return [...entry.keys()].map((p) => {
      const colon = p.lastIndexOf(':');
      return [p.slice(0, colon), Number(p.slice(colon + 1))];
    });
  }

  #store(infoHash: Buffer, peer: AddressTuple): void {
    const key = infoHash.toString('hex');
    let entry = this.peers.get(key);
    if (entry === undefined) {
      if (this.peers.size >= MAX_INFO_HASHES) this.peers.delete(this.peers.keys().next().value!);
      entry = new Map();
      this.peers.set(key, entry);
    }
    const name = `${peer[0]}:${peer[1]}`;
    entry.delete(name); // re-inserted last: the oldest announce goes first when full
    if (entry.size >= MAX_PEERS_PER_HASH) entry.delete(entry.keys().next().value!);
    entry.set(name, this.#clock.seconds() + PEER_LIFETIME);
  }

  /** BEP 5's write token: a hash of the asker's address and a secret that changes. */
  #token(host: string, secret = this.#secrets[0]): Buffer {
    return createHash('sha1').update(secret).update(host).digest().subarray(0, 8);
  }

  // ----------------------------------------------------------------------------------------------
  // Asking.

  /** One attempt: fires with the response dictionary, a KrpcError, or a TimeoutError. */
  #send(addr: AddressTuple, method: string, args: BDict): Deferred<BDict> {
    const tid = Buffer.alloc(2);
    tid.writeUInt16BE(this.#nextTid++ & 0xffff);
    // The answer must come from where the query went: the key holds the address too.
    const key = `${addr[0]}:${addr[1]}/${tid.toString('hex')}`;
    const d = new Deferred<BDict>(() => this.#pending.delete(key)); // a timeout cancels
    this.#pending.get(key)?.cancel(); // 65,536 queries to one node ago: long dead
    this.#pending.set(key, d);
    this.counts.sent += 1;
    const query = { t: tid, y: Buffer.from('q'), q: Buffer.from(method), a: { id: this.id, ...args } };
    this.transport.write(bencode(query), addr);
    return d.addTimeout(this.#timeout, this.#clock);
  }

  /** A query with retries: a timeout is retried, any other failure is not. */
  query(addr: AddressTuple, method: string, args: BDict = {}): Deferred<BDict> {
    const attempt = (left: number): Deferred<BDict> =>
      this.#send(addr, method, args).addErrback((failure: Failure) => {
        failure.trap(TimeoutError);
        this.counts.timeouts += 1;
        if (left === 0) failure.raiseException();
        this.counts.retries += 1;
        return attempt(left - 1);
      });
    return attempt(this.#retries).addCallback((r: BDict) => {
      const id = r.id;
      if (!Buffer.isBuffer(id) || id.length !== 20)
        throw new KrpcError(KRPC.protocolError, 'bad id in answer');
      this.counts.answered += 1;
      this.learn({ id: Buffer.from(id), addr });
      return r;
    });
  }

  ping(addr: AddressTuple): Deferred<BDict> {
    return this.query(addr, 'ping');
  }

  /**
   * An iterative lookup: ask the {@link ALPHA} closest unasked nodes at once, learn what they
   * return, and go on while that brings closer nodes. `get_peers` also collects peers and tokens.
   */
  async lookup(target: Buffer, method: 'find_node' | 'get_peers' = 'find_node'): Promise<LookupResult> {
    const asked = new Set<string>();
    const candidates = new Map(this.closest(target, K * 2).map((c) => [c.id.toString('hex'), c]));
    const answered = new Map<string, Contact>();
    const result: LookupResult = { closest: [], tokens: new Map(), peers: new Set() };
    const byDistance = (cs: Iterable<Contact>): Contact[] =>
      [...cs].sort((a, b) => (distance(a.id, target) < distance(b.id, target) ? -1 : 1));
    const arg: BDict = method === 'find_node' ? { target } : { info_hash: target };
    for (let round = 1; ; round++) {
      const batch = byDistance(candidates.values())
        .slice(0, K)
        .filter((c) => !asked.has(c.id.toString('hex')))
        .slice(0, ALPHA);
      if (batch.length === 0) break;
      for (const c of batch) asked.add(c.id.toString('hex'));
      const results = await new DeferredList(
        batch.map((c) => this.query(c.addr, method, arg)),
        { consumeErrors: true },
      );
      let learned = 0;
      results.forEach(([ok, r], k) => {
        const asker = batch[k];
        candidates.delete(asker.id.toString('hex'));
        if (!ok) {
          this.#log(
            `round ${round}: ${short(asker.id)} gave up after ${this.#retries + 1} attempts (${r.getErrorMessage()})`,
          );
          this.table.delete(asker.id.toString('hex'));
          return;
        }
        const contact = { id: Buffer.from(r.id as Buffer), addr: asker.addr };
        answered.set(contact.id.toString('hex'), contact);
        if (Buffer.isBuffer(r.token))
          result.tokens.set(contact.id.toString('hex'), { contact, token: r.token });
        for (const v of Array.isArray(r.values) ? r.values : []) {
          const peer = unpackPeer(v);
          if (peer) result.peers.add(`${peer[0]}:${peer[1]}`);
        }
        let nodes: Contact[] = [];
        try {
          nodes = unpackNodes(r.nodes);
        } catch {
          return; // a malformed answer: use what else it said
        }
        for (const c of nodes) {
          const key = c.id.toString('hex');
          if (c.id.equals(this.id) || asked.has(key) || candidates.has(key)) continue;
          candidates.set(key, c);
          learned += 1;
        }
      });
      this.#log(`round ${round}: asked ${batch.length}, learned ${learned} new node(s)`);
    }
    result.closest = byDistance(answered.values()).slice(0, K);
    return result;
  }

  /** Joins the network through `addr`: a ping, then a lookup of our own id. */
  async bootstrap(addr: AddressTuple): Promise<number> {
    await this.ping(addr);
    await this.lookup(this.id);
    return this.table.size;
  }

  /**
   * BEP 5's announce: `get_peers` for `infoHash`, then `announce_peer` with each token to the
   * closest nodes that gave one. `port` undefined announces the port this node sends from
   * (`implied_port`). Fires with the peers found and how many nodes took the announce.
   */
  async announce(infoHash: Buffer, port?: number): Promise<{ peers: Set<string>; accepted: number }> {
    const found = await this.lookup(infoHash, 'get_peers');
    const targets = found.closest
      .map((c) => found.tokens.get(c.id.toString('hex')))
      .filter((t) => t !== undefined);
    const results = await new DeferredList(
      targets.map(({ contact, token }) =>
        this.query(contact.addr, 'announce_peer', {
          info_hash: infoHash,
          token,
          port: port ?? this.addr[1],
          ...(port === undefined ? { implied_port: 1 } : {}),
        }),
      ),
      { consumeErrors: true },
    );
    return { peers: found.peers, accepted: results.filter(([ok]) => ok).length };
  }

  // ----------------------------------------------------------------------------------------------
  // Answering.

  override datagramReceived(datagram: Buffer, addr: AddressTuple): void {
    const m = readMessage(datagram);
    if (m === undefined) return; // not a bencoded dictionary: no answer, as libtorrent
    if (m.kind === 'query') return this.#answer(m.t, m.method, m.args, addr);
    if (m.kind === 'invalid') return this.#refuse(m.t, new QueryRefused(KRPC.protocolError, m.why), addr);
    const key = `${addr[0]}:${addr[1]}/${m.t.toString('hex')}`;
    const d = this.#pending.get(key);
    if (d === undefined) return; // late, or not ours
    this.#pending.delete(key);
    if (m.kind === 'response') d.callback(m.body);
    else d.errback(new KrpcError(m.code, m.text));
  }

  #answer(t: Buffer, method: string, args: BDict, addr: AddressTuple): void {
    let r: BDict;
    try {
      const id = idArgument(args, 'id');
      r = this.#serve(method, args, addr);
      this.counts.served += 1;
      if (args.ro !== 1) this.learn({ id: Buffer.from(id), addr }); // BEP 43: read-only nodes are not routed to
    } catch (e) {
      if (!(e instanceof QueryRefused)) throw e;
      return this.#refuse(t, e, addr);
    }
    this.transport.write(bencode({ t, y: Buffer.from('r'), r: { id: this.id, ...r } }), addr);
  }

  #serve(method: string, args: BDict, [host, port]: AddressTuple): BDict {
    switch (method) {
      case 'ping':
        return {};
      case 'find_node':
        return { nodes: packNodes(this.closest(idArgument(args, 'target'))) };
      case 'get_peers': {
        const infoHash = idArgument(args, 'info_hash');
        const values = this.peersFor(infoHash).map(packPeer);
        const nodes = packNodes(this.closest(infoHash));
        return { token: this.#token(host), nodes, ...(values.length > 0 ? { values } : {}) };
      }
      case 'announce_peer': {
        const infoHash = idArgument(args, 'info_hash');
        const token = args.token;
        const valid = this.#secrets.some((s) => Buffer.isBuffer(token) && token.equals(this.#token(host, s)));
        if (!valid) throw new QueryRefused(KRPC.protocolError, 'bad token');
        const peerPort = args.implied_port === 1 ? port : portArgument(args, 'port');
        this.#store(infoHash, [host, peerPort]);
        this.#log(
          `stored peer ${host}:${peerPort} for ${infoHash.toString('hex')} (announce_peer from ${host}:${port})`,
        );
        return {};
      }
      default:
        throw new QueryRefused(KRPC.methodUnknown, `method unknown: ${method.slice(0, 32)}`);
    }
  }

  #refuse(t: Buffer, e: QueryRefused, addr: AddressTuple): void {
    this.counts.refused += 1;
    this.#log(`error ${e.code} to ${addr[0]}:${addr[1]}: ${e.message}`);
    this.transport.write(bencode({ t, y: Buffer.from('e'), e: [e.code, Buffer.from(e.message)] }), addr);
  }
}
