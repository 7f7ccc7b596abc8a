/**
 * `@kilndb/payload-store/log`: the durable log every KilnDB layer builds on, a file of wal-format records.
 * Its writer is AppendLog (group commit, durability modes, torn-tail repair at open), its reader is
 * `readLog` (replays a log nothing appends to, repairs nothing), and DirectoryLock keeps one writer per
 * directory. Loading this entry loads none of the VelesDB-compatible store.
 */
export { AppendLog } from './append-log.js';
export type { AppendWaiter } from './commit-group.js';
export { readLog } from './log-reader.js';
export type { AppendLogOptions, AppendLogStats, AppendOptions, Durability, LogWarning, ReplayOptions } from './log-options.js';
export type { DamageReport, ReplaySummary } from './replay-summary.js';
export { DirectoryLock } from './directory-lock.js';
export {
  DirectoryLockedError,
  LogClosedError,
  LogFailedError,
  LogReadOnlyError,
  LogWriteError,
  ReplayStartError,
} from '../errors.js';
