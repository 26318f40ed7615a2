/**
 * Copies that keep only their own bytes: what a port hands on for a long time (a datagram cut to
 * `maxPacketSize`, one buffered by `datagrams()`) must not keep alive the larger buffer it was
 * read into.
 *
 * @internal
 * @module
 */

/**
 * The first `length` bytes of `data`, in a buffer of exactly that size — not from Node's shared
 * pool, whose slabs (64 KiB on Node 24) a small copy would keep alive just the same.
 */
export function ownCopy(data: Uint8Array, length: number = data.byteLength): Buffer {
  const copy = Buffer.allocUnsafeSlow(length);
  copy.set(data.subarray(0, length));
  return copy;
}
