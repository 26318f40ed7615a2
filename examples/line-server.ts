/**
 * A line-based key-value server on any endpoint, chosen by a description string on the command
 * line as Twisted programs do (`serverFromString`): each line is a command, each answer a line.
 *
 *   node examples/line-server.ts [description] [--duration S] [--count N]
 *
 *   node examples/line-server.ts tcp:8124:interface=127.0.0.1     (the default)
 *   node examples/line-server.ts unix:/tmp/kv.sock
 *   node examples/line-server.ts ssl:8443:privateKey=key.pem:certKey=cert.pem
 *
 * Commands: `SET <key> <value>`, `GET <key>`, `KEYS`, `QUIT`. A client silent for 60 seconds is
 * dropped (`TimeoutMixin`). It stops after `--duration` seconds, or once `--count` clients have
 * left, if given. Talk to it with `nc 127.0.0.1 8124`.
 */
import {
  Deferred,
  EndpointSyntaxError,
  Factory,
  LineReceiver,
  SystemExit,
  TimeoutMixin,
  react,
  serverFromString,
  type Failure,
  type Reactor,
} from 'twisted-ts';
import { numberOption, parseCommandLine, USAGE_ERROR } from './lib/command-line.ts';

const USAGE = `
usage: node examples/line-server.ts [description] [--duration S] [--count N]

A line-based key-value server on any endpoint description (\`serverFromString\`), by default
tcp:8124:interface=127.0.0.1; for example unix:/tmp/kv.sock or
ssl:8443:privateKey=key.pem:certKey=cert.pem. Commands: SET <key> <value>, GET <key>, KEYS, QUIT.
It stops after --duration seconds, or once --count clients have left, if given.
`;

const { values, positionals } = parseCommandLine(USAGE, {
  allowPositionals: true,
  options: {
    duration: { type: 'string' },
    count: { type: 'string' },
  },
});
const count = values.count === undefined ? Infinity : numberOption(USAGE, 'count', values.count);
const duration = values.duration === undefined ? undefined : numberOption(USAGE, 'duration', values.duration);
const description = positionals[0] ?? 'tcp:8124:interface=127.0.0.1';

class KeyValueFactory extends Factory<KeyValue> {
  override protocol = KeyValue;
  readonly store = new Map<string, string>();
  left = 0;
  readonly done = new Deferred<string>();
  readonly limit = count;
}

class KeyValue extends TimeoutMixin(LineReceiver) {
  declare factory: KeyValueFactory;
  override delimiter = '\n';

  override connectionMade(): void {
    this.setTimeout(60);
    this.sendLine('READY');
  }

  override lineReceived(raw: Buffer): void {
    this.resetTimeout();
    const [command = '', key, ...rest] = raw.toString('utf8').replace(/\r$/, '').split(' ');
    const store = this.factory.store;
    switch (command.toUpperCase()) {
      case 'SET':
        if (key === undefined) return this.sendLine('ERROR usage: SET <key> <value>');
        store.set(key, rest.join(' '));
        return this.sendLine('OK');
      case 'GET':
        return this.sendLine(key !== undefined && store.has(key) ? `VALUE ${store.get(key)}` : 'NOT_FOUND');
      case 'KEYS':
        return this.sendLine(`KEYS ${[...store.keys()].join(' ')}`);
      case 'QUIT':
        this.sendLine('BYE');
        return this.transport.loseConnection();
      default:
        return this.sendLine(`ERROR unknown command ${JSON.stringify(command)}`);
    }
  }

  override connectionLost(_reason: Failure): void {
    this.setTimeout(undefined);
    const factory = this.factory;
    factory.left += 1;
    if (factory.left === factory.limit) factory.done.callback(`${factory.left} client(s) left`);
  }
}

react(async (reactor: Reactor) => {
  let endpoint;
  try {
    endpoint = serverFromString(reactor, description);
  } catch (e) {
    if (!(e instanceof EndpointSyntaxError)) throw e;
    // A mistaken command line, like a mistaken option: the message ends with the description and
    // a caret under the part that is wrong, then the usage; exit status 2 (Python's SystemExit).
    process.stderr.write(`${e.message}\n\n${USAGE.trim()}\n`);
    throw new SystemExit(USAGE_ERROR);
  }
  const factory = new KeyValueFactory();
  const port = await endpoint.listen(factory);
  console.log(`line server listening on ${String(port.getHost())}`);
  const timer =
    duration === undefined
      ? undefined
      : reactor.callLater(duration, () => factory.done.callback(`${duration} s passed`));
  const why = await factory.done;
  if (timer?.active()) timer.cancel();
  await port.stopListening();
  console.log(`${why}; stopped`);
});
