/**
 * Twisted's classic TCP echo client (`echoclient.py` in Twisted's documentation): it connects,
 * says "hello, world!", prints what the server answers and hangs up.
 *
 *   node examples/echoclient.ts [--host 127.0.0.1] [--port 8000]
 *
 * Run `node examples/echoserv.ts` first. It exits 0 after the echo, 1 if it could not connect.
 */
import { ClientFactory, Protocol, reactor, type Failure, type IConnector } from 'twisted-ts';
import { numberOption, parseCommandLine } from './lib/command-line.ts';

const USAGE = `
usage: node examples/echoclient.ts [--host 127.0.0.1] [--port 8000]

Twisted's classic TCP echo client (\`echoclient.py\`): it connects, says "hello, world!", prints
what the server answers and hangs up. Exits 0 after the echo, 1 if it could not connect.
`;

const { values } = parseCommandLine(USAGE, {
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '8000' },
  },
});
const portNumber = numberOption(USAGE, 'port', values.port);

/** Once connected, send a message, then print the result. */
class EchoClient extends Protocol {
  override connectionMade(): void {
    this.transport.write(Buffer.from('hello, world!'));
  }

  override dataReceived(data: Buffer): void {
    // As soon as any data is received, write it out.
    console.log('Server said:', data.toString());
    this.transport.loseConnection();
  }

  override connectionLost(_reason: Failure): void {
    console.log('connection lost');
  }
}

class EchoFactory extends ClientFactory {
  override protocol = EchoClient;

  override clientConnectionFailed(_connector: IConnector, reason: Failure): void {
    console.log(`Connection failed - goodbye! (${reason.getErrorMessage()})`);
    process.exitCode = 1;
    reactor.stop();
  }

  override clientConnectionLost(_connector: IConnector, _reason: Failure): void {
    console.log('Connection lost - goodbye!');
    reactor.stop();
  }
}

// This connects the protocol to a server running on port 8000.
reactor.connectTCP(values.host, portNumber, new EchoFactory());
void reactor.run();
