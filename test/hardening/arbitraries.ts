/**
 * fast-check arbitraries for the bad-input properties: every JS type (fc.anything with every
 * option on), the classic edge values, and targeted near-misses for ports, hosts and groups.
 */
import fc from 'fast-check';

/** Any JS value fast-check can build: primitives, boxed values, Maps, Sets, typed arrays, null-prototype objects… */
export const anything = fc.anything({
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
  withUnicodeString: true,
  maxDepth: 2,
});

/** Values that break naive checks: NaN, infinities, -0, fractions, numeric strings, boxed numbers, symbols, bigint. */
export const edge = fc.constantFrom<unknown>(
  NaN,
  Infinity,
  -Infinity,
  -0,
  -1,
  0.5,
  65536,
  65535.5,
  2 ** 31,
  2 ** 53,
  -(2 ** 53),
  1e300,
  Number.MIN_VALUE,
  '80',
  '0',
  '',
  ' ',
  '1e3',
  null,
  undefined,
  true,
  false,
  [],
  [80],
  {},
  { valueOf: () => 80 },
  Object(80),
  Object('80'),
  Symbol('s'),
  80n,
  () => 80,
  new Date(0),
  new Uint8Array(2),
);

/** Numbers of every kind, integers around the usual ranges included. */
export const numbers = fc.oneof(
  fc.integer({ min: -70_000, max: 70_000 }),
  fc.double(),
  fc.integer({ min: 0, max: 300 }),
);

/** Any value, weighted towards edges and numbers. */
export const value = fc.oneof(anything, edge, numbers);

/** Host strings: loopback (the only valid unicast destination here), other families, names, near-literals. */
export const hostLike = fc.oneof(
  fc.constantFrom(
    '127.0.0.1',
    '::1',
    'localhost',
    'example.com',
    '127.1',
    '127.0.0.1 ',
    ' 127.0.0.1',
    '127.0.0.256',
    '127.0.0.1:80',
    '[::1]',
    '::ffff:127.0.0.1',
    '',
    '0x7f.0.0.1',
    '127.0.0.1\0',
  ),
  fc.string({ maxLength: 20 }),
  value,
);

/** Group strings: valid IPv4 groups (joined on 127.0.0.1 only), unicast, IPv6, names. */
export const groupLike = fc.oneof(
  fc.constantFrom(
    '228.0.0.5',
    '239.255.255.250',
    '224.0.0.251',
    '232.1.2.3',
    '223.255.255.255',
    '240.0.0.1',
    'ff02::1',
    '127.0.0.1',
    'mdns.local',
    '',
  ),
  fc
    .tuple(fc.integer({ min: 224, max: 239 }), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 254 }))
    .map((p) => p.join('.')),
  hostLike,
);

/** Interface arguments: the loopback address, other families, an index, names, anything. */
export const ifaceLike = fc.oneof(
  fc.constantFrom('127.0.0.1', '', '0.0.0.0', '::1', '::%lo', 'lo', 'eth0', '192.0.2.1', 1, 0, -1, 2 ** 32),
  hostLike,
);

/** Datagram-like values: small buffers (valid), over-long ones, other views, strings. */
export const datagramLike = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.constantFrom<unknown>(
    Buffer.alloc(65507),
    Buffer.alloc(65508),
    new Uint16Array(4),
    new DataView(new ArrayBuffer(4)),
    new ArrayBuffer(4),
    'hello',
    [1, 2, 3],
  ),
  value,
);

// ---------------------------------------------------------------------------------------------
// Hostile inputs (issue 12, point 10): prototype-polluting keys, getters, Proxies.

/** Keys that reach `Object.prototype` (or look like it) when used to index a plain object. */
export const pollutingKey = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  '__defineGetter__',
  '__lookupGetter__',
  'then',
  'length',
  'toJSON',
);

/** What hostile getters and traps throw: the caller's own error, the only untyped one allowed out. */
export class HostileError extends Error {
  constructor(where: string) {
    super(`hostile ${where}`);
    this.name = 'HostileError';
  }
}

/** A Proxy whose every trap throws a {@link HostileError}. */
export function trappedProxy(target: object = {}): object {
  const trap = (name: string) => () => {
    throw new HostileError(`${name} trap`);
  };
  const handler: ProxyHandler<object> = {};
  for (const name of [
    'get',
    'set',
    'has',
    'ownKeys',
    'getOwnPropertyDescriptor',
    'getPrototypeOf',
    'defineProperty',
    'deleteProperty',
    'apply',
    'construct',
    'isExtensible',
    'preventExtensions',
    'setPrototypeOf',
  ] as const) {
    (handler as Record<string, unknown>)[name] = trap(name);
  }
  return new Proxy(target, handler);
}

/** A revoked Proxy: every operation on it throws the engine's TypeError. */
export function revokedProxy(target: object = {}): object {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
}

/**
 * `fields` as an object whose every property is a getter that answers the given (valid) value
 * on its first read and `flip` on every later one: a check that reads twice lets `flip` through.
 */
