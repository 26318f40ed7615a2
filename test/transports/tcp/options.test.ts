/**
 * Every argument of listenTCP, connectTCP, listenUNIX and connectUNIX checked at the door, with a
 * typed error naming it, before anything is bound or connected (src/transports/tcp/*-options.ts,
 * stream-checks.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidAddressError } from '../../../src/errors.ts';
import { ClientFactory } from '../../../src/protocols/client-factory.ts';
import { Factory } from '../../../src/protocols/factory.ts';
import { Protocol } from '../../../src/protocols/protocol.ts';
import type { Reactor } from '../../../src/reactor/reactor.ts';
import { captureLog, cleanup, newReactor } from './helpers.ts';

let log: ReturnType<typeof captureLog>;
let reactor: Reactor;
beforeEach(() => {
  log = captureLog();
  reactor = newReactor();
});
afterEach(async () => {
  expect(reactor.getListeningPorts()).toEqual([]); // a refused call left nothing behind
  expect(reactor.getConnections()).toEqual([]);
  await cleanup();
  log.stop();
});

const server = (): Factory => {
  const f = Factory.forProtocol(Protocol);
  f.noisy = false;
  return f;
};
const client = (): ClientFactory => {
  const f = ClientFactory.forProtocol(Protocol);
  f.noisy = false;
  return f;
};

type Case = [string, () => unknown, RegExp | (new (...a: never[]) => Error), string?];

const listenTCP =
  (...a: unknown[]) =>
  () =>
    (reactor.listenTCP as (...x: unknown[]) => unknown)(...a);
const connectTCP =
  (...a: unknown[]) =>
  () =>
    (reactor.connectTCP as (...x: unknown[]) => unknown)(...a);
const listenUNIX =
  (...a: unknown[]) =>
  () =>
    (reactor.listenUNIX as (...x: unknown[]) => unknown)(...a);
const connectUNIX =
  (...a: unknown[]) =>
  () =>
    (reactor.connectUNIX as (...x: unknown[]) => unknown)(...a);

describe('listenTCP', () => {
  const cases: Case[] = [
    ['port -1', () => listenTCP(-1, server())(), /"port" is out of range/],
    ['port 65536', () => listenTCP(65536, server())(), /"port" is out of range/],
    ['port NaN', () => listenTCP(NaN, server())(), /"port" is out of range/],
    ["port '80'", () => listenTCP('80', server())(), /"port" argument must be of type number/],
    [
      'a factory that is not one',
      () => listenTCP(0, {})(),
      /"factory" argument must be a protocol factory.*buildProtocol/,
    ],
    ['a protocol class instead of a factory', () => listenTCP(0, Protocol)(), /"factory"/],
    ['backlog -1', () => listenTCP(0, server(), -1)(), /"backlog" is out of range/],
    ['backlog 1.5', () => listenTCP(0, server(), 1.5)(), /"backlog" is out of range/],
    ['options.backlog', () => listenTCP(0, server(), { backlog: '5' })(), /"options.backlog"/],
    ['a host name as interface', () => listenTCP(0, server(), 50, 'localhost')(), InvalidAddressError],
    ['options.interface a number', () => listenTCP(0, server(), { interface: 1 })(), /"options.interface"/],
    ['options.reusePort 1', () => listenTCP(0, server(), { reusePort: 1 })(), /"options.reusePort"/],
    [
      'an unknown option',
      () => listenTCP(0, server(), { interfce: '127.0.0.1' })(),
      /"interfce" is not one of them/,
    ],
    ['options.signal not a signal', () => listenTCP(0, server(), { signal: {} })(), /"options.signal"/],
    ['an aborted signal', () => listenTCP(0, server(), { signal: AbortSignal.abort() })(), /aborted/],
  ];
  it.each(cases)('%s', (_name, call, expected) => {
    expect(call).toThrow(expected as RegExp);
  });

  it('a refused factory is not started', () => {
    const f = server();
    expect(() => reactor.listenTCP(0, f, { interface: 'example.test' })).toThrow(InvalidAddressError);
    expect(f.numPorts).toBe(0);
  });
});

describe('connectTCP', () => {
  const cases: Case[] = [
    ['an empty host', () => connectTCP('', 80, client())(), /"host" is invalid/],
    [
      'a host that is not a string',
      () => connectTCP(127001, 80, client())(),
      /"host" argument must be of type string/,
    ],
    ['port 0', () => connectTCP('127.0.0.1', 0, client())(), /"port" is out of range. It must be >= 1/],
    [
      'a server factory (no clientConnectionFailed)',
      () => connectTCP('127.0.0.1', 80, server())(),
      /"factory".*startedConnecting/,
    ],
    ['timeout 0', () => connectTCP('127.0.0.1', 80, client(), 0)(), /"timeout" is out of range/],
    ['timeout -1', () => connectTCP('127.0.0.1', 80, client(), -1)(), /"timeout" is out of range/],
    ['timeout NaN', () => connectTCP('127.0.0.1', 80, client(), NaN)(), /"timeout" is out of range/],
    ["timeout '30'", () => connectTCP('127.0.0.1', 80, client(), { timeout: '30' })(), /"options.timeout"/],
    [
      'bindAddress not a tuple',
      () => connectTCP('127.0.0.1', 80, client(), 30, '127.0.0.1')(),
      /"bindAddress" argument must be a \[host, port\] tuple/,
    ],
    [
      'bindAddress with a name',
      () => connectTCP('127.0.0.1', 80, client(), 30, ['localhost', 0])(),
      InvalidAddressError,
    ],
    [
      'bindAddress port 70000',
      () => connectTCP('127.0.0.1', 80, client(), { bindAddress: ['', 70000] })(),
      /"options.bindAddress\[1\]"/,
    ],
    [
      'an unknown option',
      () => connectTCP('127.0.0.1', 80, client(), { tiemout: 1 })(),
      /"tiemout" is not one of them/,
    ],
  ];
  it.each(cases)('%s', (_name, call, expected) => {
    expect(call).toThrow(expected as RegExp);
  });

  it('Infinity is no timeout', () => {
    const f = client();
    const c = reactor.connectTCP('127.0.0.1', 9, f, Infinity);
    c.stopConnecting();
  });
});

describe('listenUNIX and connectUNIX', () => {
  const long = `/tmp/${'x'.repeat(200)}`;
  const cases: Case[] = [
    ['an empty path', () => listenUNIX('', server())(), /"address" is invalid/],
    ['a path too long for sun_path', () => listenUNIX(long, server())(), /"address.length" is out of range/],
    ['a NUL inside a path', () => listenUNIX('/tmp/a\0b', server())(), /NUL/],
    ['mode 0o10000', () => listenUNIX('/tmp/x.sock', server(), 50, 0o10000)(), /"mode" is out of range/],
    [
      'wantPID 1',
      () => listenUNIX('/tmp/x.sock', server(), 50, 0o666, 1)(),
      /"wantPID" argument must be of type boolean/,
    ],
    ['options.mode', () => listenUNIX('/tmp/x.sock', server(), { mode: '666' })(), /"options.mode"/],
    ['a factory that is not one', () => listenUNIX('/tmp/x.sock', null)(), /"factory"/],
    ['connect: checkPID 1', () => connectUNIX('/tmp/x.sock', client(), 30, 1)(), /"checkPID"/],
    [
      'connect: an unknown option',
      () => connectUNIX('/tmp/x.sock', client(), { check: true })(),
      /"check" is not one of them/,
    ],
  ];
  it.each(cases)('%s', (_name, call, expected) => {
    expect(call).toThrow(expected as RegExp);
  });
});
