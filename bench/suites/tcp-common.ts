/**
 * What the TCP benchmarks share: the contenders (twisted-ts, raw node:net, Python Twisted), a
 * server process per contender, and the raw node:net client run to completion.
 *
 * @module
 */
import { nodeChild, pythonChild, type Child, type Message } from '../lib/child.ts';
import type { SuiteContext } from '../lib/results.ts';

export const TT = 'twisted-ts';
export const RAW = 'raw net';
export const PY = 'Python Twisted';

/** The contenders: Python Twisted only when it is installed. */
export function tcpContenders(ctx: SuiteContext): string[] {
  return ctx.python === null ? [TT, RAW] : [TT, RAW, PY];
}

/** Starts a server process of `mode` for a contender; resolves once it listens. */
export async function startServer(
  contender: string,
  mode: string,
  extra: string[] = [],
): Promise<{ child: Child; port: number }> {
  const args = ['--mode', mode, ...extra];
  const child =
    contender === PY
      ? pythonChild(contender, 'tcp_server.py', args)
      : nodeChild(contender, 'tcp-server.ts', ['--impl', contender === TT ? 'tt' : 'raw', ...args]);
  try {
    const ready = await child.next(15_000);
    if (ready.ready !== true)
      throw new Error(`${contender}: unexpected first message ${JSON.stringify(ready)}`);
    return { child, port: Number(ready.port) };
  } catch (e) {
    child.kill();
    throw e;
  }
}

/** Runs the raw node:net client to completion and returns its report. */
export async function runClient(args: string[], timeoutMs = 120_000): Promise<Message> {
  const client = nodeChild('tcp client', 'tcp-client.ts', args);
  try {
    const done = await client.next(timeoutMs);
    await client.close();
    return done;
  } catch (e) {
    client.kill();
    throw e;
  }
}

/** A number field of a message (NaN when absent). */
export function num(m: Message, key: string): number {
  const v = m[key];
  return typeof v === 'number' ? v : NaN;
}
