// The package as a user gets it: `npm pack`, install the tarball into an empty project (offline,
// from npm's cache, because the suite runs without a network), then import it from ESM, CommonJS
// and TypeScript. Also runs publint and @arethetypeswrong/cli on the tarball.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const bin = (name: string) => join(root, 'node_modules/.bin', name);
let work: string;
let tarball: string;

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env });
}

/** The environment of a user's program: no TWISTED_TS_IO (the suite sets it per run). */
function userEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.TWISTED_TS_IO;
  return env;
}

/** This platform's directory of prebuilt binaries, as node-gyp-build names it. */
const prebuildDir = `${process.platform}-${process.arch}`;

/** A program that reports the I/O path of a default port and of io: 'native'. */
const ioProbe = (load: string): string =>
  `${load}
   const port = listenUDP(0, new DatagramProtocol(), '127.0.0.1');
   let native;
   try {
     const p = listenUDP(0, new DatagramProtocol(), { interface: '127.0.0.1', io: 'native' });
     native = p.ioPath;
     p.stopListening();
   } catch (e) {
     native = e.constructor.name + ': ' + e.message;
   }
   console.log(JSON.stringify({ auto: port.ioPath, native }));
   port.stopListening();`;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'twisted-ts-consumer-'));
  // --ignore-scripts: dist/ is already built by `npm test`'s pretest; packing must not rebuild it.
  run('npm', ['pack', '--ignore-scripts', '--pack-destination', work], root);
  tarball = join(
    work,
    readdirSync(work).find((f) => f.endsWith('.tgz'))!,
  );
  const app = join(work, 'app');
  execFileSync('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }));
  run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], app);
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the packed tarball', () => {
  test('ships only the allow-listed files', () => {
    const listing = run('tar', ['-tzf', tarball], root).split('\n').filter(Boolean);
    expect(listing).toContain('package/dist/esm/index.js');
    expect(listing).toContain('package/dist/cjs/index.d.ts');
    expect(listing).toContain('package/README.md');
    expect(listing).toContain('package/LICENSE');
    expect(listing.some((f) => f.startsWith('package/src/') || f.startsWith('package/test/'))).toBe(false);
  });

  test('carries a prebuilt native binary for the platform it was packed on, and no install script', () => {
    const listing = run('tar', ['-tzf', tarball], root).split('\n').filter(Boolean);
    const binaries = listing.filter((f) => f.startsWith('package/native/'));
    expect(binaries).toEqual([
      expect.stringMatching(
        new RegExp(`^package/native/prebuilds/${prebuildDir}/node\\.napi\\.uv1(\\.glibc|\\.musl)?\\.node$`),
      ),
    ]);
    // npm runs `node-gyp rebuild` on install for a root binding.gyp: there must be none.
    expect(listing).not.toContain('package/binding.gyp');
    const manifest = JSON.parse(run('tar', ['-xzOf', tarball, 'package/package.json'], root)) as {
      scripts?: Record<string, string>;
      dependencies: Record<string, string>;
    };
    for (const hook of ['preinstall', 'install', 'postinstall'])
      expect(manifest.scripts?.[hook]).toBeUndefined();
    expect(Object.keys(manifest.dependencies)).toContain('node-gyp-build');
  });

  test("uses the prebuilt binary: ports are 'native' by default, from ESM and CommonJS", () => {
    const app = join(work, 'app');
    writeFileSync(
      join(app, 'io.mjs'),
      ioProbe(
        `import { reactor, DatagramProtocol } from 'twisted-ts'; const listenUDP = reactor.listenUDP.bind(reactor);`,
      ),
    );
    writeFileSync(
      join(app, 'io.cjs'),
      ioProbe(
        `const { reactor, DatagramProtocol } = require('twisted-ts'); const listenUDP = reactor.listenUDP.bind(reactor);`,
      ),
    );
    for (const file of ['io.mjs', 'io.cjs']) {
      expect(JSON.parse(run(process.execPath, [join(app, file)], app, userEnv()))).toEqual({
        auto: 'native',
        native: 'native',
      });
    }
  });

  test("without the binary: installed with scripts allowed, silent, 'auto' falls back and 'native' says why", () => {
    const app = join(work, 'app-no-binary');
    execFileSync('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app-no-binary', private: true }));
    // Scripts allowed: the package must run none (npm 11 warns about, npm 12 skips, install scripts).
    const output = execFileSync(
      'npm',
      ['install', '--offline', '--no-audit', '--no-fund', '--foreground-scripts', tarball],
      {
        cwd: app,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    expect(output).not.toMatch(/node-gyp|install script|prebuild|gyp/i);
    rmSync(join(app, 'node_modules/twisted-ts/native'), { recursive: true, force: true });
    writeFileSync(
      join(app, 'io.mjs'),
      ioProbe(
        `import { reactor, DatagramProtocol } from 'twisted-ts'; const listenUDP = reactor.listenUDP.bind(reactor);`,
      ),
    );
    const stderrFile = join(app, 'stderr.txt');
    const stdout = execFileSync('sh', ['-c', `"${process.execPath}" io.mjs 2>${stderrFile}`], {
      cwd: app,
      encoding: 'utf8',
      env: userEnv(),
    });
    const result = JSON.parse(stdout) as { auto: string; native: string };
    expect(result.auto).toBe('dgram');
    expect(result.native).toMatch(
      /^CannotListenError: .*io: 'native' was asked for, but native UDP I\/O is not available here \(no native build for /,
    );
    expect(execFileSync('cat', [stderrFile], { encoding: 'utf8' })).toBe('');
  }, 120_000);

  test('imports from ESM, both entry points', () => {
    const file = join(work, 'app', 'esm.mjs');
    writeFileSync(
      file,
      `import { reactor, Deferred, CannotListenError } from 'twisted-ts';
       import * as testing from 'twisted-ts/testing';
       console.log(typeof reactor.callLater, typeof Deferred, typeof CannotListenError, typeof testing.MemoryReactor);`,
    );
    expect(run(process.execPath, [file], join(work, 'app')).trim()).toBe(
      'function function function function',
    );
  });

  test('requires from CommonJS, both entry points', () => {
    const file = join(work, 'app', 'cjs.cjs');
    writeFileSync(
      file,
      `const { reactor, Deferred, CannotListenError } = require('twisted-ts');
       const testing = require('twisted-ts/testing');
       console.log(typeof reactor.callLater, typeof Deferred, typeof CannotListenError, typeof testing.MemoryReactor);`,
    );
    expect(run(process.execPath, [file], join(work, 'app')).trim()).toBe(
      'function function function function',
    );
  });

  test('errors thrown by one build are instanceof the classes of the other', () => {
    const file = join(work, 'app', 'brand.mjs');
    writeFileSync(
      file,
      `import { createRequire } from 'node:module';
       import { CannotListenError, TwistedError } from 'twisted-ts';
       const cjs = createRequire(import.meta.url)('twisted-ts');
       const e = new cjs.CannotListenError('127.0.0.1', 1, Object.assign(new Error('x'), { code: 'EADDRINUSE' }));
       console.log(cjs.CannotListenError !== CannotListenError, e instanceof CannotListenError, e instanceof TwistedError);`,
    );
    expect(run(process.execPath, [file], join(work, 'app')).trim()).toBe('true true true');
  });

  // tsc over every shipped declaration: ~6 s of CPU, three times that on a loaded shared machine.
  test('type-checks a TypeScript consumer with the shipped declarations', { timeout: 60_000 }, () => {
    const app = join(work, 'app');
    writeFileSync(
      join(app, 'consumer.ts'),
      `import { reactor, DatagramProtocol, Deferred, type IPv4Address } from 'twisted-ts';
       import { MemoryReactor } from 'twisted-ts/testing';
       class Echo extends DatagramProtocol {
         override datagramReceived(data: Buffer, addr: readonly [string, number]): void {
           this.transport!.write(data, addr);
         }
       }
       const d: Deferred<number> = new Deferred<number>();
       d.addCallback((n: number) => n + 1);
       const mr = new MemoryReactor();
       mr.listenUDP(0, new Echo());
       const later = reactor.callLater(1, (s: string) => s.length, 'x');
       later.cancel();
       export const host: (a: IPv4Address) => string = (a) => a.host;`,
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2023',
          noEmit: true,
          types: [],
          typeRoots: [join(root, 'node_modules/@types')],
        },
        files: ['consumer.ts', join(root, 'node_modules/@types/node/index.d.ts')],
      }),
    );
    run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], app);
  });

  test('passes publint', () => {
    const out = run(bin('publint'), ['run', tarball, '--strict'], root);
    expect(out).not.toMatch(/error|warning/i);
  });

  test('passes @arethetypeswrong/cli for node16 (ESM and CJS) and bundlers', () => {
    run(bin('attw'), [tarball, '--profile', 'node16', '--format', 'ascii'], root);
  });
});
