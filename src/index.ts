/**
 * twisted-ts: Twisted's reactor model for Node.js.
 *
 * @example
 * import { reactor, DatagramProtocol } from 'twisted-ts';
 *
 * class Echo extends DatagramProtocol {
 *   override datagramReceived(data: Buffer, addr: readonly [string, number]) {
 *     this.transport!.write(data, addr);
 *   }
 * }
 * reactor.listenUDP(9999, new Echo(), '127.0.0.1');
 *
 * @module
 */
export * from './errors.ts';
export * from './failure.ts';
export type * from './interfaces.ts';
export * as log from './log/index.ts';
export * from './logger/index.ts';
export * from './defer/index.ts';
export * from './task/index.ts';
export * from './protocols/index.ts';
export * from './transports/index.ts';
export * from './reactor/index.ts';
export * from './threads/index.ts';
export * from './endpoints/index.ts';
export * from './application/index.ts';
export * from './usage/index.ts';
export * from './web/index.ts';
