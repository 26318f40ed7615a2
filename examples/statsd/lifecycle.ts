/**
 * The service that logs where the ports listen once they are bound, stops the reactor after
 * `--duration`, and flushes what is left when the tree stops.
 *
 * @module
 */
import { Service, reactor, type IDelayedCall, type TCPServer, type UDPServer } from 'twisted-ts';
import { flushTo, log, type MetricStore } from './metrics.ts';

/** Logs where it listens once the ports are bound, and flushes what is left when stopping. */
export class Lifecycle extends Service {
  readonly store: MetricStore;
  readonly udp: UDPServer;
  readonly admin: TCPServer;
  readonly status: TCPServer;
  readonly duration: number;
  #stopCall: IDelayedCall | undefined;
  constructor(
    store: MetricStore,
    ports: { udp: UDPServer; admin: TCPServer; status: TCPServer },
    duration: number,
  ) {
    super();
    this.store = store;
    this.udp = ports.udp;
    this.admin = ports.admin;
    this.status = ports.status;
    this.duration = duration;
  }
  override startService(): void {
    super.startService();
    const status = this.status.port!.getHost();
    log.info('statsd: metrics on UDP port {udp}, admin on TCP port {admin}, status page on {url}', {
      udp: this.udp.port!.getHost().port,
      admin: this.admin.port!.getHost().port,
      url: `http://${status.host.includes(':') ? `[${status.host}]` : status.host}:${status.port}/`,
    });
    // --duration: stopping the reactor stops the tree first (directly and under twist).
    if (this.duration > 0) this.#stopCall = reactor.callLater(this.duration, () => reactor.stop());
  }
  override stopService(): void {
    super.stopService();
    if (this.#stopCall?.active()) this.#stopCall.cancel();
    flushTo(this.store, 'final');
  }
}
