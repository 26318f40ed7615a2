// HTTPChannel: the hand-off of a connection to node:http (DESIGN.md decision 14, STYLE.md
// section 6). Over a TCP port the socket itself goes to node:http and the protocol never sees a
// byte; over any other transport (StringTransport here) a stream fed by dataReceived does.
import { describe, expect, test } from 'vitest';
import { ConnectionDone, Data, Failure, HTTPChannel, Site, type StreamAddress } from '../../src/index.ts';
import { StringTransport } from '../../src/testing/index.ts';
import { until } from '../support/wait.ts';
import { fetch, serveSite } from './support.ts';

function leafData(text: string): Data {
  const data = new Data(text, 'text/plain');
  data.isLeaf = true;
  return data;
}

describe('over a TCP port', () => {
  test('the socket goes to node:http before anything is read: the channel never receives data', async () => {
    let received = 0;
    let built = 0;
    class CountingChannel extends HTTPChannel {
      override dataReceived(data: Buffer): void {
        received += data.length;
        super.dataReceived(data);
      }
    }
    class CountingSite extends Site {
      override buildProtocol(_addr: StreamAddress): HTTPChannel {
        built++;
        return new CountingChannel(this);
      }
    }
    const served = await serveSite(new CountingSite(leafData('served')));
    try {
      expect((await fetch(served.url('/'))).body.toString()).toBe('served');
      // A request with a body: Data answers POST with 405, after node:http read the body.
      expect((await fetch(served.url('/'), { body: 'x'.repeat(10_000), method: 'POST' })).status).toBe(405);
      expect(built).toBe(2);
      expect(received).toBe(0);
    } finally {
      await served.close();
    }
  });

  test('the connection is the reactor’s: shutting the reactor down closes it', async () => {
    const served = await serveSite(new Site(leafData('x')));
    const socket = (await import('node:net')).connect(served.port, '127.0.0.1');
    await until(() => served.connections() === 1, 'the connection');
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    socket.on('error', () => undefined);
    await served.close();
    await closed;
    expect(served.connections()).toBe(0);
  });
});

describe('over another transport (StringTransport)', () => {
  test('requests written to dataReceived are answered through transport.write; keep-alive, then close', async () => {
    const site = new Site(leafData('over a string transport'));
    const channel = site.buildProtocol(new StringTransport().getPeer());
    const transport = new StringTransport();
    channel.makeConnection(transport);
    channel.dataReceived(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    await until(() => transport.value().includes('over a string transport'), 'the response');
    const first = transport.value().toString();
    expect(first).toMatch(/^HTTP\/1.1 200 OK\r\n/);
    expect(first).toMatch(/Content-Length: 23\r\n/);
    expect(transport.disconnecting).toBe(false);
    transport.clear();
    channel.dataReceived(Buffer.from('GET /again HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    await until(() => transport.disconnecting, 'the close');
    expect(transport.value().toString()).toMatch(/^HTTP\/1.1 200 OK\r\n/);
    channel.connectionLost(new Failure(new ConnectionDone()));
  });

  test('a request split across many small writes is parsed whole', async () => {
    const site = new Site(leafData('split'));
    const channel = site.buildProtocol(new StringTransport().getPeer());
    const transport = new StringTransport();
    channel.makeConnection(transport);
    for (const byte of Buffer.from('GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')) {
      channel.dataReceived(Buffer.from([byte]));
    }
    await until(() => transport.value().includes('split'), 'the response');
  });

  test('a malformed request is answered 400 and the transport closed', async () => {
    const site = new Site(leafData('never'));
    const channel = site.buildProtocol(new StringTransport().getPeer());
    const transport = new StringTransport();
    channel.makeConnection(transport);
    channel.dataReceived(Buffer.from('NOT HTTP AT ALL\r\n\r\n'));
    await until(() => transport.disconnecting, 'the close');
    expect(transport.value().toString()).toMatch(/^HTTP\/1.1 400 Bad Request\r\n/);
  });
});
