export {
  AppendLog,
  type AppendLogOptions,
  type AppendLogStats,
  type AppendOptions,
  type Durability,
  type LogWarning,
  type ReplaySummary,
} from './append-log.js';
export { DirectoryLock } from './directory-lock.js';
export {
  DirectoryLockedError,
  LogClosedError,
  LogFailedError,
  LogReadOnlyError,
  LogWriteError,
  ReplayStartError,
} from './errors.js';
