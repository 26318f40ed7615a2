import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import * as errors from '../src/errors.ts';
import { TwistedError } from '../src/errors.ts';

type ErrorClass = new (...args: never[]) => TwistedError;

/** Every error class the module exports, with arguments that construct it. */
const construct: Record<string, (E: ErrorClass) => TwistedError> = {
  CannotListenError: (E) =>
    new (E as unknown as typeof errors.CannotListenError)(
      '127.0.0.1',
      53,
      Object.assign(new Error('bind EACCES'), { code: 'EACCES', errno: -13, syscall: 'bind' }),
    ),
  InvalidAddressError: (E) =>
    new (E as unknown as typeof errors.InvalidAddressError)('example.com', 'not an IP'),
  MulticastJoinError: (E) =>
    new (E as unknown as typeof errors.MulticastJoinError)('10.0.0.1', '', 'not multicast'),
  SystemExit: (E) => new (E as unknown as typeof errors.SystemExit)(3),
  FirstError: (E) =>
    new (E as unknown as typeof errors.FirstError)(
      { value: new Error('sub') } as unknown as errors.FirstError['subFailure'],
      2,
    ),
  FailureGroup: (E) => new (E as unknown as typeof errors.FailureGroup)([]),
};

const classes = (Object.entries(errors) as [string, unknown][]).filter(
  (entry): entry is [string, ErrorClass] =>
    typeof entry[1] === 'function' &&
    (entry[1] === TwistedError ||
      Object.prototype.isPrototypeOf.call(TwistedError.prototype, (entry[1] as ErrorClass).prototype)),
);

function make(name: string, E: ErrorClass): TwistedError {
  return (
    construct[name] ?? ((C: ErrorClass) => new (C as unknown as new (m: string) => TwistedError)('msg'))
  )(E);
}

describe('every error class', () => {
  it('there are error classes to test', () => {
    expect(classes.map(([n]) => n)).toEqual(
      expect.arrayContaining(['TwistedError', 'CancelledError', 'FirstError']),
    );
  });

  it.each(classes)('%s: an Error and a TwistedError with its own name and an ERR_ code', (name, E) => {
    const err = make(name, E);
    expect(err).toBeInstanceOf(Error);
    expect(err).toBeInstanceOf(TwistedError);
    expect(err).toBeInstanceOf(E);
    expect(err.name).toBe(name);
    expect(err.code).toMatch(/^ERR_[A-Z_]+$/);
    expect(err.stack).toContain(name);
  });

  it('codes are unique', () => {
    const codes = classes.map(([name, E]) => make(name, E).code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('a class is not an instance of a sibling, and the base is not an instance of a subclass', () => {
    expect(new errors.CancelledError()).not.toBeInstanceOf(errors.TimeoutError);
    expect(new errors.TwistedError()).not.toBeInstanceOf(errors.CancelledError);
    expect(new Error('plain')).not.toBeInstanceOf(TwistedError);
    expect(null).not.toBeInstanceOf(TwistedError);
    expect({ code: 'ERR_CANCELLED' }).not.toBeInstanceOf(errors.CancelledError);
  });

  it('a subclass of an error class is an instance of the whole chain', () => {
    class MyTimeout extends errors.TimeoutError {}
    const err = new MyTimeout('late');
    expect(err).toBeInstanceOf(MyTimeout);
    expect(err).toBeInstanceOf(errors.TimeoutError);
    expect(err).toBeInstanceOf(TwistedError);
    expect(err).not.toBeInstanceOf(errors.CancelledError);
    expect(err.name).toBe('MyTimeout');
    expect(err.code).toBe('ERR_TIMEOUT');
  });

  it('each one is documented in docs/errors.md with its code', () => {
    const doc = readFileSync(fileURLToPath(new URL('../docs/errors.md', import.meta.url)), 'utf8');
    for (const [name, E] of classes) {
      const row = doc.split('\n').find((line) => new RegExp(`^\\|\\s*\`${name}\`\\s*\\|`).test(line));
      expect(row, `a row for ${name}`).toBeDefined();
      expect(row).toContain(`\`${make(name, E).code}\``);
    }
  });
});

describe('instanceof across copies of the module', () => {
  it("an error made by a second, separately loaded copy is an instance of this copy's classes", async () => {
    vi.resetModules();
    const copy = (await import('../src/errors.ts')) as typeof errors;
    expect(copy.CancelledError).not.toBe(errors.CancelledError); // really another copy
    const theirs = new copy.CancelledError('from the other copy');
    expect(theirs).toBeInstanceOf(errors.CancelledError);
    expect(theirs).toBeInstanceOf(errors.TwistedError);
    expect(theirs).not.toBeInstanceOf(errors.TimeoutError);
    expect(new errors.QueueOverflow()).toBeInstanceOf(copy.QueueOverflow);
  });

  const cjs = fileURLToPath(new URL('../dist/cjs/errors.js', import.meta.url));
  it.skipIf(!existsSync(cjs))(
    "the CommonJS build and the sources recognise each other's errors (needs npm run build)",
    () => {
      const built = createRequire(import.meta.url)(cjs) as typeof errors;
      const fromCjs = new built.CannotListenError('', 1, new Error('x'));
      expect(fromCjs).toBeInstanceOf(errors.CannotListenError);
      expect(fromCjs).toBeInstanceOf(errors.TwistedError);
      expect(new errors.AlreadyCalledError()).toBeInstanceOf(built.AlreadyCalledError);
      expect(new errors.AlreadyCalledError()).not.toBeInstanceOf(built.AlreadyCalled);
    },
  );
});

describe('CannotListenError', () => {
  it('keeps the socket error and its fields and explains the OS code', () => {
    const sock = Object.assign(new Error('bind EADDRINUSE 0.0.0.0:53'), {
      code: 'EADDRINUSE',
      errno: -98,
      syscall: 'bind',
      address: '0.0.0.0',
      port: 53,
    });
    const err = new errors.CannotListenError('', 53, sock);
    expect(err.interface).toBe('');
    expect(err.port).toBe(53);
    expect(err.socketError).toBe(sock);
    expect(err.cause).toBe(sock);
    expect([err.errno, err.syscall, err.address]).toEqual([-98, 'bind', '0.0.0.0']);
    expect(err.message).toContain('all interfaces:53');
    expect(err.message).toContain('EADDRINUSE');
    expect(err.message).toContain('listenMultiple');
  });

  it('an explicit explanation wins, and a non-Error socket error is wrapped', () => {
    const err = new errors.CannotListenError('::1', 9, 'weird', 'because');
    expect(err.message).toBe("Couldn't listen on ::1:9: because.");
    expect(err.socketError).toBeInstanceOf(Error);
    expect(err.socketError.message).toBe('weird');
  });
});

describe('other fields', () => {
  it('SystemExit carries its exit code', () => {
    expect(new errors.SystemExit(2).exitCode).toBe(2);
    expect(new errors.SystemExit().exitCode).toBe(0);
  });

  it('FirstError names the index and the sub-failure', () => {
    const sub = { value: new RangeError('r') } as unknown as errors.FirstError['subFailure'];
    const err = new errors.FirstError(sub, 4);
    expect(err.message).toBe('FirstError[#4, RangeError: r]');
    expect(err.cause).toBe(sub.value);
  });

  it('explainSocketError knows the bind errors and nothing else', () => {
    expect(errors.explainSocketError('EACCES')).toMatch(/permission denied/);
    expect(errors.explainSocketError('ENOPE')).toBeUndefined();
    expect(errors.explainSocketError(undefined)).toBeUndefined();
  });
});
