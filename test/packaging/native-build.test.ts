// The native addon's build (scripts/build-native.mjs, run by the dependencies script): offline
// (the suite runs with no network) with npm's node-gyp and the pinned node's headers; silent and
// successful without a C compiler, leaving 'auto' to fall back to node:dgram. Each case builds a
// copy of native/ in a temporary directory, so the checkout's own build is left alone.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'twisted-ts-native-build-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A checkout-like directory with native/, the build script and the installed node_modules. */
function checkout(name: string): string {
  const dir = join(work, name);
  mkdirSync(join(dir, 'scripts'), { recursive: true });
  cpSync(join(root, 'native', 'udp.c'), join(dir, 'native', 'udp.c'));
  cpSync(join(root, 'native', 'binding.gyp'), join(dir, 'native', 'binding.gyp'));
  cpSync(join(root, 'scripts', 'build-native.mjs'), join(dir, 'scripts', 'build-native.mjs'));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

function which(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && existsSync(join(dir, command))) return join(dir, command);
  }
  return undefined;
}

const compiler = which('cc') ?? which('gcc') ?? which('clang');
const prebuild = `native/prebuilds/${process.platform}-${process.arch}`;

describe('building the native addon', () => {
  test.skipIf(compiler === undefined || process.platform === 'win32')(
    'builds offline with npm’s node-gyp and the pinned headers, into node-gyp-build’s prebuild layout',
    () => {
      const dir = checkout('with-compiler');
      const r = spawnSync(process.execPath, ['scripts/build-native.mjs'], { cwd: dir, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(existsSync(join(dir, 'native/build/Release/udp.node'))).toBe(true);
      expect(readdirSync(join(dir, prebuild))).toEqual([
        expect.stringMatching(/^node\.napi\.uv1(\.glibc|\.musl)?\.node$/),
      ]);
      // It loads, and is the one node-gyp-build picks from that directory.
      const loaded = execFileSync(
        process.execPath,
        [
          '-e',
          `const m = { exports: {} }; process.dlopen(m, require('node-gyp-build').path(${JSON.stringify(join(dir, 'native'))})); console.log(typeof m.exports.UdpSocket)`,
        ],
        { cwd: root, encoding: 'utf8' },
      );
      expect(loaded.trim()).toBe('function');
    },
    120_000,
  );

  test('without a C compiler: exits 0, prints nothing, builds nothing', () => {
    const dir = checkout('no-compiler');
    // A PATH with everything but the compilers: node, npm, make, python3, sh.
    const bin = join(work, 'bin-without-cc');
    mkdirSync(bin, { recursive: true });
    for (const tool of ['npm', 'make', 'python3', 'sh', 'uname']) {
      const path = which(tool);
      if (path !== undefined) symlinkSync(path, join(bin, tool));
    }
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: [dirname(process.execPath), bin].join(delimiter) };
    delete env.CC;
    delete env.CXX;
    const r = spawnSync(process.execPath, ['scripts/build-native.mjs'], { cwd: dir, encoding: 'utf8', env });
    expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({
      status: 0,
      stdout: '',
      stderr: '',
    });
    expect(existsSync(join(dir, 'native/build'))).toBe(false);
    expect(existsSync(join(dir, 'native/prebuilds'))).toBe(false);
  });

  test('a compiler that fails: one warning, the end of its output, and the install goes on', () => {
    const dir = checkout('broken-compiler');
    const fakeCc = join(work, 'broken-cc.sh');
    execFileSync('sh', [
      '-c',
      `printf '#!/bin/sh\\necho "cc: this compiler is broken" >&2\\nexit 1\\n' > ${fakeCc} && chmod +x ${fakeCc}`,
    ]);
    const r = spawnSync(process.execPath, ['scripts/build-native.mjs'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, CC: fakeCc },
    });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^twisted-ts: the native UDP addon did not build; node:dgram will be used\./);
    expect(existsSync(join(dir, prebuild))).toBe(false);
  }, 120_000);
});
