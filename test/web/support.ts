// Serving a Site over real loopback sockets: a reactor of its own listens the Site with
// listenTCP, so each connection goes through the Site's HTTPChannel and its socket is handed to
// node:http, as in production.
import http from 'node:http';
import net from 'node:net';
import { formatEvent, globalLogPublisher, Reactor, type LogEvent, type Site } from '../../src/index.ts';
import { captureLog } from '../support/log-capture.ts';

export interface Served {
  port: number;
  reactor: Reactor;
  url: (path?: string) => string;
  /** How many connections the server has open. */
  connections: () => number;
  close: () => Promise<void>;
}

export async function serveSite(site: Site, options: { reactor?: Reactor } = {}): Promise<Served> {
  const reactor = options.reactor ?? new Reactor();
  const listening = reactor.listenTCP(0, site, { interface: '127.0.0.1', backlog: 1024 });
  const port = listening.getHost().port;
  return {
    port,
    reactor,
    url: (path = '/') => `http://127.0.0.1:${port}${path}`,
    connections: () => reactor.getConnections().length,
    close: async () => {
      await listening.stopListening();
      await Promise.all(reactor.getConnections().map((c) => Promise.resolve(c.disconnectForShutdown())));
    },
  };
}

export interface Fetched {
  status: number;
  statusMessage: string;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
}

/** One request with node:http, no keep-alive pool. */
export function fetch(
  url: string,
  options: http.RequestOptions & { body?: Buffer | string } = {},
): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { agent: false, ...options }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          statusMessage: res.statusMessage!,
          headers: res.headers,
          rawHeaders: res.rawHeaders,
          body: Buffer.concat(chunks),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Sends raw bytes, returns everything the server sends until it closes (or `timeoutMs`). */
export function rawExchange(port: number, data: string | Buffer, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    }, timeoutMs);
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', (e) => {
      if ((e as NodeJS.ErrnoException).code === 'ECONNRESET') return;
      clearTimeout(timer);
      reject(e);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    socket.write(data);
  });
}

export interface WebLog {
  events: LogEvent[];
  texts: () => string[];
  stop: () => void;
}

/** Collects the new logger's events (errors are not printed meanwhile). */
export function captureWebLog(): WebLog {
  const legacy = captureLog();
  const events: LogEvent[] = [];
  const observer = (e: LogEvent): void => void events.push(e);
  globalLogPublisher.addObserver(observer);
  return {
    events,
    texts: () => events.map((e) => formatEvent(e) ?? ''),
    stop: () => {
      globalLogPublisher.removeObserver(observer);
      legacy.stop();
    },
  };
}
