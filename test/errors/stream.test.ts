/**
 * The stream errors (src/errors/stream.ts): Twisted's hierarchy from twisted.internet.error,
 * the messages (Twisted's text when none is given), the OS error's fields kept, and the classes
 * that were there before streams (TimeoutError, DNSLookupError, ConnectionRefusedError) kept
 * with their codes under their new parents.
 */
import { describe, expect, it } from 'vitest';
import * as errors from '../../src/errors.ts';
import {
  BadFileError,
  ConnectBindError,
  ConnectError,
  ConnectionAborted,
  ConnectionClosed,
  ConnectionDone,
  ConnectionLost,
  ConnectionRefusedError,
  DNSLookupError,
  NoRouteError,
  NotConnectingError,
  ProducerStateError,
  TCPTimedOutError,
  TimeoutError,
  TLSError,
  TwistedError,
  UserError,
} from '../../src/errors.ts';
import { Deferred } from '../../src/defer/deferred.ts';
import { Clock } from '../../src/task/clock.ts';

function refused(): NodeJS.ErrnoException & { address: string; port: number } {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), {
    code: 'ECONNREFUSED',
    errno: -111,
    syscall: 'connect',
    address: '127.0.0.1',
    port: 9,
  });
}

describe("Twisted's hierarchy", () => {
  it.each([
    [ConnectionDone, ConnectionClosed],
    [ConnectionLost, ConnectionClosed],
    [ConnectionAborted, ConnectionLost],
    [ConnectionRefusedError, ConnectError],
    [DNSLookupError, ConnectError],
    [NoRouteError, ConnectError],
    [TCPTimedOutError, ConnectError],
    [ConnectBindError, ConnectError],
    [BadFileError, ConnectError],
    [TLSError, ConnectError],
    [UserError, ConnectError],
    [TimeoutError, UserError],
  ])('%o is a %o', (Sub, Base) => {
    const e = new Sub();
    expect(e).toBeInstanceOf(Base);
    expect(e).toBeInstanceOf(TwistedError);
    expect(e.name).toBe(Sub.name);
  });

  it('a clean close is not a lost connection, and connection errors are not close reasons', () => {
    expect(new ConnectionDone()).not.toBeInstanceOf(ConnectionLost);
    expect(new ConnectionAborted()).toBeInstanceOf(ConnectionClosed);
    expect(new ConnectionLost()).not.toBeInstanceOf(ConnectError);
    expect(new TimeoutError()).toBeInstanceOf(ConnectError);
    expect(new TimeoutError()).not.toBeInstanceOf(ConnectionClosed);
    expect(new NotConnectingError()).not.toBeInstanceOf(ConnectError);
    expect(new ProducerStateError()).toBeInstanceOf(TwistedError);
  });

  it('the errors that existed before streams keep their codes', () => {
    expect(new TimeoutError().code).toBe('ERR_TIMEOUT');
    expect(new DNSLookupError().code).toBe('ERR_DNS_LOOKUP');
    expect(new ConnectionRefusedError().code).toBe('ERR_CONNECTION_REFUSED');
  });

  it('every class has its own stable code', () => {
    const codes = [
      ConnectionClosed,
      ConnectionDone,
      ConnectionLost,
      ConnectionAborted,
      ConnectError,
      ConnectionRefusedError,
      DNSLookupError,
      NoRouteError,
      TCPTimedOutError,
      ConnectBindError,
      BadFileError,
      UserError,
      TimeoutError,
      TLSError,
      NotConnectingError,
      ProducerStateError,
    ].map((E) => new E().code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes).toContain('ERR_CONNECTION_DONE');
    expect(codes).toContain('ERR_USER_ABORTED');
  });

  it('Failure.trap matches by the hierarchy, as in Twisted', async () => {
    const { Failure } = await import('../../src/failure.ts');
    const f = new Failure(new ConnectionAborted());
    expect(f.check(ConnectionLost)).toBe(ConnectionLost);
    expect(f.check(ConnectionDone)).toBeUndefined();
    expect(() => new Failure(new TimeoutError()).trap(ConnectError)).not.toThrow();
  });
});

describe('messages', () => {
  it("without a message: Twisted's text for the class", () => {
    expect(new ConnectionDone().message).toBe('Connection was closed cleanly.');
    expect(new ConnectionLost().message).toBe(
      'Connection to the other side was lost in a non-clean fashion.',
    );
    expect(new ConnectionAborted().message).toBe(
      'Connection was aborted locally using ITCPTransport.abortConnection.',
    );
    expect(new ConnectionRefusedError().message).toBe('Connection was refused by other side.');
    expect(new UserError().message).toBe('User aborted connection.');
    expect(new TimeoutError().message).toBe('User timeout caused connection failure.');
    expect(new ConnectError().message).toBe('An error occurred while connecting.');
  });

  it("with an OS error and no message: Twisted's text, then the OS error", () => {
    const e = new ConnectionRefusedError(undefined, { osError: refused() });
    expect(e.message).toBe('Connection was refused by other side: connect ECONNREFUSED 127.0.0.1:9.');
    const reset = Object.assign(new Error('read error'), { code: 'ECONNRESET', syscall: 'read' });
    expect(new ConnectionLost(undefined, { osError: reset }).message).toBe(
      'Connection to the other side was lost in a non-clean fashion: ECONNRESET: read error.',
    );
  });

  it('a message given is the whole message', () => {
    expect(new TimeoutError('Deferred timed out after 1 seconds').message).toBe(
      'Deferred timed out after 1 seconds',
    );
  });
});

describe("the OS error's fields", () => {
  it('ConnectError keeps osError and copies errno, syscall, address and port; cause defaults to it', () => {
    const os = refused();
    const e = new ConnectionRefusedError(undefined, { osError: os });
    expect(e.osError).toBe(os);
    expect(e.osError?.code).toBe('ECONNREFUSED');
    expect(e.code).toBe('ERR_CONNECTION_REFUSED');
    expect([e.errno, e.syscall, e.address, e.port]).toEqual([-111, 'connect', '127.0.0.1', 9]);
    expect(e.cause).toBe(os);
  });

  it('ConnectionLost keeps the reset that caused it', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), {
      code: 'ECONNRESET',
      errno: -104,
      syscall: 'read',
    });
    const e = new ConnectionLost(undefined, { osError: reset });
    expect(e.osError).toBe(reset);
    expect([e.errno, e.syscall]).toEqual([-104, 'read']);
  });

  it('a cause that is not an OS error is kept as cause only', () => {
    const thrown = new Error('dataReceived blew up');
    const e = new ConnectionLost('dataReceived threw', { cause: thrown });
    expect(e.cause).toBe(thrown);
    expect(e.osError).toBeUndefined();
  });

  it('without options there is no osError and no cause', () => {
    const e = new ConnectError();
    expect(e.osError).toBeUndefined();
    expect(e.cause).toBeUndefined();
    expect(e.errno).toBeUndefined();
  });
});

describe('TimeoutError is the class addTimeout fails with (as in current Twisted)', () => {
  it('addTimeout → TimeoutError, a UserError and a ConnectError', () => {
    const clock = new Clock();
    const d = new Deferred<void>();
    d.addTimeout(1, clock);
    let reason: unknown;
    d.addErrback((f) => {
      reason = f.value;
    });
    clock.advance(1);
    expect(reason).toBeInstanceOf(errors.TimeoutError);
    expect(reason).toBeInstanceOf(UserError);
    expect((reason as Error).message).toBe('Deferred timed out after 1 seconds');
  });
});
