/**
 * The stream transport over real loopback sockets (src/transports/tcp/connection.ts), after
 * Twisted's test_tcp.py and internet/test/test_tcp.py: data both ways, clean closes, aborts,
 * half-close, errors in protocol callbacks, addresses, TCP options, and the state flags.
 */
import { describe, expect, it } from 'vitest';
import net from 'node:net';
import { ConnectionAborted, ConnectionDone, ConnectionLost } from '../../../src/errors.ts';
import type { Failure } from '../../../src/failure.ts';
import { Factory } from '../../../src/protocols/factory.ts';
import { Protocol } from '../../../src/protocols/protocol.ts';
import { Connection } from '../../../src/transports/tcp/connection.ts';
import {
  captureLogPerTest,
  connectedPair,
  newReactor,
  Recording,
  ServerRecorder,
  turns,
  until,
} from './helpers.ts';

const log = captureLogPerTest();

class Echo extends Recording {
  override dataReceived(data: Buffer): void {
    super.dataReceived(data);
    this.transport.write(data);
  }
}

describe('data and closing', () => {
  it('echo: what the client writes comes back; the server sees the client address', async () => {
    const { server, client } = await connectedPair(
      newReactor(),
      () => new Echo(),
      () => new Recording(),
    );
    client.transport.write(Buffer.from('hello, '));
    client.transport.writeSequence([Buffer.from('wor'), Buffer.from('ld')]);
    expect((await client.bytes(12)).toString()).toBe('hello, world');
    expect(server.transport.getPeer().host).toBe('127.0.0.1');
    expect(server.transport.getPeer().port).toBe(client.transport.getHost().port);
    expect(client.transport.getPeer().port).toBe(server.transport.getHost().port);
    expect(server.transport.getHost().type).toBe('TCP');
  });

  it('loseConnection sends what was written first; both sides get ConnectionDone', async () => {
    const { server, client } = await connectedPair(
      newReactor(),
      () => new Recording(),
      () => new Recording(),
    );
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    server.transport.write(big);
    server.transport.loseConnection();
    expect(server.transport.disconnecting).toBe(true);
    const [serverReason, clientReason] = await Promise.all([
      server.lost.asPromise(),
      client.lost.asPromise(),
    ]);
    expect(client.received.equals(big)).toBe(true);
    expect(serverReason.value).toBeInstanceOf(ConnectionDone);
    expect(clientReason.value).toBeInstanceOf(ConnectionDone);
    expect(server.transport.disconnected).toBe(true);
    expect(server.transport.connected).toBe(false);
  });

  it('writes after loseConnection are ignored (no error), and connectionLost runs once', async () => {
    const { server, client } = await connectedPair(
      newReactor(),
      () => new Recording(),
      () => new Recording(),
    );
    server.transport.write(Buffer.from('a'));
    server.transport.loseConnection();
    server.transport.write(Buffer.from('b'));
    server.transport.writeSequence([Buffer.from('c')]);
    server.transport.loseConnection();
    await client.lost.asPromise();
    await server.lost.asPromise();
    server.transport.write(Buffer.from('d'));
    await turns(3);
    expect(client.received.toString()).toBe('a');
    expect(server.events).toEqual(['made', 'lost']);
    expect(log().errors()).toEqual([]);
  });

  it('abortConnection: the protocol gets ConnectionAborted, the peer a reset (ConnectionLost)', async () => {
    const { server, client } = await connectedPair(
      newReactor(),
      () => new Recording(),
      () => new Recording(),
    );
    client.transport.abortConnection();
    client.transport.abortConnection(); // harmless
    expect((await client.lost.asPromise()).value).toBeInstanceOf(ConnectionAborted);
    const reason = await server.lost.asPromise();
    expect(reason.value).toBeInstanceOf(ConnectionLost);
    expect(reason.value).not.toBeInstanceOf(ConnectionAborted);
    expect((reason.value as ConnectionLost).osError?.code).toBe('ECONNRESET');
  });

  // Node 22.12's resetAndDestroy() closes gracefully (FIN) while a write is still queued; 24 resets.
  const resetsWithQueuedData = Number(process.versions.node.split('.')[0]) >= 24;
  it.skipIf(!resetsWithQueuedData)(
    'abortConnection with unsent data: dropped, and still a reset',
    async () => {
      const { server, client } = await connectedPair(
        newReactor(),
        () => new Recording(),
        () => new Recording(),
      );
      server.transport.pauseProducing();
      client.transport.write(Buffer.alloc(8 * 1024 * 1024));
      client.transport.abortConnection();
      expect((await client.lost.asPromise()).value).toBeInstanceOf(ConnectionAborted);
      server.transport.resumeProducing();
      const reason = await server.lost.asPromise();
      expect((reason.value as ConnectionLost).osError?.code).toBe('ECONNRESET');
      expect(server.received.length).toBeLessThan(8 * 1024 * 1024);
    },
  );

  it('a peer that closes cleanly: ConnectionDone, after our pending data was sent', async () => {
    const { server, client } = await connectedPair(
      newReactor(),
      () => new Recording(),
      () => new Recording(),
    );
    client.transport.loseConnection();
    expect((await server.lost.asPromise()).value).toBeInstanceOf(ConnectionDone);
    expect((await client.lost.asPromise()).value).toBeInstanceOf(ConnectionDone);
  });

  it('the connection stays after the port stops listening (Twisted)', async () => {
    const reactor = newReactor();
    const { server, client, port } = await connectedPair(
      reactor,
      () => new Echo(),
      () => new Recording(),
    );
    await port.stopListening();
    client.transport.write(Buffer.from('still here'));
    expect((await client.bytes(10)).toString()).toBe('still here');
    expect(server.transport.connected).toBe(true);
  });
});

