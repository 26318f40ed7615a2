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
 * Checks the pieces of a `writeSequence` (an array of Buffer/Uint8Array) and returns their total
 * length, without joining them.
 *
 * @internal
 */
export function sequenceLength(datagrams: unknown): number {
  if (!Array.isArray(datagrams)) {
    throw invalidArgType('datagrams', 'an array of Buffer or Uint8Array', datagrams);
  }
  let length = 0;
  for (let i = 0; i < datagrams.length; i++) {
    const piece: unknown = datagrams[i];
    if (!(piece instanceof Uint8Array)) {
      throw invalidArgType(`datagrams[${i}]`, 'an instance of Buffer or Uint8Array', piece);
    }
    length += piece.byteLength;
  }
  return length;
}
