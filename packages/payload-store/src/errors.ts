import { KilnError, KilnTypeError } from '@kilndb/wal-format';

/** The log was closed; open it again to use it. */
export class LogClosedError extends KilnError {
  static override readonly kilnCode = 'KILN_LOG_CLOSED';
  override readonly name = 'LogClosedError';
  constructor(readonly path: string) {
    super(`${path}: the log is closed`);
  }
}

/** An append was made to a log opened read-only. */
export class LogReadOnlyError extends KilnError {
  static override readonly kilnCode = 'KILN_LOG_READ_ONLY';
  override readonly name = 'LogReadOnlyError';
  constructor(readonly path: string) {
    super(`${path}: the log was opened read-only`);
  }
}

/** A group write failed and was cut back; nothing of it is in the log, and the log stays usable. */
export class LogWriteError extends KilnError {
  static override readonly kilnCode = 'KILN_LOG_WRITE';
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
export class LogFailedError extends KilnError {
  static override readonly kilnCode = 'KILN_LOG_FAILED';
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
export class ReplayStartError extends KilnError {
  static override readonly kilnCode = 'KILN_REPLAY_START';
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
export class DirectoryLockedError extends KilnError {
  static override readonly kilnCode = 'KILN_DIRECTORY_LOCKED';
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

/** A value given to the payload store cannot be stored as JSON that reads back the same. */
export class PayloadValueError extends KilnTypeError {
  static override readonly kilnCode = 'KILN_PAYLOAD_VALUE';
  override readonly name = 'PayloadValueError';
  constructor(
    readonly id: number | bigint,
    /** Where in the value the problem is, as a JSON path such as `$.tags[2]`. */
    readonly at: string,
    reason: string,
  ) {
    super(`payload for id ${id}: ${at === '$' ? 'the value' : at} ${reason}`);
  }
}

/** A stored record failed its check when read: its CRC does not match, or it is not the record the index expects. */
export class PayloadCorruptError extends KilnError {
  static override readonly kilnCode = 'KILN_PAYLOAD_CORRUPT';
  override readonly name = 'PayloadCorruptError';
  constructor(
    /** The id whose record it is, when known. */
    readonly id: number | bigint | undefined,
    /** Byte offset in the log of the record's first byte. */
    readonly offset: number,
    readonly path: string,
    reason: string,
  ) {
    super(`${path}: the record ${id === undefined ? '' : `of id ${id} `}at offset ${offset} is corrupt: ${reason}`);
  }
}

/** An option given to `PayloadStore.open` is unknown, out of range or of the wrong type; `option` names it. */
export class StoreOptionError extends KilnTypeError {
  static override readonly kilnCode = 'KILN_STORE_OPTION';
  override readonly name = 'StoreOptionError';
  constructor(
    readonly option: string,
    problem: string,
  ) {
    super(`invalid option ${option}: ${problem}`);
  }
}

/** An argument of a store method that is not of the kind it takes (`storeBatch(5)`); `argument` names it. */
export class StoreInputError extends KilnTypeError {
  static override readonly kilnCode = 'KILN_STORE_INPUT';
  override readonly name = 'StoreInputError';
  constructor(
    readonly argument: string,
    problem: string,
  ) {
    super(`invalid ${argument}: ${problem}`);
  }
}

/** The path given to `PayloadStore.open` is not a store directory: a file, or a directory another engine owns. */
export class StoreLayoutError extends KilnError {
  static override readonly kilnCode = 'KILN_STORE_LAYOUT';
  override readonly name = 'StoreLayoutError';
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(`${path}: ${problem}`);
  }
}