describe('stopping a port', () => {
  it('stopListening twice is harmless: both Deferreds fire, the factory stops once', async () => {
    const reactor = newReactor();
    const f = Factory.forProtocol(Protocol);
    let stops = 0;
    f.stopFactory = () => {
      stops++;
    };
    f.noisy = false;
    const port = reactor.listenTCP(0, f, { interface: '127.0.0.1' });
    const a = port.stopListening();
    const b = port.stopListening();
    await Promise.all([a.asPromise(), b.asPromise()]);
    await port.stopListening();
    expect([stops, port.state, reactor.getListeningPorts()]).toEqual([1, 'stopped', []]);
  });

  it('the port number is free again once stopListening has fired', async () => {
    const reactor = newReactor();
    const f = Factory.forProtocol(Protocol);
    f.noisy = false;
    const port = reactor.listenTCP(0, f, { interface: '127.0.0.1' });
    const number = port.getHost().port;
    await port.stopListening();
    const again = reactor.listenTCP(number, f, { interface: '127.0.0.1' });
    expect(again.getHost().port).toBe(number);
  });

  it('aborting the signal stops the port; await using stops it too', async () => {
    const reactor = newReactor();
    const f = Factory.forProtocol(Protocol);
    f.noisy = false;
    const controller = new AbortController();
    const port = reactor.listenTCP(0, f, { interface: '127.0.0.1', signal: controller.signal });
    controller.abort();
    await until(() => port.state === 'stopped', 'the port to stop');
    {
      await using scoped = reactor.listenTCP(0, f, { interface: '127.0.0.1' });
      expect(scoped.state).toBe('listening');
    }
    expect(reactor.getListeningPorts()).toEqual([]);
  });
});

describe('errors in protocol callbacks (logged; the connection dropped with the error as reason)', () => {
  it('dataReceived throws', async () => {
    class Bad extends Recording {
      override dataReceived(): void {
        throw new Error('bad data');
      }
    }
    const { server, client } = await connectedPair(
      newReactor(),
      () => new Bad(),
      () => new Recording(),
    );
    client.transport.write(Buffer.from('x'));
    const reason = await server.lost.asPromise();
    expect(reason.value.message).toBe('bad data');
    expect((await client.lost.asPromise()).value).toBeInstanceOf(ConnectionDone);
    expect(
      log()
        .errors()
        .map((e) => e.why),
    ).toEqual([expect.stringMatching(/^Unhandled error in Bad,0,127\.0\.0\.1 dataReceived$/)]);
  });

  it('an async dataReceived rejects', async () => {
    class Bad extends Recording {
      override async dataReceived(): Promise<void> {
        await Promise.resolve();
        throw new Error('async bad data');
      }
    }
    const { server, client } = await connectedPair(
      newReactor(),
      () => new Bad(),
      () => new Recording(),
    );
    client.transport.write(Buffer.from('x'));
    expect((await server.lost.asPromise()).value.message).toBe('async bad data');
    await client.lost.asPromise();
    expect(log().errors()).toHaveLength(1);
  });

  it('connectionMade throws (server side)', async () => {
    class Bad extends Recording {
      override connectionMade(): void {
        super.connectionMade();
        throw new Error('no hello');
      }
    }
    const reactor = newReactor();
    const factory = new ServerRecorder(() => new Bad());
    const port = reactor.listenTCP(0, factory, { interface: '127.0.0.1' });
    const socket = net.connect(port.getHost().port, '127.0.0.1');
    const closed = new Promise((r) => socket.on('close', r));
    socket.on('error', () => {});
    const bad = await factory.nth(0);
    expect((await bad.lost.asPromise()).value.message).toBe('no hello');
    await closed;
    expect(log().errors()).toHaveLength(1);
  });

  it('connectionLost throws: logged, nothing else', async () => {
    class Bad extends Recording {
      override connectionLost(reason: Failure): void {
        super.connectionLost(reason);
        throw new Error('bye failed');
      }
    }
    const { server, client } = await connectedPair(
      newReactor(),
      () => new Bad(),
      () => new Recording(),
    );
    client.transport.loseConnection();
    await server.lost.asPromise();
    await turns(2);
    expect(
      log()
        .errors()
        .map((e) => e.why),
    ).toEqual([expect.stringContaining('connectionLost')]);
  });
});

