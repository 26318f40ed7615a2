/**
 * A statsd-style metrics aggregator built as a Twisted service tree: metrics arrive over UDP
 * (`UDPServer`), a `TimerService` flushes them every `--flush-interval` seconds to the log, and a
 * line-based admin interface answers over TCP (`TCPServer` + `LineReceiver`), as statsd's
 * management port does, and a status page is served over HTTP (`TCPServer` + twisted.web's `Site`).
 *
 *   npx twisted-ts twist examples/statsd/plugin.ts [--udp-port 8125] [--admin-port 8126] ...
 *   node examples/statsd/main.ts [--udp-port 8125] [--admin-port 8126] ...   (the same, directly)
 *   node examples/statsd/main.ts --help
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
 *
 * The files, one responsibility each: metrics.ts (aggregation and the flush), udp.ts (the UDP
 * protocol), admin.ts (the TCP admin `LineReceiver`), status-page.ts (the web status page),
 * options.ts (the command line), lifecycle.ts (logging the ports, `--duration`, the final flush),
 * plugin.ts (the service maker `twist` loads) and main.ts (running it without `twist`).
 */
import { globalLogBeginner, reactor, textFileLogObserver, UsageError } from 'twisted-ts';
import { StatsdOptions } from './options.ts';
import { makeService } from './plugin.ts';

/** Run directly (`node examples/statsd/main.ts`): what `twist` does, in a few lines. */
async function main(): Promise<void> {
  const options = new StatsdOptions();
  // The examples' usage line (under twist the options keep the synopsis of options.ts).
  options.synopsis = 'usage: node examples/statsd/main.ts [options]';
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

// main.ts is only ever run as a script (`twist` loads plugin.ts).
main().catch((e: unknown) => {
  process.stderr.write(`statsd: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
