/**
 * `for await` over a port's datagrams, for code that prefers loops to subclassing: no protocol
 * methods to override, just `port.datagrams()`. The buffer is bounded: a slow reader keeps the
 * newest `highWaterMark` datagrams and the port counts the ones it dropped.
 *
 *   node examples/async-iterator.ts [--count 5] [--burst 20] [--high-water-mark 4]
 *
 * Part 1: an "uppercase" server and a client, both written as loops, on 127.0.0.1.
 * Part 2: a burst of `--burst` datagrams to a reader that holds at most `--high-water-mark`.
 */
import { DatagramProtocol, deferLater, react, type AddressTuple, type Reactor } from 'twisted-ts';
import { numberOption, parseCommandLine } from './lib/command-line.ts';

const USAGE = `
usage: node examples/async-iterator.ts [--count 5] [--burst 20] [--high-water-mark 4]

\`for await\` over a port's datagrams, for code that prefers loops to subclassing: no protocol
methods to override, just \`port.datagrams()\`. The buffer is bounded: a slow reader keeps the
newest \`highWaterMark\` datagrams and the port counts the ones it dropped.
`;

const { values } = parseCommandLine(USAGE, {
  options: {
    count: { type: 'string', default: '5' },
    burst: { type: 'string', default: '20' },
    'high-water-mark': { type: 'string', default: '4' },
  },
});

react(async (reactor: Reactor) => {
  const count = numberOption(USAGE, 'count', values.count);

  // Part 1. A plain DatagramProtocol does nothing with datagrams; the loops do the work.
  const server = reactor.listenUDP(0, new DatagramProtocol(), '127.0.0.1');
  const client = reactor.listenUDP(0, new DatagramProtocol(), '127.0.0.1');
  const serverAddr: AddressTuple = [server.getHost().host, server.getHost().port];
  console.log(`server on ${serverAddr[0]}:${serverAddr[1]}, client on port ${client.getHost().port}`);

  const serving = (async () => {
    let served = 0;
    // The loop ends by itself when the port stops.
    for await (const [data, addr] of server.datagrams()) {
      server.write(Buffer.from(data.toString().toUpperCase()), addr);
      served += 1;
    }
    return served;
  })();

  // Iterate first, then send: datagrams that arrive before datagrams() is called are not queued.
  const replies = client.datagrams();
  for (let i = 1; i <= count; i++) client.write(Buffer.from(`message ${i}`), serverAddr);
  let got = 0;
  for await (const [data, addr] of replies) {
    console.log(`client got ${JSON.stringify(data.toString())} from ${addr[0]}:${addr[1]}`);
    if (++got === count) break; // leaving the loop releases the iterator
  }
  await server.stopListening();
  console.log(`server loop ended after serving ${await serving} datagram(s)`);

  // Part 2. A reader that is slower than the sender, with a small buffer.
  const burst = numberOption(USAGE, 'burst', values.burst);
  const highWaterMark = numberOption(USAGE, 'high-water-mark', values['high-water-mark']);
  const sink = reactor.listenUDP(0, new DatagramProtocol(), '127.0.0.1');
  const it = sink.datagrams({ highWaterMark });
  for (let i = 1; i <= burst; i++)
    client.write(Buffer.from(`burst ${i}`), ['127.0.0.1', sink.getHost().port]);
  await deferLater(reactor, 0.2); // the reader is busy; the burst arrives meanwhile
  const kept: string[] = [];
  const done = sink.stopListening(); // the iterator hands out what it holds, then ends
  for await (const [data] of it) kept.push(data.toString());
  await done;
  console.log(`burst of ${burst}: the reader got ${kept.length} (${kept.join(', ')})`);
  console.log(
    `drops counted by the port: ${sink.stats().drops} (highWaterMark ${highWaterMark}, oldest dropped first)`,
  );
  await client.stopListening();
});
