/**
 * `twisted-ts twist`: Twisted's `twist` runner. Loads a module, builds its service tree, starts
 * it (privileged start, then the `--uid`/`--gid` drop), runs the reactor, and on SIGINT/SIGTERM
 * stops the tree and exits.
 *
 * Exit statuses (sysexits, as Twisted's runner): 0 after a clean stop; 1 when the module fails to
 * load or start, or stopping failed or was abandoned; 64 for a usage error; 73 when the log or
 * pid file cannot be created; 78 when the pid file names a live process.
 *
 * @module
 */
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Application, isService } from '../application/multi-service.ts';
import type { IService } from '../application/service.ts';
import { Deferred } from '../defer/deferred.ts';
import { maybeDeferred } from '../defer/shortcuts.ts';
import { UsageError } from '../errors/usage.ts';
import { Failure } from '../failure.ts';
import { LogFile } from '../logger/log-file.ts';
import { FilteringLogObserver, LogLevelFilterPredicate } from '../logger/filtering-log-observer.ts';
import { textFileLogObserver, type LogWritable } from '../logger/file-log-observer.ts';
import { globalLogBeginner } from '../logger/log-beginner.ts';
import { jsonFileLogObserver } from '../logger/json.ts';
import { Logger } from '../logger/logger.ts';
import { reactor } from '../reactor/index.ts';
import { Options } from '../usage/options.ts';
import { AlreadyRunning, claimPidFile } from './pid-file.ts';
import { TwistOptions } from './twist-options.ts';

/** What a module run by `twist` may export as `serviceMaker` (Twisted's `IServiceMaker`). */
export interface IServiceMaker {
  /** The name of the service (the `Application`'s name). */
  tapname: string;
  /** What it does, for `--help`. */
  description?: string;
  /** The module's `Options` class; its `parseOptions` gets the module's arguments. */
  options?: new () => Options;
  /** Builds the service from the parsed options (may return a Promise). */
  makeService(options: Options): IService | PromiseLike<IService>;
}

const EXIT = { ok: 0, failure: 1, usage: 64, cantCreate: 73, config: 78 } as const;
const log = new Logger('twisted-ts.twist');

class ExitError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

function fail(status: number, message: string): never {
  throw new ExitError(status, message);
}

function isServiceMaker(value: unknown): value is IServiceMaker {
  return (
    value !== null && typeof value === 'object' && typeof (value as IServiceMaker).makeService === 'function'
  );
}

/** Opens the log destination and begins logging to it. */
function beginLogging(options: TwistOptions): LogFile | undefined {
  const target = options.get('log-file') as string;
  let stream: LogWritable & { isTTY?: boolean };
  let file: LogFile | undefined;
  if (target === '-' || target === '') stream = process.stdout;
  else if (target === '+') stream = process.stderr;
  else {
    try {
      file = LogFile.fromFullPath(target, { rotateLength: null });
    } catch (e) {
      fail(EXIT.cantCreate, `Cannot open the log file ${JSON.stringify(target)}: ${(e as Error).message}`);
    }
    stream = file;
  }
  const format =
    (options.get('log-format') as string | undefined) ?? (stream.isTTY === true ? 'text' : 'json');
  const observer = format === 'json' ? jsonFileLogObserver(stream) : textFileLogObserver(stream);
  globalLogBeginner.beginLoggingTo([
    new FilteringLogObserver(observer, [new LogLevelFilterPredicate(options.logLevel)]),
  ]);
  return file;
}

const importModule = new Function('url', 'return import(url)') as (url: string) => Promise<unknown>;

/** Imports the module as Node would from the working directory. */
async function loadModule(specifier: string): Promise<Record<string, unknown>> {
  let url: string;
  if (specifier.startsWith('.') || isAbsolute(specifier) || /\.[cm]?[jt]s$/.test(specifier)) {
    url = pathToFileURL(resolve(specifier)).href;
  } else {
    url = pathToFileURL(createRequire(join(process.cwd(), 'noop.js')).resolve(specifier)).href;
  }
  // A real dynamic import in both builds: the CommonJS build would turn `import()` into `require()`.
  return (await importModule(url)) as Record<string, unknown>;
}

