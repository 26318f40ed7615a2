/**
 * The service maker `twisted-ts twist` loads (Twisted's `IServiceMaker` plugin): it builds the
 * tree — UDP metrics in, a `TimerService` flushing, the TCP admin port, the HTTP status page —
 * from the command line. See main.ts for what the example does and how to run it.
 *
 *   npx twisted-ts twist examples/statsd/plugin.ts [--udp-port 8125] [--admin-port 8126] ...
 *
 * @module
 */
import { Application, TCPServer, TimerService, UDPServer, type Options } from 'twisted-ts';
import { AdminFactory } from './admin.ts';
import { Lifecycle } from './lifecycle.ts';
import { MetricStore, flushTo } from './metrics.ts';
import { StatsdOptions } from './options.ts';
import { statusSite } from './status-page.ts';
import { StatsdProtocol } from './udp.ts';

export { StatsdOptions };

/** Builds the tree: UDP in, timer flushing, TCP admin, the HTTP status page, and the lifecycle service after them. */
export function makeService(options: Options): Application {
  const app = new Application('statsd');
  const iface = options.get('interface') as string;
  const store = new MetricStore(options.get('percent-threshold') as number);
  const udp = new UDPServer(options.get('udp-port') as number, new StatsdProtocol(store), iface);
  udp.setServiceParent(app);
  const admin = new TCPServer(options.get('admin-port') as number, new AdminFactory(store), {
    interface: iface,
  });
  admin.setServiceParent(app);
  const status = new TCPServer(options.get('status-port') as number, statusSite(store), {
    interface: iface,
  });
  status.setServiceParent(app);
  // A TimerService calls at once, then every interval: the first call has nothing to flush.
  let first = true;
  new TimerService(options.get('flush-interval') as number, () => {
    if (!first) flushTo(store, 'timed');
    first = false;
  }).setServiceParent(app);
  new Lifecycle(store, { udp, admin, status }, options.get('duration') as number).setServiceParent(app);
  return app;
}

/** What `twisted-ts twist` looks for (Twisted's `IServiceMaker`). */
export const serviceMaker = {
  tapname: 'statsd',
  description: 'A statsd-style metrics aggregator with a TCP admin interface',
  options: StatsdOptions,
  makeService,
};
