/**
 * A static file server: the directory given, with ranges, conditional GET, index files and
 * directory listings (twisted.web's `File`).
 *
 *   node examples/web-static.ts <directory> [--port 8080] [--interface 127.0.0.1] [--requests N]
 *
 * It listens with `reactor.listenTCP` (the endpoint strings of `serverFromString` are not part
 * of the package yet). It serves until SIGINT/SIGTERM, or until it has answered `--requests`
 * requests. Nothing outside the directory is ever served.
 */
import { existsSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { File, reactor, Site, type HTTPRequest } from 'twisted-ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    port: { type: 'string', default: '8080' },
    interface: { type: 'string', default: '127.0.0.1' },
    requests: { type: 'string' },
  },
});

const directory = positionals[0];
if (directory === undefined || !existsSync(directory) || !statSync(directory).isDirectory()) {
  console.error(
    'usage: node examples/web-static.ts <directory> [--port 8080] [--interface 127.0.0.1] [--requests N]',
  );
  process.exit(2);
}

class CountingSite extends Site {
  answered = 0;
  limit = values.requests === undefined ? Infinity : Number(values.requests);
  override log(request: HTTPRequest): void {
    super.log(request);
    console.log(`${request.method} ${request.uri} -> ${request.code} (${request.sentLength} bytes)`);
    if (++this.answered >= this.limit) reactor.stop();
  }
}

const port = reactor.listenTCP(Number(values.port), new CountingSite(new File(directory)), {
  interface: values.interface,
});
console.log(`serving ${directory} on http://${port.getHost().host}:${port.getHost().port}/`);
void reactor.run().then(() => console.log('stopped'));