/** The service tree a loaded module describes, after parsing its arguments. */
async function serviceOf(
  exports: Record<string, unknown>,
  moduleArgs: string[],
  name: string,
): Promise<IService> {
  const candidates = [exports.serviceMaker, exports.application, exports.default];
  for (const candidate of candidates) {
    if (isServiceMaker(candidate)) {
      const OptionsClass = candidate.options;
      let options: Options;
      if (OptionsClass === undefined) {
        if (moduleArgs.length > 0) fail(EXIT.usage, `${name} takes no options, got: ${moduleArgs.join(' ')}`);
        options = new Options();
      } else {
        options = new OptionsClass();
        try {
          options.parseOptions(moduleArgs);
        } catch (e) {
          if (e instanceof UsageError) fail(EXIT.usage, `Error: ${e.message}\n\n${options.toString()}`);
          throw e;
        }
      }
      const service = await candidate.makeService(options);
      if (!isService(service)) fail(EXIT.failure, `${name}: makeService did not return a service`);
      const application = new Application(candidate.tapname || name);
      service.setServiceParent(application);
      return application;
    }
    if (isService(candidate)) {
      if (moduleArgs.length > 0)
        fail(
          EXIT.usage,
          `${name} exports an application, which takes no options; got: ${moduleArgs.join(' ')}`,
        );
      return candidate;
    }
  }
  return fail(
    EXIT.failure,
    `${name} exports neither serviceMaker nor application (nor a default export that is one)`,
  );
}

function dropPrivileges(options: TwistOptions, tree: IService): void {
  const uid = (options.get('uid') as string | undefined) ?? (tree as Application).uid;
  const gid = (options.get('gid') as string | undefined) ?? (tree as Application).gid;
  const asId = (v: string | number): string | number =>
    typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (gid !== undefined) process.setgid!(asId(gid));
  if (uid !== undefined) process.setuid!(asId(uid));
}

/** Waits for `stopService`, at most `timeout` seconds; resolves to the exit status. */
function stopTree(tree: IService, timeout: number): Deferred<number> {
  const done = new Deferred<number>();
  const timer = setTimeout(() => {
    log.error('Stopping the service tree did not finish within {timeout} seconds; abandoning it.', {
      timeout,
    });
    if (!done.called) done.callback(EXIT.failure);
  }, timeout * 1000);
  maybeDeferred(() => tree.stopService() as unknown).addCallbacks(
    () => {
      clearTimeout(timer);
      if (!done.called) done.callback(EXIT.ok);
    },
    (f: Failure) => {
      clearTimeout(timer);
      log.failure('Stopping the service tree failed', f);
      if (!done.called) done.callback(EXIT.failure);
    },
  );
  return done;
}

async function twist(argv: string[]): Promise<number> {
  const options = new TwistOptions();
  try {
    options.parseOptions(argv);
  } catch (e) {
    if (e instanceof UsageError) fail(EXIT.usage, `Error: ${e.message}\n\n${options.toString()}`);
    throw e;
  }
  const name = options.module!;
  // Signals are handled from here on: one that arrives while the module loads or starts stops
  // the tree as soon as the reactor runs, instead of killing the process half-started.
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) return;
    signalled = true;
    log.info('Received {signal}, shutting down.', { signal, log_system: '-' });
    if (reactor.running) reactor.stop();
    else reactor.callWhenRunning(() => reactor.stop());
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const pidfile = options.get('pidfile') as string | undefined;
  if (pidfile !== undefined) {
    try {
      claimPidFile(resolve(pidfile));
    } catch (e) {
      if (e instanceof AlreadyRunning) fail(EXIT.config, e.message);
      fail(EXIT.cantCreate, `Cannot write the pid file ${JSON.stringify(pidfile)}: ${(e as Error).message}`);
    }
  }
  const logFile = beginLogging(options);
  let exports: Record<string, unknown>;
  try {
    exports = await loadModule(name);
  } catch (e) {
    log.failure('Could not load {module}', e, undefined, { module: name });
    return fail(
      EXIT.failure,
      `Could not load ${name}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
    );
  }
  let tree: IService;
  try {
    tree = await serviceOf(exports, options.moduleArgs, name);
    tree.privilegedStartService();
    dropPrivileges(options, tree);
    tree.startService();
  } catch (e) {
    if (e instanceof ExitError) throw e;
    log.failure('Could not start {module}', e, undefined, { module: name });
    return fail(
      EXIT.failure,
      `Could not start ${name}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
    );
  }
  let status: number = EXIT.ok;
  const timeout = options.get('stop-timeout') as number;
  reactor.addSystemEventTrigger('before', 'shutdown', () =>
    stopTree(tree, timeout).addCallback((s) => {
      status = Math.max(status, s);
      return undefined;
    }),
  );
  log.info('Starting reactor...');
  await reactor.run({ installSignalHandlers: false });
  log.info('Main loop terminated.', { log_system: '-' });
  log.info('Server Shut Down.');
  logFile?.close();
  return status;
}

/** Runs `twisted-ts twist <argv>` and exits with its status. */
export function runTwist(argv: string[]): void {
  twist(argv).then(
    (status) => process.exit(status),
    (e: unknown) => {
      if (e instanceof ExitError) {
        process.stderr.write(`${e.message}\n`);
        process.exit(e.status);
      }
      process.stderr.write(`twisted-ts twist crashed: ${e instanceof Error ? e.stack : String(e)}\n`);
      process.exit(70);
    },
  );
}
