/**
 * A statsd-style metrics aggregator built as a Twisted service tree: metrics arrive over UDP
 * (`UDPServer`), a `TimerService` flushes them every `--flush-interval` seconds to the log, and a
 * line-based admin interface answers over TCP (`TCPServer` + `LineReceiver`), as statsd's
 * management port does, and a status page is served over HTTP (`TCPServer` + twisted.web's `Site`).
 *
 *   npx twisted-ts twist examples/statsd.ts [--udp-port 8125] [--admin-port 8126] ...
 *   node examples/statsd.ts [--udp-port 8125] [--admin-port 8126] ...     (the same, directly)
 *   node examples/statsd.ts --help
 *
 * It runs until SIGINT/SIGTERM, or for `--duration` seconds; stopping flushes what is left.
 *
 * Metrics are statsd lines, several per datagram separated by newlines:
 *   `hits:1|c` (a counter; `|@0.1` is a sample rate), `load:5|g` (a gauge; `+2`/`-2` change it),
 *   `latency:320|ms` (a timer), `users:alice|s` (a set of unique values).
 * Try: `echo -n "hits:1|c" | nc -u -w0 127.0.0.1 8125`, then `echo counters | nc 127.0.0.1 8126`.
 *
 * Admin commands, each answered by lines ending with `END`: `stats`, `counters`, `gauges`,
 * `timers`, `sets`, `flush` (flush now), `delcounters <name>…`, `help`, `quit`.
 *
 * The status page (`--status-port`, 8127): `/` in HTML, `/status.json` the same as JSON.
 */
import {
  Application,
  DatagramProtocol,
  Factory,
  LineReceiver,
  Logger,
  Options,
  Resource,
  Service,
  Site,
  TCPServer,
  TimerService,
  UDPServer,
  UsageError,
  escapeHTML,
  globalLogBeginner,
  portCoerce,
  reactor,
  textFileLogObserver,
  type IDelayedCall,
  type Request,
} from 'twisted-ts';

const log = new Logger({ namespace: 'statsd' });

/** What one flush computed: per-interval counters and rates, timer summaries, gauges, set sizes. */
interface Snapshot {
  counters: Record<string, { count: number; rate: number }>;
  timers: Record<
    string,
    { count: number; lower: number; upper: number; mean: number; upperPercentile: number }
  >;
  gauges: Record<string, number>;
  sets: Record<string, number>;
}

/** The metrics between two flushes, and the books an admin asks about. */
class MetricStore {
  readonly counters = new Map<string, number>();
  readonly gauges = new Map<string, number>();
  readonly timers = new Map<string, number[]>();
  readonly sets = new Map<string, Set<string>>();
  readonly startedAt = Date.now();
  packets = 0;
  badLines = 0;
  lastMessageAt = 0;
  flushes = 0;
  #lastFlushAt = Date.now();
  readonly percentile: number;

  constructor(percentile: number) {
    this.percentile = percentile;
  }

  /** Takes one statsd line (`name:value|type[|@rate]`); returns false for a bad one. */
  record(line: string): boolean {
    const match = /^([^:|@\s]+):([^|]+)\|(c|g|ms|h|s)(?:\|@([\d.]+))?$/.exec(line.trim());
    if (match === null) return false;
    const [, name, raw, type, rateText] = match;
    const rate = rateText === undefined ? 1 : Number(rateText);
    if (!(rate > 0 && rate <= 1)) return false;
    if (type === 's') {
      let set = this.sets.get(name);
      if (set === undefined) this.sets.set(name, (set = new Set()));
      set.add(raw);
      return true;
    }
    const value = Number(raw);
    if (!Number.isFinite(value)) return false;
    if (type === 'c') this.counters.set(name, (this.counters.get(name) ?? 0) + value / rate);
    else if (type === 'g') {
      const relative = raw.startsWith('+') || raw.startsWith('-');
      this.gauges.set(name, relative ? (this.gauges.get(name) ?? 0) + value : value);
    } else {
      let timings = this.timers.get(name);
      if (timings === undefined) this.timers.set(name, (timings = []));
      timings.push(value);
    }
    return true;
  }

