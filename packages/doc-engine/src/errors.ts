import { KilnError, KilnTypeError } from '@kilndb/wal-format';

/** A document, key, collection name or option was not acceptable; `message` names what and why. */
export class InvalidInputError extends KilnTypeError {
  static override readonly kilnCode: string = 'KILN_INVALID_INPUT';
  override readonly name: string = 'InvalidInputError';
}

/** A collection name that is empty, too long, or not a string. */
export class InvalidCollectionNameError extends InvalidInputError {
  static override readonly kilnCode = 'KILN_INVALID_COLLECTION_NAME';
  override readonly name = 'InvalidCollectionNameError';
  constructor(
    readonly collection: unknown,
    problem: string,
  ) {
    super(`invalid collection name ${describe(collection)}: ${problem}`);
  }
}

/** A document key that is empty or not a string. */
export class InvalidDocumentKeyError extends InvalidInputError {
  static override readonly kilnCode = 'KILN_INVALID_DOCUMENT_KEY';
  override readonly name = 'InvalidDocumentKeyError';
  constructor(
    readonly key: unknown,
    problem: string,
  ) {
    super(`invalid document key ${describe(key)}: ${problem}`);
  }
}

/** A document (or update patch) that is not a plain JSON object; `path` points at the offending value. */
export class InvalidDocumentError extends InvalidInputError {
  static override readonly kilnCode = 'KILN_INVALID_DOCUMENT';
  override readonly name = 'InvalidDocumentError';
  constructor(
    readonly collection: string,
    readonly key: string | undefined,
    readonly path: string,
    problem: string,
  ) {
    super(`${where(collection, key)}: ${path === '' ? 'the document' : `field ${path}`} ${problem}`);
  }
}

/** A top-level field whose name starts with `_`: those belong to the engine (only `_v`, the version guard, may be given). */
export class ReservedFieldError extends InvalidInputError {
  static override readonly kilnCode = 'KILN_RESERVED_FIELD';
  override readonly name = 'ReservedFieldError';
  constructor(
    readonly collection: string,
    readonly key: string | undefined,
    readonly field: string,
  ) {
    super(
      `${where(collection, key)}: field "${field}" is reserved: names starting with "_" belong to the engine ` +
        '(only _v, the expected version, may be given)',
    );
  }
}

/** An option passed to `Database.open`, `recover` or `changes` is out of range or of the wrong type. */
export class InvalidOptionError extends InvalidInputError {
  static override readonly kilnCode = 'KILN_INVALID_OPTION';
  override readonly name = 'InvalidOptionError';
  constructor(
    readonly option: string,
    problem: string,
  ) {
    super(`invalid option ${option}: ${problem}`);
  }
}

/**
 * A write's version guard did not hold (`expectedVersion` / `_v`), or a transaction's reads or writes were
 * overtaken by another commit. Nothing of the write or transaction was applied.
 */
export class ConflictError extends KilnError {
  static override readonly kilnCode = 'KILN_CONFLICT';
  override readonly name = 'ConflictError';
  constructor(
    readonly collection: string,
    readonly key: string | undefined,
    /** The version the write expected; 0 means "absent". Undefined for a transaction overtaken on a whole collection. */
    readonly expectedVersion: number | undefined,
    /** The document's version now; 0 when it is absent. */
    readonly actualVersion: number | undefined,
    detail?: string,
  ) {
    super(
      `${where(collection, key)}: conflict: ` +
        (detail ??
          `expected version ${String(expectedVersion)}${expectedVersion === 0 ? ' (absent)' : ''}, ` +
            `found ${String(actualVersion)}${actualVersion === 0 ? ' (absent)' : ''}`),
    );
  }
}

/** `update` of a key that holds no document. */
export class DocumentNotFoundError extends KilnError {
  static override readonly kilnCode = 'KILN_DOCUMENT_NOT_FOUND';
  override readonly name = 'DocumentNotFoundError';
  constructor(
    readonly collection: string,
    readonly key: string,
  ) {
    super(`${where(collection, key)}: no such document`);
  }
}

/** The database was closed; open it again to use it. */
export class DatabaseClosedError extends KilnError {
  static override readonly kilnCode = 'KILN_DATABASE_CLOSED';
  override readonly name = 'DatabaseClosedError';
  constructor(readonly directory: string) {
    super(`${directory}: the database is closed`);
  }
}

/** A write to a database opened with `readOnly: true`. */
export class DatabaseReadOnlyError extends KilnError {
  static override readonly kilnCode = 'KILN_DATABASE_READ_ONLY';
  override readonly name = 'DatabaseReadOnlyError';
  constructor(readonly directory: string) {
    super(`${directory}: the database was opened read-only`);
  }
}

/** A transaction handle used after its callback returned (or threw). */
export class TransactionClosedError extends KilnError {
  static override readonly kilnCode = 'KILN_TRANSACTION_CLOSED';
  override readonly name = 'TransactionClosedError';
  constructor() {
    super('the transaction has ended: use its handle only inside the transaction callback, and await every call');
  }
}

/** `changes({ sinceSeq })` asked for history that compaction already removed; resync from a snapshot instead. */
export class ChangesUnavailableError extends KilnError {
  static override readonly kilnCode = 'KILN_CHANGES_UNAVAILABLE';
  override readonly name = 'ChangesUnavailableError';
  constructor(
    readonly sinceSeq: number,
    /** The changes after this sequence number are still available. */
    readonly oldestAvailableSeq: number,
  ) {
    super(
      `changes after seq ${sinceSeq} are gone (compacted); the log still holds every change after seq ${oldestAvailableSeq}`,
    );
  }
}

/**
 * A log entry whose bytes passed their CRC but do not decode to a LogEntry (a bug or a foreign file). Replay
 * skips such an entry: this is the `cause` of its `unreadable-entry` warning.
 */
export class LogEntryFormatError extends KilnError {
  static override readonly kilnCode = 'KILN_LOG_ENTRY_FORMAT';
  override readonly name = 'LogEntryFormatError';
  constructor(
    readonly path: string,
    readonly seq: number,
    problem: string,
  ) {
    super(`${path}: log entry seq ${seq} is not a valid LogEntry: ${problem}`);
  }
}

/** `recover` cannot reach the requested point: it lies before the oldest snapshot/log history kept, or after the end. */
export class RecoveryRangeError extends KilnError {
  static override readonly kilnCode = 'KILN_RECOVERY_RANGE';
  override readonly name = 'RecoveryRangeError';
  constructor(
    readonly directory: string,
    problem: string,
  ) {
    super(`${directory}: cannot recover: ${problem}`);
  }
}

/** The database directory holds something this engine cannot read (a segment name out of order, an unknown layout). */
export class DatabaseLayoutError extends KilnError {
  static override readonly kilnCode = 'KILN_DATABASE_LAYOUT';
  override readonly name = 'DatabaseLayoutError';
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(`${path}: ${problem}`);
  }
}

function where(collection: string, key: string | undefined): string {
  return key === undefined ? `collection "${collection}"` : `collection "${collection}", key "${key}"`;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  return `of type ${typeof value}`;
}
