import { createRequire } from 'node:module';
import { configDefaults, defineConfig } from 'vitest/config';

// Every UDP test runs on both I/O paths (DESIGN.md decision 11): the whole suite on node:dgram,
// and every test that opens a UDP socket — directly or in a child process, which inherits the
// variable — again on the native addon. The native run needs the addon: it is left out (with a
// note) where no build of it exists, unless TWISTED_TS_REQUIRE_NATIVE=1 (CI) makes that a failure.
const udpTests = [
  'test/transports/udp/**/*.test.ts',
  'test/hardening/**/*.test.ts',
  'test/examples/**/*.test.ts',
  'test/interop/**/*.test.ts',
  'test/protocols/**/*.test.ts',
  'test/testing/conformance.test.ts',
  'test/testing/docs-examples.test.ts',
  'test/application/service.test.ts',
  'test/cli/**/*.test.ts',
  'test/api-contract.test.ts',
];
// Files under those folders that open no UDP socket (streams, TLS, the examples' --help): one run
// of them is enough.
const streamOnlyTests = [
  'test/examples/help.test.ts',
  'test/examples/stream-examples.test.ts',
  'test/examples/tcp-examples.test.ts',
  'test/interop/openssl-tls.test.ts',
  'test/interop/twisted-streams.test.ts',
  'test/interop/twisted-tcp.test.ts',
  'test/protocols/basic/**',
  'test/protocols/policies/**',
  'test/protocols/factory.test.ts',
  'test/protocols/reconnecting-client-factory.test.ts',
];

function nativeBuilt(): boolean {
  try {
    createRequire(import.meta.url)('node-gyp-build').path(new URL('native', import.meta.url).pathname);
    return true;
  } catch {
    return false;
  }
}

const runNative = process.env.TWISTED_TS_REQUIRE_NATIVE === '1' || nativeBuilt();
if (!runNative) {
  process.stderr.write(
    'note: the native UDP addon is not built here (no C compiler at install?): the UDP tests run on node:dgram only\n',
  );
}

export default defineConfig({
  test: {
    // Transport tests use real sockets and child processes; keep the default per-file isolation
    // but give slow machines room.
    testTimeout: 20_000,
    hookTimeout: 20_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'dgram', include: ['test/**/*.test.ts'], env: { TWISTED_TS_IO: 'dgram' } },
      },
      ...(runNative
        ? [
            {
              extends: true,
              test: {
                name: 'native',
                include: udpTests,
                exclude: [...configDefaults.exclude, ...streamOnlyTests],
                env: { TWISTED_TS_IO: 'native' },
              },
            },
          ]
        : []),
    ],
  },
});
