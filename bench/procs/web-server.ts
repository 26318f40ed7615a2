/**
 * HTTP server for the web benchmark: a twisted-ts `Site` whose two-level Resource tree answers
 * `/api/item` with 1 KiB (`--impl tt`), or a plain `node:http` handler doing the same routing by
 * hand (`--impl raw`) — each written as its users would.
 *
 * Prints `{"ready":true,"port":N}`; answers `stats` with `{"count","cpu"}`.
 */
import http from 'node:http';
import { Resource, Site, type Request } from '../../src/index.ts';
import { cpuSeconds, onCommands, out, parseArgs } from './io.ts';
import { reactor } from './tt.ts';

const args = parseArgs();
const impl = args.get('impl') ?? 'tt';
const BODY = Buffer.alloc(1024, 'x');
let count = 0;

let port: number;
let close: () => void;
if (impl === 'tt') {
  class Item extends Resource {
    override isLeaf = true;
    render_GET(request: Request): Buffer {
      count++;
      request.setHeader('content-type', 'text/plain');
      return BODY;
    }
  }
  const api = new Resource();
  api.putChild('item', new Item());
  const root = new Resource();
  root.putChild('api', api);
  const site = new Site(root, { timeout: null });
  // The access log would measure the logger, not the server: off, as a benchmark of Twisted's
  // Site without a log file has it.
  site.log = () => undefined;
  const p = reactor.listenTCP(0, site, { interface: '127.0.0.1', backlog: 512 });
  port = p.getHost().port;
  close = () => void p.stopListening().addCallback(() => process.exit(0));
} else {
  const server = http.createServer((req, res) => {
    const parts = (req.url ?? '/').split('?')[0].split('/');
    if (req.method === 'GET' && parts[1] === 'api' && parts[2] === 'item') {
      count++;
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': BODY.length });
      res.end(BODY);
    } else {
      res.writeHead(404, { 'content-length': 0 }).end();
    }
  });
  server.listen(0, '127.0.0.1', 512);
  await new Promise((resolve) => server.once('listening', resolve));
  port = (server.address() as { port: number }).port;
  close = () => {
    server.closeAllConnections();
    server.close();
  };
}

out({ ready: true, port });
onCommands(
  (command) => {
    if (command === 'stats') out({ count, cpu: cpuSeconds() });
  },
  () => close(),
);
