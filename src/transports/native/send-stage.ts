/**
 * The datagrams a native socket was asked to send during the current turn, waiting to go out
 * together in one `sendmmsg` batch: their bytes back to back in one Buffer (copied, so the
 * caller may reuse its buffers at once, and so a batch the kernel refuses can be queued as is),
 * and per datagram the offset, length and destination in an Int32Array laid out as udp.c reads
 * it (`SEND_STRIDE` words: offset, length, port, family, scope, address words).
 *
 * Destinations are IP literals, parsed once by the addon (libuv's `uv_ip4_addr`/`uv_ip6_addr`,
 * what dgram uses) and remembered: a program answers the same peers again and again.
 *
 * @internal
 * @module
 */
import type { NativeAddon } from './addon.ts';

// Offsets in one entry of the metadata, as udp.c defines them.
const OFFSET = 0;
const LENGTH = 1;
const PORT = 2;
const FAMILY = 3;
const SCOPE = 4;
const ADDR = 5;

/** Datagrams per batch, at most: a fuller stage is sent at once. */
export const STAGE_ENTRIES = 256;
// A port that writes a few datagrams a turn keeps a small stage; a busy one grows it (doubling).
const INITIAL_BYTES = 2 * 1024;
const INITIAL_ENTRIES = 16;
const MAX_BYTES = 1024 * 1024;
// Parsed destinations kept per family; beyond this the cache starts over (a DHT talks to many).
const MAX_CACHED_ADDRESSES = 1024;

const parsedAddresses: Record<4 | 6, Map<string, Int32Array>> = { 4: new Map(), 6: new Map() };

/**
 * The parsed form of an IP literal (`[family, scope, w0..w3]`), or the negative errno of the
 * parse (EINVAL for something that is not an address of that family).
 */
export function parsedAddress(addon: NativeAddon, family: 4 | 6, host: string): Int32Array | number {
  const cache = parsedAddresses[family];
  let parsed = cache.get(host);
  if (parsed !== undefined) return parsed;
  parsed = new Int32Array(6);
  const err = addon.parseAddress(family, host, parsed);
  if (err !== 0) return err;
  if (cache.size >= MAX_CACHED_ADDRESSES) cache.clear();
  cache.set(host, parsed);
  return parsed;
}

/** The staging area of one socket. */
export class SendStage {
  /** The bytes of the staged datagrams, back to back. */
  buffer: Buffer;
  /** Per datagram: offset, length, port, family, scope, address (SEND_STRIDE words). */
  meta: Int32Array;
  /** How many datagrams are staged. */
  count = 0;
  /** How many bytes are staged. */
  bytes = 0;
  readonly #stride: number;

  constructor(stride: number) {
    this.#stride = stride;
    this.meta = new Int32Array(INITIAL_ENTRIES * stride);
    this.buffer = Buffer.allocUnsafeSlow(INITIAL_BYTES);
  }

  /** Whether a datagram of `length` bytes fits without sending what is staged first. */
  fits(length: number): boolean {
    if (this.count === STAGE_ENTRIES) return false;
    if (this.count * this.#stride === this.meta.length) {
      const grown = new Int32Array(this.meta.length * 2);
      grown.set(this.meta);
      this.meta = grown;
    }
    if (this.bytes + length <= this.buffer.length) return true;
    if (this.bytes + length > MAX_BYTES && this.count > 0) return false;
    // Grow (what is staged is copied along): a burst of large datagrams, or one datagram larger
    // than the stage.
    let size = this.buffer.length * 2;
    while (size < this.bytes + length) size *= 2;
    const grown = Buffer.allocUnsafeSlow(size);
    this.buffer.copy(grown, 0, 0, this.bytes);
    this.buffer = grown;
    return true;
  }

  /**
   * Stages one datagram made of `pieces` (one for `write`, several for `writeSequence`, which
   * joins them) for `address` (undefined: the connected peer) and `port`. The caller checked
   * `fits(length)`.
   */
  add(
    pieces: Uint8Array | readonly Uint8Array[],
    length: number,
    address: Int32Array | undefined,
    port: number,
  ): void {
    const at = this.bytes;
    if (pieces instanceof Uint8Array) {
      this.buffer.set(pieces, at);
    } else {
      let offset = at;
      for (const piece of pieces) {
        this.buffer.set(piece, offset);
        offset += piece.byteLength;
      }
    }
    const base = this.count * this.#stride;
    const meta = this.meta;
    meta[base + OFFSET] = at;
    meta[base + LENGTH] = length;
    meta[base + PORT] = port;
    if (address === undefined) {
      meta[base + FAMILY] = 0;
    } else {
      meta[base + FAMILY] = address[0];
      meta[base + SCOPE] = address[1];
      meta[base + ADDR] = address[2];
      meta[base + ADDR + 1] = address[3];
      meta[base + ADDR + 2] = address[4];
      meta[base + ADDR + 3] = address[5];
    }
    this.count += 1;
    this.bytes += length;
  }

  /** The length of staged datagram `i`. */
  lengthOf(i: number): number {
    return this.meta[i * this.#stride + LENGTH];
  }

  /** Forgets what was staged (after it was handed to the addon). */
  clear(): void {
    this.count = 0;
    this.bytes = 0;
  }
}
