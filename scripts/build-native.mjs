// Builds the native UDP addon (native/udp.c) when it can, and says nothing when it cannot.
//
// - Offline: npm's own node-gyp is used with `nodedir` pointing at the headers the pinned `node`
//   package ships (node_modules/node/node_modules/node-<platform>-<arch>/include/node), so no
//   header download is attempted.
// - Without a C toolchain (no cc/gcc/clang, make or python3 on PATH) or on Windows, nothing is
//   built and nothing is printed: twisted-ts then uses node:dgram ('auto'). A toolchain that is
//   there but fails prints one warning and the end of the compiler's output; the install goes on.
// - The result is also copied where node-gyp-build looks for a prebuilt binary,
//   native/prebuilds/<platform>-<arch>/node.napi.uv1[.glibc|.musl].node, which is what the packed
//   tarball ships ("files" in package.json): installing the package compiles nothing.
//
// Run by scripts/build.mjs (so by the dependencies and prepack scripts, `npm run build` and `npm test`).
// TWISTED_TS_SKIP_NATIVE=1 skips it.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';

const root = process.cwd();
const nativeDir = join(root, 'native');
const built = join(nativeDir, 'build', 'Release', 'udp.node');

/** Why the addon cannot be built here, or undefined when it can. */
function missingToolchain() {
  if (process.platform === 'win32') return 'Windows';
  const compiler = process.env.CC || ['cc', 'gcc', 'clang'].find(onPath);
  if (compiler === undefined || !onPath(compiler.split(' ')[0])) return 'no C compiler';
  if (!onPath('make')) return 'no make';
  if (!onPath('python3') && !onPath('python')) return 'no python3 (node-gyp needs it)';
  return undefined;
}

function onPath(command) {
  if (command.includes('/')) return existsSync(command);
  return (process.env.PATH ?? '')
    .split(delimiter)
    .some((dir) => dir !== '' && existsSync(join(dir, command)));
}

/** npm's bundled node-gyp: npm names it to its scripts; otherwise it sits beside npm-cli.js. */
function nodeGyp() {
  const candidates = [process.env.npm_config_node_gyp];
  if (process.env.npm_execpath)
    candidates.push(
      join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    );
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const npm = join(dir, 'npm');
    if (dir !== '' && existsSync(npm)) {
      try {
        candidates.push(
          join(dirname(realpathSync(npm)), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
        );
      } catch {
        // a broken link: try the next
      }
    }
  }
  return candidates.find((c) => c !== undefined && existsSync(c));
}

/**
 * A directory with include/node/{node_api.h,uv.h}: the pinned `node` package's, else the running
 * Node's own, else headers node-gyp downloaded earlier. Any Node's will do: the addon uses N-API
 * (stable across versions) and libuv 1.x (whose ABI is stable).
 */
function nodeHeaders() {
  const home = process.env.HOME ?? '';
  const candidates = [
    join(root, 'node_modules', 'node', 'node_modules', `node-${process.platform}-${process.arch}`),
    resolve(dirname(realpathSync(process.execPath)), '..'),
    join(home, '.cache', 'node-gyp', process.versions.node),
    join(home, 'Library', 'Caches', 'node-gyp', process.versions.node),
  ];
  return candidates.find(
    (dir) =>
      existsSync(join(dir, 'include', 'node', 'node_api.h')) &&
      existsSync(join(dir, 'include', 'node', 'uv.h')),
  );
}

/** node-gyp-build's name for this platform's prebuilt binary (prebuildify's layout). */
function prebuildPath() {
  let tags = 'node.napi.uv1';
  if (process.platform === 'linux') tags += isMusl() ? '.musl' : '.glibc';
  return join(nativeDir, 'prebuilds', `${process.platform}-${process.arch}`, `${tags}.node`);
}

function isMusl() {
  // node-gyp-build decides the same way (Alpine is the musl distribution it knows).
  return existsSync('/etc/alpine-release');
}

function buildEnv(headers) {
  const env = { ...process.env, npm_config_nodedir: headers };
  // An empty CC/CXX (set but blank) would make `make` call an empty command.
  for (const name of ['CC', 'CXX']) if (env[name] === '') delete env[name];
  return env;
}

function upToDate(target, sources) {
  if (!existsSync(target)) return false;
  const time = statSync(target).mtimeMs;
  return sources.every((s) => statSync(s).mtimeMs <= time);
}

function main() {
  if (process.env.TWISTED_TS_SKIP_NATIVE === '1') return;
  if (!existsSync(join(nativeDir, 'udp.c'))) return; // an installed package: nothing to build
  if (missingToolchain() !== undefined) return;
  const gyp = nodeGyp();
  const headers = nodeHeaders();
  if (gyp === undefined || headers === undefined) return;
  const sources = [join(nativeDir, 'udp.c'), join(nativeDir, 'binding.gyp')];
  if (!upToDate(built, sources)) {
    try {
      execFileSync(process.execPath, [gyp, 'rebuild', `--nodedir=${headers}`], {
        cwd: nativeDir,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: buildEnv(headers),
      });
    } catch (e) {
      const output = `${e.stdout ?? ''}${e.stderr ?? ''}`
        .split('\n')
        .filter((l) => !l.startsWith('gyp info'));
      process.stderr.write(
        'twisted-ts: the native UDP addon did not build; node:dgram will be used. The end of the output:\n' +
          output.slice(-15).join('\n') +
          '\n',
      );
      return;
    }
  }
  const prebuild = prebuildPath();
  if (!upToDate(prebuild, [built])) {
    // One binary per platform directory: a stale flavour must not win over the new one.
    rmSync(dirname(prebuild), { recursive: true, force: true });
    mkdirSync(dirname(prebuild), { recursive: true });
    copyFileSync(built, prebuild);
  }
  if (readdirSync(dirname(prebuild)).length !== 1)
    throw new Error(`unexpected files in ${dirname(prebuild)}`);
}

main();
