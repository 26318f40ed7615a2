// lines.cjs: the README's lines.ts from CommonJS — TCP, a LineReceiver, an endpoint from a
// description string, and twisted-ts/testing's StringTransport, all through require().
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS consumer, as it would be written */
const { Deferred, Factory, LineReceiver, clientFromString, connectProtocol, react } = require('twisted-ts');
const { StringTransport } = require('twisted-ts/testing');

class Shout extends LineReceiver {
  lineReceived(line) {
    this.sendLine(Buffer.from(line.toString().toUpperCase()));
  }
}

class Ask extends LineReceiver {
  answer = new Deferred();
  lineReceived(line) {
    this.answer.callback(line.toString());
    this.transport.loseConnection();
  }
}

const shout = new Shout();
const transport = new StringTransport();
shout.makeConnection(transport);
shout.dataReceived(Buffer.from('quiet\r\n'));
console.log(`unit: ${transport.value().toString().trim()}`);

react(async (reactor) => {
  const port = reactor.listenTCP(0, Factory.forProtocol(Shout), { interface: '127.0.0.1' });
  const client = clientFromString(reactor, `tcp:127.0.0.1:${port.getHost().port}`);
  const ask = await connectProtocol(client, new Ask());
  ask.sendLine(Buffer.from('hello'));
  console.log(`tcp: ${await ask.answer}`);
  await port.stopListening();
});
