/**
 * A TLS echo server that makes its own certificate the first time it runs: a key and a
 * self-signed certificate for `localhost` (made with the `openssl` command, kept in `--dir`),
 * then `serverFromString` with an `ssl:` description naming the two files.
 *
 *   node examples/tls-echo-server.ts [--dir .tls-echo] [--port 8443] [--interface 127.0.0.1]
 *                                    [--duration S] [--count N]
 *
 * Try it with `openssl s_client -connect 127.0.0.1:8443 -CAfile .tls-echo/server.crt`: the
 * certificate is its own authority. It stops after `--duration` seconds, or once `--count`
 * clients have left, if given.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Certificate,
  Deferred,
  Factory,
  Protocol,
  quoteStringArgument,
  react,
  serverFromString,
  type Failure,
  type Reactor,
} from 'twisted-ts';
import { numberOption, parseCommandLine } from './lib/command-line.ts';

const USAGE = `
usage: node examples/tls-echo-server.ts [--dir .tls-echo] [--port 8443] [--interface 127.0.0.1]
                                      [--duration S] [--count N]

A TLS echo server that makes its own key and self-signed certificate for localhost (with the
openssl command, kept in --dir) the first time it runs, then listens on an ssl: description.
It stops after --duration seconds, or once --count clients have left, if given.
`;

const { values } = parseCommandLine(USAGE, {
  options: {
    dir: { type: 'string', default: '.tls-echo' },
    port: { type: 'string', default: '8443' },
    interface: { type: 'string', default: '127.0.0.1' },
    duration: { type: 'string' },
    count: { type: 'string' },
  },
});
const portNumber = numberOption(USAGE, 'port', values.port);
const count = values.count === undefined ? Infinity : numberOption(USAGE, 'count', values.count);
const duration = values.duration === undefined ? undefined : numberOption(USAGE, 'duration', values.duration);

/** The key and certificate in `dir`, made on the first run. */
function certificateFiles(dir: string): { key: string; cert: string } {
  const key = join(dir, 'server.key');
  const cert = join(dir, 'server.crt');
  if (existsSync(key) && existsSync(cert)) {
    console.log(`using the certificate in ${dir}`);
    return { key, cert };
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '365',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (e) {
    throw new Error(
      `could not make a certificate with the openssl command (is it installed?): ${(e as Error).message}`,
    );
  }
  console.log(`generated a self-signed certificate for localhost in ${dir}`);
  return { key, cert };
}

class EchoFactory extends Factory<Echo> {
  override protocol = Echo;
  left = 0;
  readonly done = new Deferred<string>();
  readonly limit = count;
}

class Echo extends Protocol {
  declare factory: EchoFactory;

  override dataReceived(data: Buffer): void {
    this.transport.write(data);
  }

  override connectionLost(reason: Failure): void {
    // A client that does not trust the certificate ends here with a TLSError.
    console.log(`a client left: ${reason.getErrorMessage()}`);
    const factory = this.factory;
    factory.left += 1;
    if (factory.left === factory.limit) factory.done.callback(`${factory.left} client(s) left`);
  }
}

react(async (reactor: Reactor) => {
  const { key, cert } = certificateFiles(values.dir);
  const q = quoteStringArgument;
  const description = `ssl:${portNumber}:privateKey=${q(key)}:certKey=${q(cert)}:interface=${q(values.interface)}`;
  const factory = new EchoFactory();
  const port = await serverFromString(reactor, description).listen(factory);
  const fingerprint = Certificate.loadPEM(readFileSync(cert)).digest('sha256');
  console.log(`TLS echo server listening on ${String(port.getHost())}, certificate SHA-256 ${fingerprint}`);
  const timer =
    duration === undefined
      ? undefined
      : reactor.callLater(duration, () => factory.done.callback(`${duration} s passed`));
  const why = await factory.done;
  if (timer?.active()) timer.cancel();
  await port.stopListening();
  console.log(`${why}; stopped`);
});