describe('the factory', () => {
  it('buildProtocol returning undefined closes the connection at once', async () => {
    const reactor = newReactor();
    class Refusing extends Factory {
      override buildProtocol(): undefined {
        return undefined;
      }
    }
    const f = new Refusing();
    f.noisy = false;
    const port = reactor.listenTCP(0, f, { interface: '127.0.0.1' });
    const socket = net.connect(port.getHost().port, '127.0.0.1');
    socket.on('error', () => {});
    await new Promise((r) => socket.on('close', r));
    expect(reactor.getConnections()).toEqual([]);
  });

  it('buildProtocol returning a non-protocol: a TypeError naming it is logged, the connection closed', async () => {
    const reactor = newReactor();
    class Wrong extends Factory {
      override buildProtocol(): never {
        return { hello: 1 } as never;
      }
    }
    const f = new Wrong();
    f.noisy = false;
    const port = reactor.listenTCP(0, f, { interface: '127.0.0.1' });
    const socket = net.connect(port.getHost().port, '127.0.0.1');
    socket.on('error', () => {});
    await new Promise((r) => socket.on('close', r));
    const [event] = log().errors();
    expect(event.failure?.value.message).toMatch(/Wrong\.buildProtocol\(\) return value.*makeConnection\(\)/);
  });

  it('buildProtocol throwing: logged, the connection closed, the port goes on', async () => {
    const reactor = newReactor();
    let calls = 0;
    class Flaky extends Factory {
      override buildProtocol(): Protocol {
        if (calls++ === 0) throw new Error('no protocol for you');
        const p = new Echo();
        p.factory = this;
        return p;
      }
    }
    const f = new Flaky();
    f.noisy = false;
    const port = reactor.listenTCP(0, f, { interface: '127.0.0.1' });
    const first = net.connect(port.getHost().port, '127.0.0.1');
    first.on('error', () => {});
    await new Promise((r) => first.on('close', r));
    const second = net.connect(port.getHost().port, '127.0.0.1');
    second.write('ping');
    const echoed = await new Promise<Buffer>((r) => second.once('data', r));
    second.destroy();
    expect(echoed.toString()).toBe('ping');
    expect(log().errors()).toHaveLength(1);
  });

  it('the factory is started with the port and stopped with it; logged as Twisted does', async () => {
    const reactor = newReactor();
    const f = Factory.forProtocol(Echo);
    const port = reactor.listenTCP(0, f, { interface: '127.0.0.1' });
    expect(f.numPorts).toBe(1);
    const second = reactor.listenTCP(0, f, { interface: '127.0.0.1' });
    expect(f.numPorts).toBe(2);
    await port.stopListening();
    expect(f.numPorts).toBe(1);
    await second.stopListening();
    expect(f.numPorts).toBe(0);
    const messages = log().messages();
    expect(messages).toContain(`Factory starting on ${port.getHost().port}`);
    expect(messages).toContain('Starting factory <Factory>');
    expect(messages).toContain(`(TCP Port ${port.getHost().port} Closed)`);
    expect(messages.at(-1)).toBe('Stopping factory <Factory>');
  });
});

