/**
 * Twisted's classic TCP echo server (`echoserv.py` in Twisted's documentation): every byte a
 * client sends comes back.
 *
 *   node examples/echoserv.ts [--port 8000] [--interface 127.0.0.1] [--duration S] [--count N]
 *
 * Stop it with Ctrl-C (the reactor's signal handlers stop it cleanly), or let it stop by itself
 * after `--duration` seconds or once `--count` connections have ended. Try it with
 * `node examples/echoclient.ts`.
 */
import { Factory, Protocol, reactor } from 'twisted-ts';
import { numberOption, parseCommandLine } from './lib/command-line.ts';

const USAGE = `
usage: node examples/echoserv.ts [--port 8000] [--interface 127.0.0.1] [--duration S] [--count N]

Twisted's classic TCP echo server (\`echoserv.py\`): every byte a client sends comes back.
It runs until Ctrl-C, or stops after --duration seconds or once --count connections have ended.
`;

const { values } = parseCommandLine(USAGE, {
  options: {
    port: { type: 'string', default: '8000' },
    interface: { type: 'string', default: '127.0.0.1' },
    duration: { type: 'string' },
    count: { type: 'string' },
  },
});
const portNumber = numberOption(USAGE, 'port', values.port);
const count = values.count === undefined ? undefined : numberOption(USAGE, 'count', values.count);
const duration = values.duration === undefined ? undefined : numberOption(USAGE, 'duration', values.duration);

/** This is just about the simplest possible protocol. */
class Echo extends Protocol {
  override dataReceived(data: Buffer): void {
    // As soon as any data is received, write it back.
    this.transport.write(data);
  }

  override connectionLost(): void {
    ended += 1;
    if (ended === count) reactor.stop();
  }
}

let ended = 0;

const factory = new Factory();
factory.protocol = Echo;
const port = reactor.listenTCP(portNumber, factory, 50, values.interface);
// The port is bound already: getHost() has the real port even when 0 was asked for.
console.log(`echo server listening on ${port.getHost().host}:${port.getHost().port}`);
if (duration !== undefined) reactor.callLater(duration, () => reactor.stop());
void reactor.run().then(() => console.log('stopped'));
