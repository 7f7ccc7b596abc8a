import type { FileSystem } from '@kilndb/snapshot';
import type { Durability } from './log/index.js';
import type { PayloadStoreWarning } from './warnings.js';

export interface PayloadStoreOptions {
  /** When a write's promise settles; see `Durability`. Default `'fsync'`. */
  readonly durability?: Durability;
  /** Write a snapshot once the log has grown this much since the last one. Default 10 MiB (VelesDB's); `Infinity` turns it off. */
  readonly snapshotThresholdBytes?: number;
  /**
   * Compact on its own once dead bytes are at least this share of the log (0 < ratio ≤ 1) and the log is at
   * least `autoCompactMinBytes` long. Default: off (compaction rewrites the live data, so it is left to `compact()`).
   */
  readonly autoCompactDeadRatio?: number;
  /** Smallest log auto-compaction considers. Default 64 MiB. */
  readonly autoCompactMinBytes?: number;
  /** With `durability: 'none'`, the longest time a write waits in memory before it is written. Default 50 ms. */
  readonly flushIntervalMs?: number;
  /**
   * With `durability: 'fsync'`, a writer found storing alone on a quick disk fdatasyncs on the calling thread,
   * saving a thread-pool hop per write (see AppendLog's `inlineSync`). false keeps every fdatasync off the
   * event loop. Default true.
   */
  readonly inlineSync?: boolean;
  /** Open without the lock and without repairing anything; every write throws `LogReadOnlyError`. */
  readonly readOnly?: boolean;
  /** The file system to do I/O through (tests inject faults here). Default: the real one. */
  readonly fs?: FileSystem;
  /** Told about skipped corrupt records, cut tails, rejected snapshots and failed background work. */
  readonly onWarning?: (warning: PayloadStoreWarning) => void;
}

export interface PayloadStoreStats {
  /** Live ids. */
  readonly count: number;
  readonly logBytes: number;
  /** Bytes of the records the index points at. */
  readonly liveBytes: number;
  /** Bytes compaction would reclaim: overwritten and deleted records, delete records, skipped corrupt records. */
  readonly deadBytes: number;
  /** Records replayed from the log at open (after the snapshot, if one was used). */
  readonly recordsReplayed: number;
  /** Records skipped at open because their CRC did not match. */
  readonly corruptRecordsSkipped: number;
  /**
   * Bytes skipped at open inside the log: corrupt records, and damaged ranges that could not be framed but
   * had valid records after them (those were replayed; the range was quarantined and zeroed).
   */
  readonly corruptBytes: number;
  /** Damaged ranges stepped over at open. */
  readonly damagedRanges: number;
  /** Bytes cut from the end of the log at open (a torn tail or an unknown marker). */
  readonly bytesTruncated: number;
  /** Where the cut bytes were saved, if any were cut. */
  readonly quarantinePath: string | undefined;
  /** Log position of the snapshot the store opened from or last wrote; 0 when there is none. */
  readonly lastSnapshotPosition: number;
  /** Whether the open loaded a snapshot (false after a full replay, including a rejected snapshot). */
  readonly openedFromSnapshot: boolean;
  readonly snapshotsWritten: number;
  readonly compactions: number;
  /** Group writes and fdatasyncs of the log since open. */
  readonly writes: number;
  readonly syncs: number;
  /** Of `syncs`, those made on the calling thread (`inlineSync`). */
  readonly inlineSyncs: number;
  /** Bytes the in-memory index takes. */
  readonly indexBytes: number;
}

export interface SnapshotResult {
  /** Log position the snapshot covers up to. */
  readonly walPosition: number;
  readonly entries: number;
}

export interface CompactionResult {
  readonly bytesBefore: number;
  readonly bytesAfter: number;
}

/** Id forms the store accepts: a non-negative safe integer, or a bigint up to 2^64 - 1. */
export type PayloadId = number | bigint;
