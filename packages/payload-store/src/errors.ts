/** The log was closed; open it again to use it. */
export class LogClosedError extends Error {
  override readonly name = 'LogClosedError';
  constructor(readonly path: string) {
    super(`${path}: the log is closed`);
  }
}

/** An append was made to a log opened read-only. */
export class LogReadOnlyError extends Error {
  override readonly name = 'LogReadOnlyError';
  constructor(readonly path: string) {
    super(`${path}: the log was opened read-only`);
  }
}

/** A group write failed and was cut back; nothing of it is in the log, and the log stays usable. */
export class LogWriteError extends Error {
  override readonly name = 'LogWriteError';
  /** The errno code of the cause, such as 'ENOSPC' or 'EIO'. */
  readonly code: string | undefined;
  constructor(
    readonly path: string,
    override readonly cause: Error,
  ) {
    super(`${path}: write failed (${cause.message}); nothing of it was kept`, { cause });
    this.code = (cause as NodeJS.ErrnoException).code;
  }
}

/**
 * The log can no longer be trusted in this process (an fdatasync failed, or acknowledged bytes could not be
 * written). Every later call throws this; reopening replays what is really on disk.
 */
export class LogFailedError extends Error {
  override readonly name = 'LogFailedError';
  readonly code: string | undefined;
  constructor(
    readonly path: string,
    what: string,
    override readonly cause: Error,
  ) {
    super(`${path}: ${what} (${cause.message}); the log refuses further use until it is reopened`, { cause });
    this.code = (cause as NodeJS.ErrnoException).code;
  }
}

/** Replay could not start at the given offset (a snapshot position that is not a record boundary). */
export class ReplayStartError extends Error {
  override readonly name = 'ReplayStartError';
  constructor(
    readonly path: string,
    readonly offset: number,
    reason: string,
  ) {
    super(`${path}: cannot replay from offset ${offset}: ${reason}`);
  }
}

/** Another process (or another open in this one) holds the directory for writing. */
export class DirectoryLockedError extends Error {
  override readonly name = 'DirectoryLockedError';
  constructor(
    readonly directory: string,
    readonly holderPid: number,
  ) {
    super(
      `${directory} is locked for writing by process ${holderPid}` +
        (holderPid === process.pid ? ' (this process)' : '') +
        '; close it there first, or open read-only',
    );
  }
}
