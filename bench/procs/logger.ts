/**
 * Logger events per second written to a file: twisted-ts's `Logger` through `textFileLogObserver`
 * and `jsonFileLogObserver` into a `LogFile`, against pino writing the same records (a message with
 * two fields) to its own file destination (`pino.destination`, asynchronous). Prints events/s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { LogFile, Logger, jsonFileLogObserver, textFileLogObserver } from '../../src/index.ts';
import { now, numArg, out, parseArgs } from './io.ts';

const args = parseArgs();
const n = numArg(args, 'n', 200_000);
const impl = args.get('impl') ?? 'tt';
const dir = mkdtempSync(join(tmpdir(), 'bench-logger-'));

async function ours(kind: 'text' | 'json', count: number): Promise<void> {
  const file = new LogFile(`${kind}.log`, dir, { rotateLength: null });
  const observer = kind === 'text' ? textFileLogObserver(file) : jsonFileLogObserver(file);
  const log = new Logger({ namespace: 'bench', observer });
  for (let i = 0; i < count; i++)
    log.info('got {count} datagrams from {peer}', { count: i, peer: '127.0.0.1' });
  file.close();
}

async function theirs(count: number): Promise<void> {
  const dest = pino.destination({ dest: join(dir, 'pino.log'), sync: false, minLength: 4096 });
  const log = pino({ base: undefined }, dest);
  for (let i = 0; i < count; i++)
    log.info({ count: i, peer: '127.0.0.1' }, `got ${i} datagrams from 127.0.0.1`);
  await new Promise<void>((resolve) => dest.flush(() => resolve()));
  dest.end();
}

const result: Record<string, number> = {};
const cases: Record<string, (count: number) => Promise<void>> =
  impl === 'tt' ? { text: (c) => ours('text', c), json: (c) => ours('json', c) } : { json: theirs };
for (const [name, fn] of Object.entries(cases)) {
  await fn(Math.ceil(n / 10));
  const t0 = now();
  await fn(n);
  result[name] = n / (now() - t0);
}
rmSync(dir, { recursive: true, force: true });
out(result);
