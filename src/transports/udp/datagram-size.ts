/**
 * The size rules of a UDP datagram, shared by the real `UdpPort` and the testing fakes so that
 * both refuse the same writes with the same message.
 *
 * @module
 */
import { MessageLengthError } from '../../errors.ts';
import { invalidArgType } from '../../validate.ts';

/** The largest UDP payload IPv4 can carry: 65535 − 20 (IP header) − 8 (UDP header). */
export const MAX_IPV4_DATAGRAM = 65507;
/** The largest UDP payload IPv6 can carry without jumbograms: 65535 − 8 (UDP header). */
export const MAX_IPV6_DATAGRAM = 65527;

/** The largest datagram a port of `family` can send. */
export function maxDatagramSize(family: 4 | 6): number {
  return family === 6 ? MAX_IPV6_DATAGRAM : MAX_IPV4_DATAGRAM;
}

/**
 * The error for a datagram of `length` bytes, too long for `family`.
 *
 * @internal
 */
export function datagramTooLong(length: number, family: 4 | 6): MessageLengthError {
  return new MessageLengthError(
    `message too long: ${length} bytes; a UDP datagram over ${family === 6 ? 'IPv6' : 'IPv4'} ` +
      `carries at most ${maxDatagramSize(family)} bytes`,
  );
}

/**
 * The most pieces one send hands to the OS: Linux and the BSDs refuse a `sendmsg` with more
 * than IOV_MAX (1,024) buffers — with EMSGSIZE, which reads as a datagram too big for the path.
 * A longer `writeSequence` is joined into one buffer first.
 */
export const MAX_SEND_PIECES = 1024;

/** The pieces of a `writeSequence`, checked and copied into an array of their own, and their total length. */
export interface SequencePieces {
  /** The pieces, each read once from the caller's array (which may change afterwards). */
  readonly pieces: Uint8Array[];
  /** Their total length in bytes. */
  readonly length: number;
}

/**
 * Checks the pieces of a `writeSequence` (an array of Buffer/Uint8Array) and copies the array
 * (not the bytes): each element is read once, so a getter or a Proxy cannot answer one piece to
 * the check and another to the send.
 *
 * @internal
 */
export function sequencePieces(datagrams: unknown): SequencePieces {
  if (!isArray(datagrams)) {
    throw invalidArgType('datagrams', 'an array of Buffer or Uint8Array', datagrams);
  }
  const count = datagrams.length;
  const pieces = new Array<Uint8Array>(count);
  let length = 0;
  for (let i = 0; i < count; i++) {
    const piece: unknown = datagrams[i];
    const size = byteLengthOf(piece);
    if (size === -1) throw invalidArgType(`datagrams[${i}]`, 'an instance of Buffer or Uint8Array', piece);
    pieces[i] = piece as Uint8Array;
    length += size;
  }
  return { pieces, length };
}

/** The pieces as one send takes them: as they are, or joined when there are too many for one sendmsg. */
export function piecesToSend(sequence: SequencePieces): Uint8Array | Uint8Array[] {
  const { pieces, length } = sequence;
  return pieces.length > MAX_SEND_PIECES ? Buffer.concat(pieces, length) : pieces;
}

/**
 * The byte length of a datagram argument, or -1 when it is not a Uint8Array. A Proxy of one
 * passes `instanceof` but its `byteLength` getter throws (the receiver is not a typed array):
 * it counts as not a datagram, rather than letting the engine's TypeError out.
 *
 * @internal
 */
export function byteLengthOf(datagram: unknown): number {
  try {
    return datagram instanceof Uint8Array ? datagram.byteLength : -1;
  } catch {
    return -1; // a revoked Proxy (instanceof throws), or a Proxy of a Uint8Array (byteLength throws)
  }
}

/** `Array.isArray`, except that a revoked Proxy (on which it throws) is not an array. */
function isArray(value: unknown): value is unknown[] {
  try {
    return Array.isArray(value);
  } catch {
    return false;
  }
}
