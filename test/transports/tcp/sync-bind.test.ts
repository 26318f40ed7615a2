/**
 * DESIGN.md decision 9, guarded: listenTCP and listenUNIX return a bound, listening port, or
 * throw CannotListenError, inside the call — whatever the interface literal, on both of the
 * ways a TCP socket is bound (Node's public net.BoundSocket where it exists, and
 * net._createServerHandle on older Nodes; src/transports/tcp/bind-server.ts), and for listen(2)
 * failures too. Also guarded: the reason this machinery exists — Node's own listen() with a
 * host binds on a later turn.
 */
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CannotListenError } from '../../../src/errors.ts';
import { Factory } from '../../../src/protocols/factory.ts';
import { Protocol } from '../../../src/protocols/protocol.ts';
import { defaultTcpBindPath } from '../../../src/transports/tcp/bind-server.ts';
import type { TcpBindPath } from '../../../src/transports/tcp/bind-server.ts';
import { listenTCP } from '../../../src/transports/tcp/listen-tcp.ts';
import { canBind } from '../../support/can-bind.ts';
import { captureLog, cleanup, newReactor } from './helpers.ts';

const hasIPv6 = await canBind('udp6', 0, '::1');
const factory = (): Factory => {
  const f = Factory.forProtocol(Protocol);
  f.noisy = false;
  return f;
};
let log: ReturnType<typeof captureLog>;
let dir: string;
beforeAll(() => {
  log = captureLog();
  dir = mkdtempSync(join(tmpdir(), 'tt-bind-'));
});
afterAll(() => {
  log.stop();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(cleanup);

it("Node's own listen() with a host literal is not bound when it returns (why bind-server.ts exists)", async () => {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  expect(server.listening).toBe(false);
  await new Promise((r) => server.once('listening', r));
  server.close();
});

const paths: TcpBindPath[] = ['BoundSocket', 'createServerHandle'];
const available = (path: TcpBindPath): boolean =>
  path === 'createServerHandle' || typeof (net as { BoundSocket?: unknown }).BoundSocket === 'function';

it(`this Node binds with ${defaultTcpBindPath}`, () => {
  expect(paths).toContain(defaultTcpBindPath);
});

describe.each(paths)('binding with %s', (path) => {
  it.skipIf(!available(path))(
    'port 0 on 127.0.0.1: bound and listening on return, the real port known',
    () => {
      const reactor = newReactor();
      const port = listenTCP(reactor, 0, factory(), 50, '127.0.0.1', path);
      const host = port.getHost();
      expect(host.type).toBe('TCP');
      expect(host.host).toBe('127.0.0.1');
      expect(host.port).toBeGreaterThan(0);
      expect(reactor.getListeningPorts()).toContain(port);
    },
  );

  it.skipIf(!available(path))("'' binds all IPv4 interfaces (0.0.0.0), as Twisted", () => {
    const port = listenTCP(newReactor(), 0, factory(), 50, '', path);
    expect(port.getHost().host).toBe('0.0.0.0');
    expect(port.getHost().constructor.name).toBe('IPv4Address');
  });

  it.skipIf(!available(path) || !hasIPv6)('an IPv6 literal makes an IPv6 port', () => {
    const port = listenTCP(newReactor(), 0, factory(), 50, '::1', path);
    expect(port.getHost().toString()).toMatch(/^IPv6Address\(type='TCP', host='::1', port=\d+\)$/);
  });

  it.skipIf(!available(path))(
    'EADDRINUSE is thrown inside the call as CannotListenError with the OS error',
    () => {
      const reactor = newReactor();
      const first = listenTCP(reactor, 0, factory(), 50, '127.0.0.1', path);
      const taken = first.getHost().port;
      let error: unknown;
      try {
        listenTCP(reactor, taken, factory(), 50, '127.0.0.1', path);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CannotListenError);
      const e = error as CannotListenError;
      expect([e.interface, e.port, e.socketError.code]).toEqual(['127.0.0.1', taken, 'EADDRINUSE']);
      expect(e.message).toMatch(new RegExp(`^Couldn't listen on 127\\.0\\.0\\.1:${taken}: EADDRINUSE: `));
      expect(e.message).toContain('reusePort');
      expect(reactor.getListeningPorts()).toEqual([first]); // nothing half-made stays registered
    },
  );

  it.skipIf(!available(path))(
    'a port held by a plain node:net listener is refused too (listen-time conflict)',
    async () => {
      const other = net.createServer();
      await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
      const taken = (other.address() as net.AddressInfo).port;
      try {
        expect(() => listenTCP(newReactor(), taken, factory(), 50, '127.0.0.1', path)).toThrow(
          CannotListenError,
        );
      } finally {
        other.close();
      }
    },
  );

  it.skipIf(!available(path))('an address this host does not have: EADDRNOTAVAIL, thrown', () => {
    let error: CannotListenError | undefined;
    try {
      listenTCP(newReactor(), 0, factory(), 50, '192.0.2.1', path);
    } catch (e) {
      error = e as CannotListenError;
    }
    expect(error).toBeInstanceOf(CannotListenError);
    expect(error?.socketError.code).toBe('EADDRNOTAVAIL');
  });

  it.skipIf(!available(path))('reusePort: two ports share one address', () => {
    const reactor = newReactor();
    const a = listenTCP(reactor, 0, factory(), { interface: '127.0.0.1', reusePort: true }, undefined, path);
    const b = listenTCP(
      reactor,
      a.getHost().port,
      factory(),
      { interface: '127.0.0.1', reusePort: true },
      undefined,
      path,
    );
    expect(b.getHost().port).toBe(a.getHost().port);
  });
});

describe('listenUNIX', () => {
  it('bound and listening on return; a second listener on the live path throws at once', () => {
    const reactor = newReactor();
    const path = join(dir, 'sync.sock');
    const port = reactor.listenUNIX(path, factory());
    expect(port.getHost().name).toBe(path);
    let error: CannotListenError | undefined;
    try {
      reactor.listenUNIX(path, factory());
    } catch (e) {
      error = e as CannotListenError;
    }
    expect(error).toBeInstanceOf(CannotListenError);
    expect(error?.path).toBe(path);
    expect(error?.socketError.code).toBe('EADDRINUSE');
    expect(error?.message).toContain('a live server listens on this socket path');
  });
});
