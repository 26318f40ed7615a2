/**
 * How the benchmark processes reach twisted-ts: straight from src/ through Node's type stripping,
 * so a run measures the working tree without a build. The code Node runs is the JavaScript that
 * dist/ ships: stripping only blanks out types, and the build targets ES2023 without
 * down-levelling (private fields, classes and spread stay as they are).
 *
 * @module
 */
import type { UdpPort } from '../../src/index.ts';

export { reactor } from '../../src/index.ts';

/** What a port's socket offers for its buffers, on either I/O path (node:dgram's names). */
export interface SocketBuffers {
  setRecvBufferSize(size: number): void;
  getRecvBufferSize(): number;
}

/**
 * The socket under a port, for SO_RCVBUF. twisted-ts has no option for it (Twisted has none
 * either: its users call `port.socket.setsockopt`); the benchmark reaches for the socket the
 * same way — node:dgram's on the dgram path, the native socket's buffer methods on the other.
 */
export function socketOf(port: UdpPort): SocketBuffers {
  return (port as unknown as { io: { socket: SocketBuffers } }).io.socket;
}
