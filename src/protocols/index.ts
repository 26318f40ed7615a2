/**
 * Protocols: the datagram classes UDP programs subclass, and the stream protocols and factories
 * TCP and UNIX programs subclass.
 *
 * @module
 */
export { AbstractDatagramProtocol } from './abstract-datagram-protocol.ts';
export { DatagramProtocol } from './datagram-protocol.ts';
export { ConnectedDatagramProtocol } from './connected-datagram-protocol.ts';
export { BaseProtocol } from './base-protocol.ts';
export { Protocol } from './protocol.ts';
export { Factory } from './factory.ts';
export type { ProtocolClass } from './factory.ts';
export { ServerFactory } from './server-factory.ts';
export { ClientFactory } from './client-factory.ts';
export { ReconnectingClientFactory } from './reconnecting-client-factory.ts';
export * from './basic/index.ts';
export * from './policies/index.ts';