describe('half-close (IHalfCloseableProtocol)', () => {
  class HalfClose extends Recording {
    readonly half: string[] = [];
    readConnectionLost(): void {
      this.half.push('read');
      this.transport.write(Buffer.from('after your FIN'));
      this.transport.loseConnection();
    }
    writeConnectionLost(): void {
      this.half.push('write');
    }
  }

  it("the peer's FIN reaches readConnectionLost; the half-close protocol can still write", async () => {
    const { server, client } = await connectedPair(
      newReactor(),
      () => new HalfClose(),
      () => new HalfClose(),
    );
    client.transport.write(Buffer.from('request'));
    client.transport.loseWriteConnection();
    await until(() => client.half.includes('write'), 'writeConnectionLost');
    expect((await client.bytes(14)).toString()).toBe('after your FIN');
    expect(server.half).toEqual(['read']);
    expect(server.received.toString()).toBe('request');
    expect((await server.lost.asPromise()).value).toBeInstanceOf(ConnectionDone);
    expect((await client.lost.asPromise()).value).toBeInstanceOf(ConnectionDone);
  });

  it('a protocol without the half-close methods: the peer FIN ends the connection (ConnectionDone)', async () => {
    const { server, client } = await connectedPair(
      newReactor(),
      () => new Recording(),
      () => new HalfClose(),
    );
    client.transport.loseWriteConnection();
    expect((await server.lost.asPromise()).value).toBeInstanceOf(ConnectionDone);
    await until(() => client.half.includes('read'), "the server's FIN at the client");
  });

  it('both directions half-closed: the connection closes by itself (ConnectionDone)', async () => {
    class Quiet extends HalfClose {
      override readConnectionLost(): void {
        this.half.push('read');
      }
    }
    const { server, client } = await connectedPair(
      newReactor(),
      () => new Quiet(),
      () => new Quiet(),
    );
    client.transport.loseWriteConnection();
    await until(() => server.half.includes('read'), "the client's FIN");
    server.transport.loseWriteConnection();
    expect((await server.lost.asPromise()).value).toBeInstanceOf(ConnectionDone);
    expect((await client.lost.asPromise()).value).toBeInstanceOf(ConnectionDone);
    expect(server.half).toEqual(['read', 'write']);
  });

  it('writes after loseWriteConnection are ignored', async () => {
    const { server, client } = await connectedPair(
      newReactor(),
      () => new HalfClose(),
      () => new HalfClose(),
    );
    client.transport.write(Buffer.from('a'));
    client.transport.loseWriteConnection();
    client.transport.write(Buffer.from('b'));
    await until(() => server.half.includes('read'), 'readConnectionLost');
    expect(server.received.toString()).toBe('a');
  });
});

describe('transport details', () => {
  it('TCP_NODELAY and keep-alive are set on the socket and reported back', async () => {
    const { client } = await connectedPair(
      newReactor(),
      () => new Recording(),
      () => new Recording(),
    );
    expect([client.transport.getTcpNoDelay(), client.transport.getTcpKeepAlive()]).toEqual([false, false]);
    client.transport.setTcpNoDelay(true);
    client.transport.setTcpKeepAlive(true);
    expect([client.transport.getTcpNoDelay(), client.transport.getTcpKeepAlive()]).toEqual([true, true]);
    expect(() => client.transport.setTcpNoDelay('yes' as unknown as boolean)).toThrow(TypeError);
  });

  it('getHandle is the net.Socket; logPrefix names protocol, session and peer (Twisted logstr)', async () => {
    const { server, client } = await connectedPair(
      newReactor(),
      () => new Recording(),
      () => new Recording(),
    );
    const conn = server.transport as unknown as Connection;
    expect(conn.getHandle()).toBeInstanceOf(net.Socket);
    expect(server.transport.logPrefix()).toBe('Recording,0,127.0.0.1');
    expect(client.transport.logPrefix()).toBe('Recording,client');
    expect(String(conn)).toBe('<Connection Recording,0,127.0.0.1 open>');
    expect([conn.side, (client.transport as unknown as Connection).side]).toEqual(['server', 'client']);
  });

  it('write refuses strings with a TypeError naming "data"', async () => {
    const { client } = await connectedPair(
      newReactor(),
      () => new Recording(),
      () => new Recording(),
    );
    expect(() => client.transport.write('text' as unknown as Buffer)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE', message: expect.stringContaining('"data"') }),
    );
  });

  it('pauseProducing stops reading (the peer backs up); resumeProducing delivers the rest', async () => {
    const { server, client } = await connectedPair(
      newReactor(),
      () => new Recording(),
      () => new Recording(),
    );
    server.transport.pauseProducing();
    const total = 8 * 1024 * 1024;
    client.transport.write(Buffer.alloc(total, 1));
    await turns(20);
    expect(server.received.length).toBeLessThan(total);
    const socket = (client.transport as unknown as Connection).getHandle();
    await until(() => socket.writableLength > 0, 'the writer to back up');
    server.transport.resumeProducing();
    expect((await server.bytes(total)).length).toBe(total);
  });

  it('a connection is in the reactor registry while open, and not after', async () => {
    const reactor = newReactor();
    const { server, client } = await connectedPair(
      reactor,
      () => new Recording(),
      () => new Recording(),
    );
    expect(reactor.getConnections()).toHaveLength(2);
    client.transport.loseConnection();
    await Promise.all([server.lost.asPromise(), client.lost.asPromise()]);
    expect(reactor.getConnections()).toEqual([]);
  });
});
