/**
 * The TCP admin interface (statsd's management port): a `LineReceiver`, one command a line.
 *
 * @module
 */
import { Factory, LineReceiver } from 'twisted-ts';
import { flushTo, type MetricStore } from './metrics.ts';

/** The admin interface, one command per line (statsd's management commands). */
export class AdminProtocol extends LineReceiver {
  declare factory: AdminFactory;
  override delimiter = '\n';

  override lineReceived(raw: Buffer): void {
    const [command = '', ...args] = raw.toString('utf8').trim().split(/\s+/);
    const store = this.factory.store;
    const json = (value: unknown): void => this.answer([JSON.stringify(value)]);
    switch (command) {
      case 'stats':
        return this.answer([
          `uptime: ${Math.round((Date.now() - store.startedAt) / 1000)}`,
          `messages.packets: ${store.packets}`,
          `messages.bad_lines_seen: ${store.badLines}`,
          `messages.last_msg_seen: ${store.lastMessageAt === 0 ? 0 : Math.round((Date.now() - store.lastMessageAt) / 1000)}`,
          `flushes: ${store.flushes}`,
        ]);
      case 'counters':
        return json(Object.fromEntries(store.counters));
      case 'gauges':
        return json(Object.fromEntries(store.gauges));
      case 'timers':
        return json(Object.fromEntries(store.timers));
      case 'sets':
        return json(Object.fromEntries([...store.sets].map(([name, set]) => [name, [...set]])));
      case 'flush':
        return json(flushTo(store, 'admin'));
      case 'delcounters':
        return this.answer(
          args.map((name) => (store.counters.delete(name) ? `deleted: ${name}` : `not found: ${name}`)),
        );
      case 'help':
        return this.answer([
          'Commands: stats, counters, gauges, timers, sets, flush, delcounters <name>..., quit',
        ]);
      case 'quit':
        return this.transport.loseConnection();
      default:
        return this.answer([`ERROR unknown command ${JSON.stringify(command)}`]);
    }
  }

  answer(lines: string[]): void {
    for (const line of lines) this.sendLine(line);
    this.sendLine('END');
  }
}

export class AdminFactory extends Factory<AdminProtocol> {
  override protocol = AdminProtocol;
  readonly store: MetricStore;
  constructor(store: MetricStore) {
    super();
    this.store = store;
    this.noisy = false;
  }
}
