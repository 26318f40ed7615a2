import { describe, expect, it } from 'vitest';
import { AlreadyListeningError } from '../../src/errors.ts';
import type { IUDPTransport } from '../../src/interfaces.ts';
import { AbstractDatagramProtocol } from '../../src/protocols/abstract-datagram-protocol.ts';
import { ConnectedDatagramProtocol } from '../../src/protocols/connected-datagram-protocol.ts';
import { DatagramProtocol } from '../../src/protocols/datagram-protocol.ts';
import * as protocols from '../../src/protocols/index.ts';
import { captureLog } from '../transports/helpers.ts';

// These tests drive the protocol the way a port does, without a socket; the socket-level
// behaviour (startProtocol inside listenUDP, stopProtocol after the close) is covered in
// test/transports.

/** Stands in for a port: the protocol only stores it and hands it back. */
const fakeTransport = (name: string): IUDPTransport => ({ toString: () => name }) as unknown as IUDPTransport;

class Counting extends DatagramProtocol {
  calls: string[] = [];
  override startProtocol(): void {
    this.calls.push(`start(numPorts=${this.numPorts})`);
  }
  override stopProtocol(): void {
    this.calls.push(`stop(numPorts=${this.numPorts})`);
  }
}

describe('AbstractDatagramProtocol / DatagramProtocol', () => {
  it('has Twisted’s defaults', () => {
    const p = new DatagramProtocol();
    expect(p.transport).toBeUndefined();
    expect(p.numPorts).toBe(0);
    expect(p.noisy).toBe(true);
    expect(p.logPrefix()).toBe('DatagramProtocol');
    expect(() => p.datagramReceived(Buffer.from('x'), ['127.0.0.1', 1])).not.toThrow();
    expect(() => p.connectionRefused()).not.toThrow();
  });

  it('logPrefix() is the class name of a subclass', () => {
    class Echo extends DatagramProtocol {}
    expect(new Echo().logPrefix()).toBe('Echo');
  });

  it('makeConnection sets the transport and starts the protocol', () => {
    const p = new Counting();
    const t = fakeTransport('T');
    p.makeConnection(t);
    expect(p.transport).toBe(t);
    expect(p.numPorts).toBe(1);
    expect(p.calls).toEqual(['start(numPorts=0)']);
  });

  it('makeConnection while it has a transport throws AlreadyListeningError and changes nothing', () => {
    const p = new Counting();
    const first = fakeTransport('<first port>');
    p.makeConnection(first);
    expect(() => p.makeConnection(fakeTransport('second'))).toThrow(AlreadyListeningError);
    expect(() => p.makeConnection(fakeTransport('second'))).toThrow(
      /already has a transport \(<first port>\)/,
    );
    expect(p.transport).toBe(first);
    expect(p.numPorts).toBe(1);
    expect(p.calls).toEqual(['start(numPorts=0)']);
  });

  it('startProtocol runs on the first doStart only, stopProtocol on the last doStop', () => {
    const p = new Counting();
    p.doStart();
    p.doStart();
    expect(p.numPorts).toBe(2);
    p.doStop();
    expect(p.calls).toEqual(['start(numPorts=0)']);
    p.doStop();
    expect(p.numPorts).toBe(0);
    expect(p.calls).toEqual(['start(numPorts=0)', 'stop(numPorts=0)']);
  });

  it('doStop forgets the transport, so the protocol can start again', () => {
    const p = new Counting();
    p.makeConnection(fakeTransport('a'));
    p.doStop();
    expect(p.transport).toBeUndefined();
    p.makeConnection(fakeTransport('b'));
    expect(p.calls).toEqual(['start(numPorts=0)', 'stop(numPorts=0)', 'start(numPorts=0)']);
  });

  it('doStop with no port running it throws', () => {
    expect(() => new Counting().doStop()).toThrow(/numPorts is 0/);
  });

  it('a throwing startProtocol leaves numPorts at 0', () => {
    class Bad extends DatagramProtocol {
      override startProtocol(): void {
        throw new Error('nope');
      }
    }
    const p = new Bad();
    expect(() => p.doStart()).toThrow('nope');
    expect(p.numPorts).toBe(0);
  });

  it('a noisy protocol logs starting and stopping; a quiet one does not', () => {
    const log = captureLog();
    try {
      const noisy = new Counting();
      noisy.doStart();
      noisy.doStop();
      const quiet = new Counting();
      quiet.noisy = false;
      quiet.doStart();
      quiet.doStop();
      expect(log.messages()).toEqual(['Starting protocol Counting', 'Stopping protocol Counting']);
    } finally {
      log.stop();
    }
  });

  it('AbstractDatagramProtocol has logPrefix and the lifecycle too (the interface needs them)', () => {
    const p = new AbstractDatagramProtocol();
    expect(p.logPrefix()).toBe('AbstractDatagramProtocol');
    p.makeConnection(fakeTransport('x'));
    expect(p.numPorts).toBe(1);
  });
});

describe('ConnectedDatagramProtocol', () => {
  it('is a DatagramProtocol with connectionRefused and connectionFailed', () => {
    const p = new ConnectedDatagramProtocol();
    expect(p).toBeInstanceOf(DatagramProtocol);
    expect(typeof p.connectionRefused).toBe('function');
    expect(typeof p.connectionFailed).toBe('function');
    expect(p.logPrefix()).toBe('ConnectedDatagramProtocol');
  });
});

describe('the folder index', () => {
  it('exports the three datagram classes', () => {
    expect(Object.keys(protocols)).toEqual(
      expect.arrayContaining(['AbstractDatagramProtocol', 'ConnectedDatagramProtocol', 'DatagramProtocol']),
    );
  });
});
