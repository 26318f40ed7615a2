/**
 * The file descriptors a service manager passed this process for socket activation (Twisted's
 * `twisted.python.systemd.ListenFDs`), read from `LISTEN_PID`, `LISTEN_FDS` and
 * `LISTEN_FDNAMES` as `sd_listen_fds_with_names(3)` describes.
 *
 * @module
 */

/** The lowest descriptor systemd passes (`SD_LISTEN_FDS_START`). */
const START = 3;

/**
 * The descriptors inherited from systemd (or any manager following its protocol): consecutive
 * numbers from 3, each with the name given by the unit's `FileDescriptorName=` (systemd's
 * default name is `unknown`).
 *
 * @example
 * const fds = ListenFDs.fromEnvironment();
 * fds.inheritedDescriptors(); // [3, 4]
 */
export class ListenFDs {
  readonly #descriptors: readonly number[];
  readonly #names: readonly string[];

  /**
   * @param descriptors - the inherited descriptors.
   * @param names - their names, in the same order (missing ones are `'unknown'`).
   */
  constructor(descriptors: readonly number[], names: readonly string[] = []) {
    this.#descriptors = [...descriptors];
    this.#names = descriptors.map((_, i) => names[i] ?? 'unknown');
  }

  /**
   * Reads the environment, as Twisted's `ListenFDs.fromEnvironment`: the descriptors count only
   * when `LISTEN_PID` is this process (they were not meant for a parent or child), and the
   * variables are then removed from `environ`, so a child process started later does not take
   * them for its own.
   *
   * @param environ - the environment to read (default `process.env`).
   * @param start - the first descriptor (default 3, systemd's).
   */
  static fromEnvironment(environ: NodeJS.ProcessEnv = process.env, start = START): ListenFDs {
    const pid = Number(environ.LISTEN_PID);
    const count = Number(environ.LISTEN_FDS);
    if (pid !== process.pid || !Number.isSafeInteger(count) || count < 0) return new ListenFDs([]);
    const names = environ.LISTEN_FDNAMES?.split(':') ?? [];
    delete environ.LISTEN_PID;
    delete environ.LISTEN_FDS;
    delete environ.LISTEN_FDNAMES;
    return new ListenFDs(
      Array.from({ length: count }, (_, i) => start + i),
      names,
    );
  }

  /** The inherited descriptors, in order (a copy). */
  inheritedDescriptors(): number[] {
    return [...this.#descriptors];
  }

  /** The inherited descriptors by name; a name given to several keeps the first. */
  inheritedNamedDescriptors(): Map<string, number> {
    const byName = new Map<string, number>();
    this.#descriptors.forEach((fd, i) => {
      if (!byName.has(this.#names[i])) byName.set(this.#names[i], fd);
    });
    return byName;
  }
}

let fromProcess: ListenFDs | undefined;

/**
 * The process's own `ListenFDs`, read once on first use (Twisted reads them when its endpoints
 * module is imported; reading them lazily leaves the environment alone in programs that never
 * use `systemd:`).
 *
 * @internal
 */
export function processListenFDs(): ListenFDs {
  fromProcess ??= ListenFDs.fromEnvironment();
  return fromProcess;
}
