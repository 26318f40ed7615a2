/**
 * Loading the native UDP addon (native/udp.c): once, on first use, with `node-gyp-build` — the
 * loader that picks `native/build/Release/udp.node` in a checkout and the prebuilt binary for
 * this platform (`native/prebuilds/<platform>-<arch>/node.napi.uv1[.glibc].node`) in the
 * published package. Where nothing loads (no compiler when the checkout was installed, another
 * platform, Windows), the reason is kept for `io: 'native'`'s error and the doctor, and `'auto'`
 * uses node:dgram.
 *
 * @internal
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import nodeGypBuild from 'node-gyp-build';

/** The constants udp.c exports, which the JavaScript side must agree with. */
export interface NativeConstants {
  /** Datagrams per wake-up, at most: the receive metadata array holds this many entries. */
  readonly RECV_BUDGET: number;
  /** Int32 words of receive metadata per datagram: kept length, real length, port, host index. */
  readonly RECV_STRIDE: number;
  /** Int32 words of send metadata per staged datagram. */
  readonly SEND_STRIDE: number;
  /** Length of the shared counters array. */
  readonly STAT_COUNT: number;
  /** The largest receive slot (longer `maxPacketSize`s are capped: no datagram is longer). */
  readonly MAX_SLOT: number;
  /** libuv's bind flag for SO_REUSEADDR, as node:dgram passes it. */
  readonly UV_UDP_REUSEADDR: number;
  /** libuv's bind flag for SO_REUSEPORT, as node:dgram passes it. */
  readonly UV_UDP_REUSEPORT: number;
  /** 1 where recvmmsg/sendmmsg exist (Linux), 0 where a loop of recvmsg/sendmsg stands in. */
  readonly BATCHED: number;
}

/** One native socket, as udp.c defines it (every method returns 0 or a negative errno). */
export interface NativeSocketHandle {
  bind(family: 4 | 6, host: string, port: number, flags: number): number;
  startReading(maxPacketSize: number): number;
  connect(host: string, port: number): number;
  localAddress(): [string, number] | number;
  remoteAddress(): [string, number] | number;
  setOption(which: number, value: number): number;
  getBufferSize(which: number): number;
  setMulticastInterface(address: string): number;
  membership(join: boolean, group: string, iface: string | undefined, source: string | undefined): number;
  send(count: number, stage: Buffer, meta: Int32Array): number | number[];
  close(): void;
}

/**
 * What receives a batch: `count` datagrams back to back in `buffer`, described by the metadata
 * array; `error` is a receive error after them (0: none).
 */
export type BatchCallback = (count: number, buffer: Buffer, hosts: string[], error: number) => void;
/**
 * What hears how far the addon's send queue got: how many of the oldest queued datagrams have
 * an outcome now, or `[handled, index, errno, ...]` when some of them failed.
 */
export type SendProgressCallback = (result: number | number[]) => void;

/** The addon's exports. */
export interface NativeAddon {
  UdpSocket: new (
    onBatch: BatchCallback,
    onSendProgress: SendProgressCallback,
    recvMeta: Int32Array,
    stats: Float64Array,
  ) => NativeSocketHandle;
  parseAddress(family: 4 | 6, host: string, out: Int32Array): number;
  constants: NativeConstants;
}

/** The outcome of loading: the addon, or why there is none. */
export type AddonLoad =
  | { readonly addon: NativeAddon; readonly path: string; readonly reason?: undefined }
  | { readonly addon?: undefined; readonly path?: undefined; readonly reason: string };

let loaded: AddonLoad | undefined;

/** The addon, loaded on the first call; later calls return the same outcome. */
export function loadNativeAddon(): AddonLoad {
  loaded ??= load();
  return loaded;
}

function load(): AddonLoad {
  if (process.platform === 'win32')
    return { reason: 'Windows has no native UDP I/O (no recvmmsg); node:dgram is used' };
  const dir = nativeDirectory();
  if (dir === undefined) return { reason: 'the package directory of twisted-ts was not found (bundled?)' };
  let path: string;
  try {
    path = nodeGypBuild.path(dir);
  } catch (e) {
    return {
      reason:
        `no native build for ${process.platform}-${process.arch} ` +
        `(a checkout built without a C compiler, or a platform the package has no binary for): ${firstLine(e)}`,
    };
  }
  try {
    return { addon: requireAddon(path), path };
  } catch (e) {
    return { reason: `the native addon ${path} did not load: ${firstLine(e)}` };
  }
}

function requireAddon(path: string): NativeAddon {
  const module = { exports: {} as NativeAddon };
  process.dlopen(module, path);
  const addon = module.exports;
  if (typeof addon.UdpSocket !== 'function' || typeof addon.parseAddress !== 'function') {
    throw new Error('it does not export UdpSocket and parseAddress');
  }
  return addon;
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}

/**
 * `native/` of this package: found by walking up from this module's own file to the directory
 * whose package.json is twisted-ts's. The module runs from src/ (tests), dist/esm or dist/cjs,
 * at different depths, and one source cannot name its location in both module systems
 * (`import.meta` is a syntax error in CommonJS, `__dirname` undefined in ESM): V8's structured
 * stack trace gives the file of the running function in either.
 */
function nativeDirectory(): string | undefined {
  let dir = dirname(thisFile());
  for (let i = 0; i < 8; i++) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'twisted-ts') {
          return join(dir, 'native');
        }
      } catch {
        // a package.json that is not ours (or not JSON): keep walking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

function thisFile(): string {
  const { prepareStackTrace, stackTraceLimit } = Error;
  try {
    Error.stackTraceLimit = 1;
    Error.prepareStackTrace = (_error, frames) => frames;
    const holder: { stack?: unknown } = {};
    Error.captureStackTrace(holder, thisFile);
    const frames = holder.stack as NodeJS.CallSite[];
    const file = frames[0]?.getFileName() ?? '';
    return file.startsWith('file:') ? fileURLToPath(file) : file;
  } finally {
    Error.prepareStackTrace = prepareStackTrace;
    Error.stackTraceLimit = stackTraceLimit;
  }
}