  /** Computes the snapshot and starts a new interval (counters go to 0, timers and sets empty; gauges stay). */
  flush(): Snapshot {
    const now = Date.now();
    const seconds = Math.max((now - this.#lastFlushAt) / 1000, 0.001);
    this.#lastFlushAt = now;
    this.flushes += 1;
    const snapshot: Snapshot = {
      counters: {},
      timers: {},
      gauges: Object.fromEntries(this.gauges),
      sets: {},
    };
    for (const [name, count] of this.counters) {
      snapshot.counters[name] = { count, rate: count / seconds };
      this.counters.set(name, 0);
    }
    for (const [name, timings] of this.timers) {
      if (timings.length === 0) continue;
      const sorted = [...timings].sort((a, b) => a - b);
      const index = Math.max(Math.ceil((this.percentile / 100) * sorted.length) - 1, 0);
      snapshot.timers[name] = {
        count: sorted.length,
        lower: sorted[0],
        upper: sorted[sorted.length - 1],
        mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
        upperPercentile: sorted[index],
      };
    }
    this.timers.clear();
    for (const [name, set] of this.sets) snapshot.sets[name] = set.size;
    this.sets.clear();
    return snapshot;
  }
}

/** Flushes to the log (the "backend"). */
function flushTo(store: MetricStore, why: string): Snapshot {
  const snapshot = store.flush();
  log.info('{why} flush #{flushes}: {counters} counters, {timers} timers, {gauges} gauges, {sets} sets', {
    why,
    flushes: store.flushes,
    counters: Object.keys(snapshot.counters).length,
    timers: Object.keys(snapshot.timers).length,
    gauges: Object.keys(snapshot.gauges).length,
    sets: Object.keys(snapshot.sets).length,
    snapshot,
  });
  return snapshot;
}

/** Metrics in: each datagram holds one or more statsd lines. */
class StatsdProtocol extends DatagramProtocol {
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

/** The admin interface, one command per line (statsd's management commands). */
class AdminProtocol extends LineReceiver {
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

class AdminFactory extends Factory<AdminProtocol> {
  override protocol = AdminProtocol;
  readonly store: MetricStore;
  constructor(store: MetricStore) {
    super();
    this.store = store;
    this.noisy = false;
  }
}

/** What the status page shows: the admin's `stats` and the current interval's metrics. */
function statusOf(store: MetricStore): Record<string, unknown> {
  return {
    uptime: Math.round((Date.now() - store.startedAt) / 1000),
    packets: store.packets,
    badLines: store.badLines,
    flushes: store.flushes,
    counters: Object.fromEntries(store.counters),
    gauges: Object.fromEntries(store.gauges),
    timers: Object.fromEntries([...store.timers].map(([name, values]) => [name, values.length])),
    sets: Object.fromEntries([...store.sets].map(([name, set]) => [name, set.size])),
  };
}

/** `/status.json`: the status as JSON, for scripts and dashboards. */
class StatusJSON extends Resource {
  override isLeaf = true;
  readonly store: MetricStore;
  constructor(store: MetricStore) {
    super();
    this.store = store;
  }
  render_GET(request: Request): string {
    request.setHeader('content-type', 'application/json');
    return `${JSON.stringify(statusOf(this.store))}\n`;
  }
}

/** `/`: the status as a small HTML page; metric names come from the network, so they are escaped. */
class StatusPage extends Resource {
  override isLeaf = true;
  readonly store: MetricStore;
  constructor(store: MetricStore) {
    super();
    this.store = store;
  }
  render_GET(request: Request): string {
    request.setHeader('content-type', 'text/html; charset=utf-8');
    const rows = Object.entries(statusOf(this.store)).flatMap(([key, value]) =>
      typeof value === 'object' && value !== null
        ? Object.entries(value).map(([name, v]) => [`${key}.${name}`, String(v)])
        : [[key, String(value)]],
    );
    const table = rows
      .map(([name, value]) => `<tr><th>${escapeHTML(name)}</th><td>${escapeHTML(value)}</td></tr>`)
      .join('\n');
    return `<!doctype html>\n<title>statsd</title>\n<h1>statsd</h1>\n<table>\n${table}\n</table>\n`;
  }
}

/** The status site: `/` and `/status.json`. */
function statusSite(store: MetricStore): Site {
  const root = new Resource();
  root.putChild('', new StatusPage(store));
  root.putChild('status.json', new StatusJSON(store));
  const site = new Site(root);
  site.noisy = false;
  return site;
}

/** Logs where it listens once the ports are bound, and flushes what is left when stopping. */
class Lifecycle extends Service {
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

/** The command line (Twisted's `usage.Options`). */
export class StatsdOptions extends Options {
  synopsis = 'Usage: statsd [options]';
  optParameters = [
    ['udp-port', 'u', 8125, 'UDP port the metrics arrive on (0: any free port)', portCoerce],
    ['admin-port', 'a', 8126, 'TCP port of the admin interface (0: any free port)', portCoerce],
    ['status-port', 's', 8127, 'TCP port of the HTTP status page (0: any free port)', portCoerce],
    ['interface', 'i', '127.0.0.1', 'Address the ports bind to'],
    ['flush-interval', 'f', 10, 'Seconds between flushes', Number],
    ['percent-threshold', 'p', 90, 'The percentile reported for timers', Number],
    ['duration', 'd', 0, 'Stop after this many seconds (0: run until SIGINT/SIGTERM)', Number],
  ] as const;
  override postOptions(): void {
    const interval = this.get('flush-interval') as number;
    if (!(interval > 0))
      throw new UsageError(`--flush-interval must be a number of seconds > 0, not ${interval}`);
    const percentile = this.get('percent-threshold') as number;
    if (!(percentile > 0 && percentile <= 100))
      throw new UsageError('--percent-threshold must be in (0, 100]');
  }
}

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

/** Run directly (`node examples/statsd.ts`): what `twist` does, in a few lines. */
async function main(): Promise<void> {
  const options = new StatsdOptions();
  // The examples' usage line (under twist the module's options keep the synopsis above).
  options.synopsis = 'usage: node examples/statsd.ts [options]';
  try {
    options.parseOptions(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    // Exit 2 as the other examples do for a mistaken command line (`twist` says 64, as Twisted's).
    process.stderr.write(`Error: ${e.message}\n\n${options.toString()}\n`);
    process.exit(2);
  }
  globalLogBeginner.beginLoggingTo([textFileLogObserver(process.stdout)]);
  const app = makeService(options);
  app.privilegedStartService();
  app.startService();
  // SIGINT/SIGTERM stop the reactor (run's signal handlers); the tree stops before shutdown.
  reactor.addSystemEventTrigger('before', 'shutdown', () => app.stopService());
  await reactor.run();
}

// Loaded by `twist`, the module only exports; run as a script, it runs itself.
if (/statsd\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) {
  main().catch((e: unknown) => {
    process.stderr.write(`statsd: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}
