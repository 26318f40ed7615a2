/**
 * Metrics in: the UDP protocol, statsd lines several to a datagram.
 *
 * @module
 */
import { DatagramProtocol } from 'twisted-ts';
import { log, type MetricStore } from './metrics.ts';

/** Metrics in: each datagram holds one or more statsd lines. */
export class StatsdProtocol extends DatagramProtocol {
  readonly store: MetricStore;
  constructor(store: MetricStore) {
    super();
    this.store = store;
  }
  override datagramReceived(data: Buffer): void {
    this.store.packets += 1;
    this.store.lastMessageAt = Date.now();
    for (const line of data.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      if (!this.store.record(line)) {
        this.store.badLines += 1;
        log.debug('bad line: {line!r}', { line });
      }
    }
  }
}
