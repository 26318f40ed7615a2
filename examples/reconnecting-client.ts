/**
 * A client that keeps reconnecting (Twisted's `ReconnectingClientFactory`): it connects to an
 * echo server, says hello, hangs up once answered, and connects again — after a failed attempt
 * it waits longer each time (exponential back-off with jitter), until the server is there.
 *
 *   node examples/reconnecting-client.ts [--port 8000] [--count 3] [--max-delay 5]
 *
 * Start it before `node examples/echoserv.ts` to watch it retry. It stops after `--count`
 * answers.
 */
import { Protocol, ReconnectingClientFactory, reactor, type Failure, type IConnector } from 'twisted-ts';
import { numberOption, parseCommandLine } from './lib/command-line.ts';

const USAGE = `
usage: node examples/reconnecting-client.ts [--host 127.0.0.1] [--port 8000] [--count 3]
                                          [--initial-delay 1] [--max-delay 5]

A client that keeps reconnecting (Twisted's \`ReconnectingClientFactory\`) to an echo server,
waiting longer after each failed attempt (exponential back-off with jitter). It stops after
--count answers.
`;

const { values } = parseCommandLine(USAGE, {
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '8000' },
    count: { type: 'string', default: '3' },
    'initial-delay': { type: 'string', default: '1' },
    'max-delay': { type: 'string', default: '5' },
  },
});
const portNumber = numberOption(USAGE, 'port', values.port);
const count = numberOption(USAGE, 'count', values.count);
const initialDelay = numberOption(USAGE, 'initial-delay', values['initial-delay']);
const maxDelay = numberOption(USAGE, 'max-delay', values['max-delay']);

class Greeter extends Protocol {
  declare factory: GreeterFactory;

  override connectionMade(): void {
    // Connected: the next failure starts the back-off from the beginning again.
    this.factory.resetDelay();
    this.factory.connections += 1;
    this.transport.write(Buffer.from(`hello #${this.factory.connections}`));
  }

  override dataReceived(data: Buffer): void {
    console.log(`answer ${this.factory.connections}: ${data.toString()}`);
    this.transport.loseConnection();
  }
}

class GreeterFactory extends ReconnectingClientFactory {
  override protocol = Greeter;
  connections = 0;

  override clientConnectionFailed(connector: IConnector, reason: Failure): void {
    super.clientConnectionFailed(connector, reason);
    console.log(
      `connection failed (${reason.value.name}); retry #${this.retries} in ${this.delay.toFixed(2)} s`,
    );
  }

  override clientConnectionLost(connector: IConnector, reason: Failure): void {
    if (this.connections >= count) {
      this.stopTrying();
      console.log(`done after ${this.connections} connections`);
      reactor.stop();
      return;
    }
    super.clientConnectionLost(connector, reason);
  }
}

const factory = new GreeterFactory();
factory.noisy = false;
factory.initialDelay = factory.delay = initialDelay;
factory.maxDelay = maxDelay;
reactor.connectTCP(values.host, portNumber, factory);
void reactor.run();
