/**
 * A static file server: the directory given, with ranges, conditional GET, index files and
 * directory listings (twisted.web's `File`), on any endpoint a description string names
 * (`serverFromString`, as Twisted's `twistd web --path DIR --listen DESCRIPTION` takes it).
 *
 *   node examples/web-static.ts <directory> [description] [--requests N]
 *
 *   node examples/web-static.ts ./public                                  (tcp:8080:interface=127.0.0.1)
 *   node examples/web-static.ts ./public tcp:0:interface=127.0.0.1        (any free port)
 *   node examples/web-static.ts ./public unix:/tmp/web.sock
 *   node examples/web-static.ts ./public ssl:8443:privateKey=key.pem:certKey=cert.pem
 *
 * It serves until SIGINT/SIGTERM, or until it has answered `--requests` requests. Nothing
 * outside the directory is ever served.
 */
import { existsSync, statSync } from 'node:fs';
import {
  Deferred,
  EndpointSyntaxError,
  File,
  react,
  serverFromString,
  Site,
  type HTTPRequest,
  type Reactor,
} from 'twisted-ts';
import { numberOption, parseCommandLine, USAGE_ERROR } from './lib/command-line.ts';

const USAGE = `
usage: node examples/web-static.ts <directory> [description] [--requests N]

A static file server (twisted.web's File) for <directory>, on the endpoint the description names
(serverFromString; default tcp:8080:interface=127.0.0.1): tcp:0, unix:/path, ssl:8443:privateKey=…
It serves until Ctrl-C, or stops once it has answered --requests requests.
`;
const { values, positionals } = parseCommandLine(USAGE, {
  allowPositionals: true,
  options: { requests: { type: 'string' } },
});
const requestLimit =
  values.requests === undefined ? Infinity : numberOption(USAGE, 'requests', values.requests);

const [directory, description = 'tcp:8080:interface=127.0.0.1'] = positionals;
if (directory === undefined || !existsSync(directory) || !statSync(directory).isDirectory()) {
  process.stderr.write(
    `${directory === undefined ? 'no directory given' : `not a directory: ${directory}`}\n\n${USAGE.trim()}\n`,
  );
  process.exit(USAGE_ERROR);
}

/** A Site that prints each request it answers and says when it has answered `limit` of them. */
class CountingSite extends Site {
  answered = 0;
  readonly limit = requestLimit;
  readonly done = new Deferred<void>();

  override log(request: HTTPRequest): void {
    super.log(request);
    console.log(`${request.method} ${request.uri} -> ${request.code} (${request.sentLength} bytes)`);
    if (++this.answered === this.limit) this.done.callback(undefined);
  }
}

react(async (reactor: Reactor) => {
  let endpoint;
  try {
    endpoint = serverFromString(reactor, description);
  } catch (e) {
    // The message ends with the description and a caret under the part that is wrong.
    if (e instanceof EndpointSyntaxError) console.error(`${e.message}\n\n${USAGE.trim()}`);
    throw e;
  }
  const site = new CountingSite(new File(directory));
  const port = await endpoint.listen(site);
  console.log(`serving ${directory} on ${String(port.getHost())}`);
  await site.done;
  await port.stopListening();
  console.log('stopped');
});
