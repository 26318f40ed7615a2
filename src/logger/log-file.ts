/**
 * `LogFile` (Twisted's `twisted.python.logfile.LogFile`): a log file rotated by size.
 *
 * @module
 */
import { accessSync, constants, readdirSync, renameSync, unlinkSync } from 'node:fs';
import { BaseLogFile, LogReader, type BaseLogFileOptions } from './base-log-file.ts';

/** The options of `new LogFile(name, directory, { … })`. */
export interface LogFileOptions extends BaseLogFileOptions {
  /** Rotate once the file holds this many bytes (default 1,000,000); `0`/`null` never rotates by size. */
  rotateLength?: number | null;
  /** Keep at most this many rotated files (`name.1` … `name.N`); older ones are deleted. Default: keep all. */
  maxRotatedFiles?: number;
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * A log file that rotates when it reaches `rotateLength` bytes: `name` becomes `name.1`, the
 * old `name.1` becomes `name.2`, and so on; with `maxRotatedFiles`, files beyond it are deleted.
 * Rotation happens before the write that would start past the limit, so no line is split or lost.
 *
 * @example
 * const file = new LogFile('statsd.log', '/var/log/statsd', { rotateLength: 10_000_000, maxRotatedFiles: 5 });
 * globalLogBeginner.beginLoggingTo([textFileLogObserver(file)]);
 */
export class LogFile extends BaseLogFile {
  /** Bytes after which the file rotates (`0`/`null`: never). */
  rotateLength: number | null;
  /** How many rotated files are kept (`undefined`: all). */
  maxRotatedFiles: number | undefined;
  /** The current file's size in bytes, written or buffered. */
  // `declare`: set by openFile() during super(); an initializer would run after it and reset it.
  declare size: number;

  /** `new LogFile(name, directory, { rotateLength, maxRotatedFiles, defaultMode })`, or the same positionally. */
  constructor(
    name: string,
    directory: string,
    rotateLengthOrOptions?: number | null | LogFileOptions,
    defaultMode?: number,
    maxRotatedFiles?: number,
  ) {
    const options: LogFileOptions =
      rotateLengthOrOptions !== null && typeof rotateLengthOrOptions === 'object'
        ? rotateLengthOrOptions
        : { rotateLength: rotateLengthOrOptions, defaultMode, maxRotatedFiles };
    for (const key of ['rotateLength', 'maxRotatedFiles'] as const) {
      const v = options[key];
      if (v !== undefined && v !== null && (!Number.isInteger(v) || v < 0)) {
        throw Object.assign(
          new RangeError(
            `The value of "${key}" is out of range. It must be an integer >= 0. Received ${String(v)}`,
          ),
          { code: 'ERR_OUT_OF_RANGE' },
        );
      }
    }
    super(name, directory, options);
    this.rotateLength = options.rotateLength === undefined ? 1_000_000 : options.rotateLength;
    this.maxRotatedFiles = options.maxRotatedFiles;
  }

  protected override openFile(): void {
    super.openFile();
    this.size = this.fileSize();
  }

  /** Whether the file reached `rotateLength`. */
  shouldRotate(): boolean {
    return !!this.rotateLength && this.size >= this.rotateLength;
  }

  /** Writes `data` and counts its bytes. */
  override write(data: string | Uint8Array): void {
    super.write(data);
    this.size += typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : data.byteLength;
  }

  /**
   * Rotates now: shifts `name.N` to `name.N+1` (deleting those at `maxRotatedFiles`), renames
   * `name` to `name.1` and opens a new `name`. Does nothing (and keeps writing the current file)
   * when the directory or the file is not writable, as Twisted.
   */
  rotate(): void {
    if (!writable(this.directory) || !writable(this.path)) return;
    this.closeFile();
    for (const i of this.listLogs().reverse()) {
      if (this.maxRotatedFiles !== undefined && i >= this.maxRotatedFiles) unlinkSync(`${this.path}.${i}`);
      else renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
    }
    // With maxRotatedFiles 0 nothing is kept.
    if (this.maxRotatedFiles === 0) unlinkSync(this.path);
    else renameSync(this.path, `${this.path}.1`);
    this.openFile();
  }

  /** The numbers of the rotated files that exist, ascending. */
  listLogs(): number[] {
    const prefix = `${this.name}.`;
    const result: number[] = [];
    for (const entry of readdirSync(this.directory)) {
      if (!entry.startsWith(prefix)) continue;
      const suffix = entry.slice(prefix.length);
      if (/^\d+$/.test(suffix) && Number(suffix) > 0) result.push(Number(suffix));
    }
    return result.sort((a, b) => a - b);
  }

  /**
   * A reader of the rotated file `name.<identifier>`.
   *
   * @throws RangeError when it does not exist.
   */
  getLog(identifier: number): LogReader {
    if (!this.listLogs().includes(identifier)) {
      throw Object.assign(new RangeError(`no such logfile exists: ${this.path}.${identifier}`), {
        code: 'ERR_OUT_OF_RANGE',
      });
    }
    return new LogReader(`${this.path}.${identifier}`);
  }
}
