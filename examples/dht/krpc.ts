/**
 * KRPC, the message layer of BitTorrent's mainline DHT (BEP 5): what a query, a response and an
 * error look like, the compact encodings of nodes and peers, and the checks a query must pass
 * before a node acts on it. A query that fails them is answered with error 203 ("Protocol
 * Error"), as BEP 5 and libtorrent do; a datagram that is not a bencoded dictionary at all gets
 * no answer (answering garbage from anybody only helps reflection attacks).
 */
import type { AddressTuple } from 'twisted-ts';
import { bdecode, isDict, type BDict, type BValue } from './bencode.ts';

/** BEP 5's error codes. */
export const KRPC = {
  genericError: 201,
  serverError: 202,
  protocolError: 203,
  methodUnknown: 204,
} as const;

/** Node ids and info-hashes are 160 bits. */
export const ID_LENGTH = 20;

/** A node: its id and where it listens. */
export interface Contact {
  id: Buffer;
  addr: AddressTuple;
}

/** An error a node answered with (`y: 'e'`), as the failure of the query's Deferred. */
export class KrpcError extends Error {
  override name = 'KrpcError';
  readonly code: number;
  constructor(code: number, message: string) {
    super(`KRPC error ${code}: ${message}`);
    this.code = code;
  }
}

/** Why a query cannot be served: becomes a KRPC error answer, never an exception. */
export class QueryRefused extends Error {
  override name = 'QueryRefused';
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.code = code;
  }
}

/** A message as it arrived, sorted by kind; `t` is the transaction id to echo. */
export type Message =
  | { kind: 'query'; t: Buffer; method: string; args: BDict }
  | { kind: 'response'; t: Buffer; body: BDict }
  | { kind: 'error'; t: Buffer; code: number; text: string }
  | { kind: 'invalid'; t: Buffer; why: string };

/**
 * Reads a datagram. `undefined` for anything that is not a bencoded dictionary (ignored);
 * `invalid` for a dictionary that is not a well-formed KRPC message (answered with 203).
 */
export function readMessage(datagram: Buffer): Message | undefined {
  let m: BValue;
  try {
    m = bdecode(datagram);
  } catch {
    return undefined;
  }
  if (!isDict(m)) return undefined;
  const t = Buffer.isBuffer(m.t) ? m.t : Buffer.alloc(0);
  if (!Buffer.isBuffer(m.t)) return { kind: 'invalid', t, why: "missing 't' (transaction id)" };
  const y = Buffer.isBuffer(m.y) ? m.y.toString('latin1') : undefined;
  if (y === 'q') {
    if (!Buffer.isBuffer(m.q)) return { kind: 'invalid', t, why: "missing 'q' (method name)" };
    if (!isDict(m.a)) return { kind: 'invalid', t, why: "missing 'a' (arguments) dictionary" };
    return { kind: 'query', t, method: m.q.toString('latin1'), args: m.a };
  }
  if (y === 'r') {
    if (!isDict(m.r)) return { kind: 'invalid', t, why: "missing 'r' dictionary" };
    return { kind: 'response', t, body: m.r };
  }
  if (y === 'e') {
    const e = m.e;
    const code = Array.isArray(e) && typeof e[0] === 'number' ? e[0] : KRPC.genericError;
    const text = Array.isArray(e) && Buffer.isBuffer(e[1]) ? e[1].toString() : 'no message';
    return { kind: 'error', t, code, text };
  }
  return { kind: 'invalid', t, why: "missing or unknown 'y' (message type)" };
}

/** A 20-byte id argument, or a {@link QueryRefused} 203 naming it. */
export function idArgument(args: BDict, name: string): Buffer {
  const v = args[name];
  if (!Buffer.isBuffer(v) || v.length !== ID_LENGTH) {
    throw new QueryRefused(KRPC.protocolError, `invalid '${name}': must be ${ID_LENGTH} bytes`);
  }
  return v;
}

/** A port argument (1–65535), or a {@link QueryRefused} 203. */
export function portArgument(args: BDict, name: string): number {
  const v = args[name];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) {
    throw new QueryRefused(KRPC.protocolError, `invalid '${name}': must be a port number`);
  }
  return v;
}

/** Compact IPv4 peer info: 4 address bytes and a big-endian port. */
export function packPeer([host, port]: AddressTuple): Buffer {
  const out = Buffer.alloc(6);
  host.split('.').forEach((octet, k) => (out[k] = Number(octet)));
  out.writeUInt16BE(port, 4);
  return out;
}

/** The reverse of {@link packPeer}; `undefined` for a value that is not 6 bytes. */
export function unpackPeer(data: BValue): AddressTuple | undefined {
  if (!Buffer.isBuffer(data) || data.length !== 6) return undefined;
  return [[...data.subarray(0, 4)].join('.'), data.readUInt16BE(4)];
}

/** Compact node info: a 20-byte id then compact peer info, 26 bytes a node. */
export function packNodes(contacts: Contact[]): Buffer {
  return Buffer.concat(contacts.flatMap(({ id, addr }) => [id, packPeer(addr)]));
}

/** The reverse of {@link packNodes}; nodes with port 0 are left out. Throws on a bad length. */
export function unpackNodes(data: BValue | undefined): Contact[] {
  if (data === undefined) return [];
  if (!Buffer.isBuffer(data) || data.length % 26 !== 0) throw new Error("malformed 'nodes'");
  const out: Contact[] = [];
  for (let o = 0; o < data.length; o += 26) {
    const addr = unpackPeer(data.subarray(o + 20, o + 26))!;
    if (addr[1] !== 0) out.push({ id: Buffer.from(data.subarray(o, o + 20)), addr });
  }
  return out;
}

/** The XOR distance of BEP 5, as a number that compares. */
export function distance(a: Buffer, b: Buffer): bigint {
  return BigInt('0x' + Buffer.from(a.map((x, i) => x ^ b[i])).toString('hex'));
}

/** The first 8 hex digits of an id, for people. */
export const short = (id: Buffer): string => id.toString('hex').slice(0, 8);
