/**
 * The HTTP status page (twisted.web): `/` in HTML, `/status.json` as JSON.
 *
 * @module
 */
import { Resource, Site, escapeHTML, type Request } from 'twisted-ts';
import type { MetricStore } from './metrics.ts';

/** What the status page shows: the admin's `stats` and the current interval's metrics. */
export function statusOf(store: MetricStore): Record<string, unknown> {
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
function statusJSON(request: Request, status: Record<string, unknown>): string {
  request.setHeader('content-type', 'application/json');
  return `${JSON.stringify(status)}\n`;
}

/** `/`: the status as a small HTML page; metric names come from the network, so they are escaped. */
function statusHTML(request: Request, status: Record<string, unknown>): string {
  request.setHeader('content-type', 'text/html; charset=utf-8');
  const rows = Object.entries(status).flatMap(([key, value]) =>
    typeof value === 'object' && value !== null
      ? Object.entries(value).map(([name, v]) => [`${key}.${name}`, String(v)])
      : [[key, String(value)]],
  );
  const table = rows
    .map(([name, value]) => `<tr><th>${escapeHTML(name)}</th><td>${escapeHTML(value)}</td></tr>`)
    .join('\n');
  return `<!doctype html>\n<title>statsd</title>\n<h1>statsd</h1>\n<table>\n${table}\n</table>\n`;
}

/** A leaf page showing the store's status in one format (`statusHTML` or `statusJSON`). */
export class StatusPage extends Resource {
  override isLeaf = true;
  readonly store: MetricStore;
  readonly format: (request: Request, status: Record<string, unknown>) => string;
  constructor(store: MetricStore, format: StatusPage['format']) {
    super();
    this.store = store;
    this.format = format;
  }
  render_GET(request: Request): string {
    return this.format(request, statusOf(this.store));
  }
}

/** The status site: `/` and `/status.json`. */
export function statusSite(store: MetricStore): Site {
  const root = new Resource();
  root.putChild('', new StatusPage(store, statusHTML));
  root.putChild('status.json', new StatusPage(store, statusJSON));
  const site = new Site(root);
  site.noisy = false;
  return site;
}
