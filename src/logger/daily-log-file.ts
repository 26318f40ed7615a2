/**
 * `DailyLogFile` (Twisted's `twisted.python.logfile.DailyLogFile`): a log file rotated when the
 * local date changes.
 *
 * @module
 */
import { accessSync, constants, existsSync, renameSync, statSync } from 'node:fs';
import { BaseLogFile, LogReader, type BaseLogFileOptions } from './base-log-file.ts';

/** A local date as `[year, month (1–12), day]`, as Twisted's `toDate`. */
export type LogDate = readonly [year: number, month: number, day: number];

function compare(a: LogDate, b: LogDate): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
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
 * A log file that rotates at the first write after local midnight: `name` becomes
 * `name.YYYY_M_D` (the date of the day it holds, without zero padding, as Twisted).
 *
 * @example
 * const file = new DailyLogFile('access.log', '/var/log/app');
 */
export class DailyLogFile extends BaseLogFile {
  /** The date of the newest line in the current file. */
  // `declare`: set by openFile() during super(); an initializer would run after it and reset it.
  declare lastDate: LogDate;

  /** Opens `directory/name`. */
  constructor(name: string, directory: string, options?: BaseLogFileOptions) {
    super(name, directory, options);
  }

  protected override openFile(): void {
    super.openFile();
    this.lastDate = this.toDate(statSync(this.path).mtimeMs / 1000);
  }

  /** The local date of `when` (epoch seconds; default now). Override it to test rotation. */
  toDate(when?: number): LogDate {
    const d = when === undefined ? new Date() : new Date(when * 1000);
    return [d.getFullYear(), d.getMonth() + 1, d.getDate()];
  }

  /** The suffix of a rotated file: `2024_5_1`. */
  suffix(date: LogDate | number): string {
    const [y, m, d] = typeof date === 'number' ? this.toDate(date) : date;
    return `${y}_${m}_${d}`;
  }

  /** Whether the date changed since the last write. */
  shouldRotate(): boolean {
    return compare(this.toDate(), this.lastDate) > 0;
  }

  /** Writes `data` and remembers today's date. */
  override write(data: string | Uint8Array): void {
    super.write(data);
    const today = this.toDate();
    if (compare(today, this.lastDate) > 0) this.lastDate = today;
  }

  /**
   * Renames the file to `name.<suffix of lastDate>` and opens a new one. Does nothing when that
   * name exists already or the directory or file is not writable, as Twisted.
   */
  rotate(): void {
    if (!writable(this.directory) || !writable(this.path)) return;
    const target = `${this.path}.${this.suffix(this.lastDate)}`;
    if (existsSync(target)) return;
    this.closeFile();
    renameSync(this.path, target);
    this.openFile();
  }

  /**
   * A reader of the file that holds the day of `when` (epoch seconds).
   *
   * @throws RangeError when there is none.
   */
  getLog(when: number): LogReader {
    if (compare(this.toDate(when), this.lastDate) === 0) return this.getCurrentLog();
    const path = `${this.path}.${this.suffix(when)}`;
    if (!existsSync(path)) {
      throw Object.assign(new RangeError(`no such logfile exists: ${path}`), { code: 'ERR_OUT_OF_RANGE' });
    }
    return new LogReader(path);
  }
}
