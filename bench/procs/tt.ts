/**
 * How the benchmark processes reach twisted-ts: straight from src/ through Node's type stripping,
 * so a run measures the working tree without a build. The code Node runs is the JavaScript that
 * dist/ ships: stripping only blanks out types, and the build targets ES2023 without
 * down-levelling (private fields, classes and spread stay as they are).
 *
 * @module
 */
import type dgram from 'node:dgram';
import type { UdpPort } from '../../src/index.ts';

export { reactor } from '../../src/index.ts';

/**
 * The dgram socket under a port. twisted-ts has no option for SO_RCVBUF (Twisted has none
 * either: its users call `port.socket.setsockopt`); the benchmark reaches for the socket the
 * same way.
 */
export function socketOf(port: UdpPort): dgram.Socket {
  return (port as unknown as { socket: dgram.Socket }).socket;
}
