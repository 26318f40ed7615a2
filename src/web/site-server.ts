/**
 * The `http.Server` a `Site` owns: it never listens (the site's ports accept the connections and
 * hand their sockets over), and it turns each request node:http parses into a `Request`.
 * Malformed or oversized requests are answered by node:http (400, 431, 408) before any resource
 * sees them, and logged here.
 *
 * @internal
 * @module
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { Failure } from '../failure.ts';
import type { StreamAddress } from '../interfaces.ts';
import { Logger } from '../logger/logger.ts';
import { IPv4Address, IPv6Address } from '../transports/address.ts';
import { channelOf } from './http-channel.ts';
import { Request, type RequestChannel } from './request.ts';
import type { Site } from './site.ts';
import type { SiteConfig } from './site-options.ts';

const log = new Logger('twisted-ts.web.Site');

// node:http's own answers to a request it could not parse (its default 'clientError' handler).
const clientErrorResponses: Record<string, string> = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: '413 Payload Too Large',
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
};

function describePeer(socket: Duplex): string {
  const channel = channelOf(socket);
  if (channel !== undefined) return String(channel.getPeer());
  const s = socket as Duplex & { remoteAddress?: string; remotePort?: number };
  return `${s.remoteAddress ?? '?'}:${s.remotePort ?? '?'}`;
}

function socketAddress(host: string | undefined, port: number | undefined): StreamAddress {
  const h = host ?? '0.0.0.0';
  return h.includes(':') ? new IPv6Address('TCP', h, port ?? 0) : new IPv4Address('TCP', h, port ?? 0);
}

/** A channel for a socket handed to the server some other way than by an `HTTPChannel`. */
function bareChannel(site: Site, socket: Duplex): RequestChannel {
  const s = socket as Duplex & {
    remoteAddress?: string;
    remotePort?: number;
    localAddress?: string;
    localPort?: number;
    encrypted?: boolean;
  };
  const peer = socketAddress(s.remoteAddress, s.remotePort);
  const host = socketAddress(s.localAddress, s.localPort);
  return {
    site,
    transport: undefined,
    getPeer: () => peer,
    getHost: () => host,
    isSecure: () => s.encrypted === true,
    loseConnection: () => socket.end(),
  };
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function serve(site: Site, req: IncomingMessage, res: ServerResponse): void {
  const socket = req.socket as Duplex;
  const channel = channelOf(socket) ?? bareChannel(site, socket);
  const request = new site.requestFactory(channel, req, res);
  res.on('close', () => {
    if (!request.finished) request.connectionLost(Request.lostReason(socket.errored ?? undefined));
  });
  if (!hasBody(req)) {
    request.requestReceived();
    return;
  }
  req.on('data', (chunk: Buffer) => {
    try {
      request.content.write(chunk);
    } catch (err) {
      // The body could not be stored (a full disk): the request cannot be processed.
      log.failure('Cannot store the body of {uri}', err, undefined, { uri: request.uri });
      res.destroy();
    }
  });
  req.on('end', () => guarded(request, res, () => request.requestReceived()));
}

function guarded(request: Request | undefined, res: ServerResponse, work: () => void): void {
  try {
    work();
  } catch (err) {
    // A failure outside rendering (a broken requestFactory or processingFailed itself): never
    // out of node:http's parser callback, which would end the process.
    log.failure('Error serving {uri}', new Failure(err), undefined, { uri: request?.uri ?? '?' });
    if (!res.headersSent && !res.writableEnded) {
      res.writeHead(500, { 'content-length': '0' }).end();
    } else {
      res.destroy();
    }
  }
}

/** The site's never-listening `http.Server`. */
export function createSiteServer(site: Site, config: SiteConfig): http.Server {
  const ms = (seconds: number): number => Math.round(seconds * 1000);
  const deadlines = [config.headersTimeout, config.requestTimeout].filter((t) => t > 0).map(ms);
  const server = http.createServer({
    requestTimeout: ms(config.requestTimeout),
    headersTimeout: ms(config.headersTimeout),
    keepAliveTimeout: ms(config.keepAliveTimeout),
    maxHeaderSize: config.maxHeaderSize,
    // node:http checks the deadlines above on an interval (30 s by default): check often enough
    // that a short deadline is kept to within half of itself.
    connectionsCheckingInterval: Math.max(
      100,
      Math.min(30_000, Math.floor(Math.min(...deadlines, 60_000) / 2)),
    ),
  });
  server.timeout = config.timeout === undefined ? 0 : ms(config.timeout);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    guarded(undefined, res, () => serve(site, req, res));
  });
  server.on('timeout', (socket: Duplex) => {
    log.info('Timing out client: {peer}', { peer: describePeer(socket) });
    socket.destroy();
  });
  server.on('clientError', (err: Error & { code?: string }, socket: Duplex) => {
    const answer = clientErrorResponses[err.code ?? ''] ?? '400 Bad Request';
    log.info('Bad request from {peer}: {code} ({reason}); answered {answer}', {
      peer: describePeer(socket),
      code: err.code ?? 'unknown',
      reason: err.message,
      answer,
    });
    const message = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
    if (socket.writable && (message === undefined || message === null || !message.headersSent)) {
      socket.write(`HTTP/1.1 ${answer}\r\nConnection: close\r\n\r\n`);
    }
    // Close once the answer is out (a net.Socket's destroySoon); node:http reads nothing more.
    const s = socket as Duplex & { destroySoon?: () => void };
    if (typeof s.destroySoon === 'function') s.destroySoon();
    else socket.end();
  });
  return server;
}
