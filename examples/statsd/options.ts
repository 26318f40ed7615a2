/**
 * The command line (Twisted's `usage.Options`), shared by `twist` and `main.ts`.
 *
 * @module
 */
import { Options, UsageError, portCoerce } from 'twisted-ts';

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
