/**
 * `BaseLogFile` (Twisted's `twisted.python.logfile.BaseLogFile`): a log file that can be
 * rotated, written through a small buffer with synchronous system calls.
 *
 * Why synchronous: rotation must happen between two writes, exactly where the size says, and a
 * line must never be lost or reordered across a rename. Writes are buffered in memory and
 * written with one `fs.writeSync` when the buffer reaches 64 KiB, on the next turn of the event
 * loop, before a rotation, on `flush()`/`close()` and when the process exits — so a burst of
 * lines costs a few system calls, not one each, and `process.exit()` loses nothing.
 *
 * @module
 */
import {
  closeSync,
  existsSync,
  fchmodSync,
  fstatSync,
  openSync,
  readFileSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

const FLUSH_BYTES = 64 * 1024;
const open = new Set<BaseLogFile>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const file of open) {
      try {
        file.flush();
      } catch {
        // Nothing more can be done at exit.
      }
    }
  });
}

/** Reads the lines of a log file (Twisted's `LogReader`). */
export class LogReader {
  #lines: string[];
  #next = 0;

  /** Opens `path` for reading. */
  constructor(path: string) {
    const text = readFileSync(path, 'utf8');
    this.#lines = text === '' ? [] : text.split(/(?<=\n)/);
  }

  /** The next `lines` lines (fewer at the end; none once everything was read). */
  readLines(lines = 10): string[] {
    const out = this.#lines.slice(this.#next, this.#next + lines);
    this.#next += out.length;
    return out;
  }

  /** Closes the reader. */
  close(): void {
    this.#lines = [];
  }
}

/** The options every log file takes. */
export interface BaseLogFileOptions {
  /** The permissions of a newly created file (and applied to an existing one); default: the existing file's, else the umask's. */
  defaultMode?: number;
}

/**
 * The base of `LogFile` and `DailyLogFile`: opens `directory/name` for appending, writes text
 * or bytes, rotates when `shouldRotate()` says so. Opening fails at once (a clear `ENOENT`,
 * `EACCES`…) when the file cannot be written.
 */
export abstract class BaseLogFile {
  /** The file's name inside `directory`. */
  readonly name: string;
  /** The directory holding it. */
  readonly directory: string;
  /** `directory/name`. */
  readonly path: string;
  /** The permissions new files are created with (`undefined`: the umask's). */
  readonly defaultMode: number | undefined;
  #fd = -1;
  #pending: (string | Uint8Array)[] = [];
  #pendingBytes = 0;
  #flushScheduled = false;

  /** Opens (creating it if needed) `directory/name`. */
  constructor(name: string, directory: string, options: BaseLogFileOptions = {}) {
    if (typeof name !== 'string' || name === '') {
      throw Object.assign(new TypeError('The "name" argument must be a non-empty string'), {
        code: 'ERR_INVALID_ARG_TYPE',
      });
    }
    if (typeof directory !== 'string') {
      throw Object.assign(new TypeError('The "directory" argument must be of type string'), {
        code: 'ERR_INVALID_ARG_TYPE',
      });
    }
    this.name = name;
    this.directory = directory;
    this.path = join(directory, name);
    this.defaultMode =
      options.defaultMode === undefined && existsSync(this.path)
        ? statSync(this.path).mode & 0o7777
        : options.defaultMode;
    this.openFile();
  }

  /** Whether the file is closed. */
  get closed(): boolean {
    return this.#fd === -1;
  }

  /** Whether the next write should rotate first. */
  abstract shouldRotate(): boolean;

  /** Moves the current file aside and starts a new one. */
  abstract rotate(): void;

  /** @internal Opens the file for appending; subclasses extend it to read its size or date. */
  protected openFile(): void {
    this.#fd = openSync(this.path, 'a', this.defaultMode ?? 0o666);
    if (this.defaultMode !== undefined) {
      try {
        fchmodSync(this.#fd, this.defaultMode);
      } catch {
        // As Twisted: a file we cannot chmod is still written.
      }
    }
    open.add(this);
    installExitHook();
  }

  /** @internal The size of the open file on disk (flushed bytes). */
  protected fileSize(): number {
    return fstatSync(this.#fd).size;
  }

  /** @internal Closes the descriptor (after flushing) without forgetting the file. */
  protected closeFile(): void {
    this.flush();
    if (this.#fd !== -1) {
      closeSync(this.#fd);
      this.#fd = -1;
    }
    open.delete(this);
  }

  /**
   * Writes `data` (text is written as UTF-8), rotating first when `shouldRotate()` says so.
   *
   * @throws Error (`ERR_LOG_FILE_CLOSED`) after `close()`.
   */
  write(data: string | Uint8Array): void {
    if (this.#fd === -1) {
      throw Object.assign(new Error(`Cannot write to the closed log file ${this.path}`), {
        code: 'ERR_LOG_FILE_CLOSED',
      });
    }
    if (this.shouldRotate()) {
      this.flush();
      this.rotate();
    }
    this.#pending.push(data);
    this.#pendingBytes += typeof data === 'string' ? data.length : data.byteLength;
    if (this.#pendingBytes >= FLUSH_BYTES) this.flush();
    else if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(this.#scheduledFlush).unref();
    }
  }

  #scheduledFlush = (): void => {
    this.#flushScheduled = false;
    if (this.#fd !== -1) this.flush();
  };

  /** Writes whatever is buffered to the file. */
  flush(): void {
    if (this.#pending.length === 0 || this.#fd === -1) return;
    const pending = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    let text = '';
    for (const piece of pending) {
      if (typeof piece === 'string') {
        text += piece;
      } else {
        if (text !== '') writeAll(this.#fd, Buffer.from(text, 'utf8'));
        text = '';
        writeAll(this.#fd, piece);
      }
    }
    if (text !== '') writeAll(this.#fd, Buffer.from(text, 'utf8'));
  }

  /** Flushes and closes the file; it cannot be written afterwards. */
  close(): void {
    this.closeFile();
  }

  /** Closes and opens the file again (after an external tool moved it). */
  reopen(): void {
    this.closeFile();
    this.openFile();
  }

  /** A reader of the current file. */
  getCurrentLog(): LogReader {
    this.flush();
    return new LogReader(this.path);
  }

  /** A log file for a full path (`/var/log/app.log`). */
  static fromFullPath<T extends BaseLogFile, A extends unknown[]>(
    this: new (name: string, directory: string, ...rest: A) => T,
    filename: string,
    ...rest: A
  ): T {
    const full = resolve(filename);
    return new this(basename(full), dirname(full), ...rest);
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.byteLength) offset += writeSync(fd, bytes, offset, bytes.byteLength - offset);
}
