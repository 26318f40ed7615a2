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
import { parseArgs } from 'node:util';
import { Protocol, ReconnectingClientFactory, reactor, type Failure, type IConnector } from 'twisted-ts';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '8000' },
    count: { type: 'string', default: '3' },
    'initial-delay': { type: 'string', default: '1' },
    'max-delay': { type: 'string', default: '5' },
  },
});

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
    if (this.connections >= Number(values.count)) {
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
factory.initialDelay = factory.delay = Number(values['initial-delay']);
factory.maxDelay = Number(values['max-delay']);
reactor.connectTCP(values.host, Number(values.port), factory);
void reactor.run();
