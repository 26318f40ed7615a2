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