export function flippingGetters(fields: Record<string, unknown>, flip: unknown): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [key, first] of Object.entries(fields)) {
    let reads = 0;
    Object.defineProperty(o, key, { enumerable: true, get: () => (reads++ === 0 ? first : flip) });
  }
  return o;
}

/** `fields` with one property a getter that throws. */
export function throwingGetter(fields: Record<string, unknown>, key: string): Record<string, unknown> {
  const o = { ...fields };
  Object.defineProperty(o, key, {
    enumerable: true,
    get: () => {
      throw new HostileError(`getter ${key}`);
    },
  });
  return o;
}

/** `fields` plus an own property with a polluting key (as `JSON.parse('{"__proto__": …}')` makes). */
export function withOwnKey(
  fields: Record<string, unknown>,
  key: string,
  value: unknown,
): Record<string, unknown> {
  const o = { ...fields };
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  return o;
}

/** `fields` as the prototype of an empty object: inherited, not own, as a polluted prototype gives. */
export function inherited(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.create(fields) as Record<string, unknown>;
}

/**
 * A hostile value is handed to fast-check as a recipe, built inside the property: fast-check
 * itself inspects the values it generates (for clone methods, to print counterexamples), and a
 * trapped or revoked Proxy would break it rather than the code under test.
 */
export interface Hostile {
  /** What it is, for the counterexample. */
  readonly kind: string;
  /** Builds a fresh one. */
  make(): unknown;
  /** Whether it must be accepted where a valid value is expected (true), refused (false) or either. */
  readonly valid?: boolean | undefined;
}

function recipe(kind: string, make: () => unknown, valid?: boolean): Hostile {
  return { kind, make, valid, [fc.toStringMethod]: () => `<${kind}>` } as Hostile;
}

/** Builds `x` if it is a recipe, else gives it back. */
export function build(x: unknown): unknown {
  return x !== null && typeof x === 'object' && typeof (x as Hostile).make === 'function' && 'kind' in x
    ? (x as Hostile).make()
    : x;
}

/**
 * Hostile variants of an options-like object `fields` (valid as it is): flipping getters,
 * throwing getters, polluting own keys, inherited fields, a transparent Proxy, a trapped Proxy,
 * a revoked Proxy. Each says whether it must be accepted (`true`), refused (`false`) or either
 * (`undefined`).
 */
export function hostileOptions(fields: Record<string, unknown>, flip: unknown): fc.Arbitrary<Hostile> {
  const keys = Object.keys(fields);
  const variants: fc.Arbitrary<Hostile>[] = [
    fc.constant(recipe('transparent Proxy', () => new Proxy({ ...fields }, {}), true)),
    fc.constant(recipe('trapped Proxy', () => trappedProxy({ ...fields }), false)),
    fc.constant(recipe('revoked Proxy', () => revokedProxy({ ...fields }), false)),
    fc.constant(recipe('flipping getters', () => flippingGetters(fields, flip), true)),
    fc
      .tuple(pollutingKey, fc.constantFrom<unknown>(flip, true, {}))
      .map(([key, v]) => recipe(`own key ${key}`, () => withOwnKey(fields, key, v), false)),
    fc.constant(recipe('inherited fields', () => inherited({ ...fields }), undefined)),
  ];
  if (keys.length > 0) {
    variants.push(
      fc
        .constantFrom(...keys)
        .map((key) => recipe(`throwing getter ${key}`, () => throwingGetter(fields, key), false)),
    );
  }
  return fc.oneof(...variants);
}

/** Any hostile value, for arguments that are not options objects: a polluting key, or a recipe. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  pollutingKey,
  fc.constantFrom(
    recipe('trapped Proxy', () => trappedProxy()),
    recipe('trapped Proxy of a function', () => trappedProxy(() => undefined)),
    recipe('revoked Proxy', () => revokedProxy()),
    recipe('revoked Proxy of a function', () => revokedProxy(() => undefined)),
    recipe('transparent Proxy', () => new Proxy({}, {})),
    recipe('transparent Proxy of a function', () => new Proxy(() => undefined, {})),
    recipe('throwing then getter', () => throwingGetter({ then: undefined }, 'then')),
    recipe('own __proto__ key', () => withOwnKey({}, '__proto__', { polluted: true })),
    recipe('JSON with __proto__', () => JSON.parse('{"__proto__": {"admin": true}, "constructor": 1}')),
  ),
);

/**
 * An array whose every element is a getter answering `values[i]` on its first read and `flip[i]`
 * on every later one: an address or a list of pieces that a check reading twice would let change.
 */
export function flippingArray(values: readonly unknown[], flip: readonly unknown[]): unknown[] {
  const a: unknown[] = new Array<unknown>(values.length);
  values.forEach((first, i) => {
    let reads = 0;
    Object.defineProperty(a, i, { enumerable: true, get: () => (reads++ === 0 ? first : flip[i]) });
  });
  return a;
}
