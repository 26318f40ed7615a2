/**
 * A line-based chat server (the one of Twisted's "Writing Servers" howto): each client is asked
 * for a name, then every line it sends goes to everyone else as `<name> line`.
 *
 *   node examples/chatserver.ts [--port 8123] [--interface 127.0.0.1] [--duration S] [--count N]
 *
 * It stops by itself after `--duration` seconds, or once `--count` users have left, if given.
 * Talk to it with `nc 127.0.0.1 8123` from two terminals. Lines end with "\r\n" or "\n".
 * (It splits lines itself, in a few lines; `LineReceiver` does this job in full.)
 */
import { Factory, Protocol, reactor, type Failure } from 'twisted-ts';
import { numberOption, parseCommandLine } from './lib/command-line.ts';

const USAGE = `
usage: node examples/chatserver.ts [--port 8123] [--interface 127.0.0.1] [--duration S] [--count N]

A line-based chat server: each client is asked for a name, then every line it sends goes to
everyone else as \`<name> line\`. It stops after --duration seconds, or once --count users have
left, if given.
`;

const { values } = parseCommandLine(USAGE, {
  options: {
    port: { type: 'string', default: '8123' },
    interface: { type: 'string', default: '127.0.0.1' },
    duration: { type: 'string' },
    count: { type: 'string' },
  },
});
const portNumber = numberOption(USAGE, 'port', values.port);
const count = values.count === undefined ? undefined : numberOption(USAGE, 'count', values.count);
const duration = values.duration === undefined ? undefined : numberOption(USAGE, 'duration', values.duration);

/** The smallest line protocol: buffers bytes, hands complete lines to `lineReceived`. */
class Lines extends Protocol {
  #buffer = Buffer.alloc(0);

  override dataReceived(data: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, data]);
    let end: number;
    while ((end = this.#buffer.indexOf(0x0a)) >= 0 && !this.transport.disconnecting) {
      const line = this.#buffer.subarray(0, end).toString('utf8').replace(/\r$/, '');
      this.#buffer = this.#buffer.subarray(end + 1);
      this.lineReceived(line);
    }
  }

  lineReceived(_line: string): void {}

  sendLine(line: string): void {
    this.transport.write(Buffer.from(`${line}\r\n`));
  }
}

class Chat extends Lines {
  readonly users: Map<string, Chat>;
  name: string | undefined;
  state: 'GETNAME' | 'CHAT' = 'GETNAME';

  constructor(users: Map<string, Chat>) {
    super();
    this.users = users;
  }

  override connectionMade(): void {
    this.sendLine("What's your name?");
  }

  override connectionLost(_reason: Failure): void {
    if (this.name !== undefined && this.users.get(this.name) === this) this.users.delete(this.name);
    left += 1;
    if (left === count) reactor.stop();
  }

  override lineReceived(line: string): void {
    if (this.state === 'GETNAME') this.handleGetName(line);
    else this.handleChat(line);
  }

  handleGetName(name: string): void {
    if (this.users.has(name)) {
      this.sendLine('Name taken, please choose another.');
      return;
    }
    this.sendLine(`Welcome, ${name}!`);
    this.name = name;
    this.users.set(name, this);
    this.state = 'CHAT';
  }

  handleChat(message: string): void {
    for (const [, protocol] of this.users) {
      if (protocol !== this) protocol.sendLine(`<${this.name}> ${message}`);
    }
  }
}

let left = 0;

class ChatFactory extends Factory<Chat> {
  readonly users = new Map<string, Chat>(); // maps user names to Chat instances

  override buildProtocol(): Chat {
    return new Chat(this.users);
  }
}

const port = reactor.listenTCP(portNumber, new ChatFactory(), { interface: values.interface });
console.log(`chat server listening on ${port.getHost().host}:${port.getHost().port}`);
if (duration !== undefined) reactor.callLater(duration, () => reactor.stop());
void reactor.run().then(() => console.log('stopped'));
