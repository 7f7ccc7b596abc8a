export { Database, type DatabaseStats, type ChangesOptions } from './database.js';
export type { DatabaseOptions, PostBackupHook } from './options.js';
export { Collection, type DeleteWhereOptions } from './collection.js';
export type { CollectionStats } from './state/collection-stats.js';
export { Transaction, TransactionCollection } from './transaction.js';
export type { WriteResult, VersionGuard, InsertInput, WriteOptions, ExpiryOptions } from './write/write-ops.js';
export type { ReadDoc } from './state/documents.js';
export type { SnapshotInfo } from './snapshot/database-compaction.js';
export type { Commit, SequencedEntry } from './log/entry-replay.js';
export type { ChangeListener } from './changes.js';
export type { LogEntry, LogCommand } from './log/log-entry.js';
export type { DatabaseWarning } from './warnings.js';
export type { EntryLogStats } from './log/entry-log.js';
export { recover, type RecoverOptions, type RecoverResult } from './recover.js';
export { uuid7 } from './uuid7.js';
export {
  InvalidInputError,
  InvalidCollectionNameError,
  InvalidDocumentKeyError,
  InvalidDocumentError,
  ReservedFieldError,
  InvalidOptionError,
  ConflictError,
  DocumentNotFoundError,
  DatabaseClosedError,
  DatabaseReadOnlyError,
  TransactionClosedError,
  ChangesUnavailableError,
  LogEntryFormatError,
  RecoveryRangeError,
  DatabaseLayoutError,
} from './errors.js';
/** The base of every error below and its checks, re-exported from @kilndb/wal-format (see its README's Errors). */
export { KilnError, isKilnError, hasErrorCode, type KilnErrorClass } from '@kilndb/wal-format';
/**
 * Re-exported from @kilndb/payload-store/log, the log the database writes through: the same classes (and
 * codes) as there, kept here so callers of the database need not depend on the log's package.
 */
export {
  DirectoryLockedError,
  LogClosedError,
  LogFailedError,
  LogReadOnlyError,
  LogWriteError,
  type Durability,
} from '@kilndb/payload-store/log';
/** Re-exported from @kilndb/snapshot: a snapshot file the database cannot read. */
export { SnapshotFormatError } from '@kilndb/snapshot';
export {
  WrongKeyError,
  MissingKeyError,
  UnexpectedKeyError,
  InvalidKeyError,
  KeyringCorruptError,
  UnsupportedKdfError,
  DecryptionError,
  type EncryptionKey,
} from './crypto/index.js';
// Named one by one: what a caller writes (query bodies), gets back and catches. The parser, planner, indexes
// and the MoltenDB readers behind them stay inside the package.
export type { JsonValue, JsonObject, ResultDoc, SortOrder, QueryInput, WhereInput, FieldOperatorInput, JoinInput } from './query/index.js';
export { QueryError, SchemaError, SchemaValidationError, type QueryErrorCode, type SchemaIssue } from './query/index.js';
// The server checks a schema before it changes any collection setting; Collection.setSchema compiles it too.
export { compileSchema } from './query/index.js';
export {
  importMoltenDb,
  exportJsonl,
  MoltenDbInputError,
  ImportTargetNotEmptyError,
  type ImportMoltenDbOptions,
  type MoltenImportSummary,
  type MoltenReplayStats,
  type RejectedDocument,
  type RejectedDocumentReason,
  type ExportJsonlOptions,
  type JsonlExportSummary,
  type MoltenDbInputProblem,
} from './moltendb/index.js';
