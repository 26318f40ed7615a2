// Serving a Site over real loopback sockets. Until listenTCP exists, a plain net.Server accepts
// and each socket goes through the Site's own protocol (buildProtocol → makeConnection with a
// minimal transport whose getHandle() is the socket), exactly the hand-off a TCP port makes.
import net from 'node:net';
import http from 'node:http';
import {
  ConnectionDone,
  ConnectionLost,
  Failure,
  formatEvent,
  globalLogPublisher,
  IPv4Address,
  type LogEvent,
  type Site,
} from '../../src/index.ts';
import { captureLog } from '../support/log-capture.ts';

export interface Served {
  port: number;
  url: (path?: string) => string;
  close: () => Promise<void>;
  sockets: Set<net.Socket>;
}

function address(host: string | undefined, port: number | undefined): IPv4Address {
  return new IPv4Address('TCP', host ?? '127.0.0.1', port ?? 0);
}

export async function serveSite(site: Site): Promise<Served> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const peer = address(socket.remoteAddress, socket.remotePort);
    const host = address(socket.localAddress, socket.localPort);
    const channel = site.buildProtocol(peer);
    const transport = {
      getHandle: () => socket,
      getPeer: () => peer,
      getHost: () => host,
      write: (data: Uint8Array) => void socket.write(data),
      writeSequence: (data: readonly Uint8Array[]) => data.forEach((d) => socket.write(d)),
      loseConnection: () => void socket.end(),
      abortConnection: () => void socket.resetAndDestroy(),
    };
    let error: Error | undefined;
    socket.on('error', (e) => (error = e));
    socket.on('close', () => {
      sockets.delete(socket);
      channel.connectionLost(
        new Failure(error ? new ConnectionLost(undefined, { osError: error }) : new ConnectionDone()),
      );
    });
    channel.makeConnection(transport as never);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  site.doStart();
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    sockets,
    url: (path = '/') => `http://127.0.0.1:${port}${path}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      site.doStop();
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
