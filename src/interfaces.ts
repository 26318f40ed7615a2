/**
 * The interfaces of twisted-ts, after Twisted's `twisted.internet.interfaces`: what a reactor,
 * a listening port, a UDP transport and a datagram protocol promise. Implementations (the real
 * reactor, `MemoryReactor`, `VirtualNetwork` hosts) are interchangeable through them.
 *
 * They live by area in src/interfaces/ (add a new one to the file of its area); import them from
 * here.
 *
 * @module
 */
export type * from './interfaces/reactor.ts';
export type * from './interfaces/udp.ts';
export type * from './interfaces/threads.ts';
export type * from './interfaces/producer.ts';
export type * from './interfaces/stream.ts';
export type * from './interfaces/tls.ts';
export type * from './interfaces/endpoints.ts';
