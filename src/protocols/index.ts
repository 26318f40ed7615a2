/**
 * Datagram protocols: the classes UDP programs subclass.
 *
 * @module
 */
export { AbstractDatagramProtocol } from './abstract-datagram-protocol.ts';
export { DatagramProtocol } from './datagram-protocol.ts';
export { ConnectedDatagramProtocol } from './connected-datagram-protocol.ts';
