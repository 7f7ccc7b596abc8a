export {
  AppendLog,
  DirectoryLock,
  DirectoryLockedError,
  LogClosedError,
  LogFailedError,
  LogReadOnlyError,
  LogWriteError,
  readLog,
  ReplayStartError,
  type AppendLogOptions,
  type AppendLogStats,
  type AppendOptions,
  type DamageReport,
  type Durability,
  type LogWarning,
  type ReplayOptions,
  type ReplaySummary,
} from './log/index.js';
export {
  PayloadCorruptError,
  PayloadValueError,
  StoreInputError,
  StoreLayoutError,
  StoreOptionError,
} from './errors.js';
export { PayloadStore } from './payload-store.js';
export type { CompactionResult, PayloadId, PayloadStoreOptions, PayloadStoreStats, SnapshotResult } from './store-types.js';
export type { PayloadStoreWarning } from './warnings.js';
export type { JsonValue } from './payload-json.js';
export {
  copyJsonValue,
  describeJsonPart,
  findJsonFault,
  jsonPathOf,
  MAX_JSON_DEPTH,
  type JsonFault,
  type JsonFaultKind,
  type JsonWalkOptions,
} from './json-value.js';
export { COMPACTION_FILE, LOG_FILE, SNAPSHOT_FILE } from './store-files.js';
export { RecordEncodeError } from '@kilndb/wal-format';
