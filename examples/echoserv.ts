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
import { parseArgs } from 'node:util';
import { Factory, Protocol, reactor } from 'twisted-ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8000' },
    interface: { type: 'string', default: '127.0.0.1' },
    duration: { type: 'string' },
    count: { type: 'string' },
  },
});

/** This is just about the simplest possible protocol. */
class Echo extends Protocol {
  override dataReceived(data: Buffer): void {
    // As soon as any data is received, write it back.
    this.transport.write(data);
  }

  override connectionLost(): void {
    ended += 1;
    if (ended === Number(values.count)) reactor.stop();
  }
}

let ended = 0;

const factory = new Factory();
factory.protocol = Echo;
const port = reactor.listenTCP(Number(values.port), factory, 50, values.interface);
// The port is bound already: getHost() has the real port even when 0 was asked for.
console.log(`echo server listening on ${port.getHost().host}:${port.getHost().port}`);
if (values.duration !== undefined) reactor.callLater(Number(values.duration), () => reactor.stop());
void reactor.run().then(() => console.log('stopped'));
