import type { FileSystem } from '@kilndb/snapshot';
import type { ScanEntry } from '@kilndb/wal-format';

/**
 * When an append's promise settles:
 * - `'fsync'`: after the bytes are written and fdatasync'd: the append survives power loss.
 * - `'flush'`: after the bytes are handed to the OS: the append survives a process crash.
 * - `'none'`: at once; the bytes are written by `flush()`, `close()` or a background timer.
 */
export type Durability = 'fsync' | 'flush' | 'none';

export interface LogWarning {
  readonly code: 'corrupt-record' | 'damaged-range' | 'torn-tail' | 'background-flush-failed';
  readonly message: string;
  readonly path: string;
  readonly offset?: number;
}

/** Default `writeBehindBytes`: 2 MiB, enough to batch a bulk load's writes without holding much memory. */
export const DEFAULT_WRITE_BEHIND_BYTES = 2 * 1024 * 1024;

/** How a log file is replayed: by the reader (`readLog`) and by the writer (`AppendLog.open`) alike. */
export interface ReplayOptions {
  readonly fs?: FileSystem;
  /** Byte offset replay starts at (a snapshot's log position); it must be a record boundary. Default 0. */
  readonly replayFrom?: number;
  /** Called for each valid record met during replay, in log order. Payloads are views: copy what you keep. */
  readonly onRecord?: (entry: ScanEntry) => void;
  /**
   * After damage, replay resumes at the first whole valid record this accepts, given its id (called before
   * its CRC is checked). doc-engine asks for a sequence number above the last one read. Default: any.
   */
  readonly acceptResync?: (id: bigint) => boolean;
  readonly onWarning?: (warning: LogWarning) => void;
  /** Size of each read during replay. Default 4 MiB. */
  readonly replayChunkBytes?: number;
}

export interface AppendLogOptions extends ReplayOptions {
  /** Default `'fsync'`. */
  readonly durability?: Durability;
  /** Longest time acknowledged-but-unwritten bytes wait for the background write. Default 50 ms. */
  readonly flushIntervalMs?: number;
  /**
   * Most bytes that settled appends ('none' or deferred) may leave unwritten. The append that reaches it
   * writes them at once, so a loop that never yields to the event loop (a bulk load) keeps memory bounded.
   * Default `DEFAULT_WRITE_BEHIND_BYTES` (2 MiB).
   */
  readonly writeBehindBytes?: number;
  /** Replays without repairing anything and refuses appends. A missing file reads as empty. */
  readonly readOnly?: boolean;
  /**
   * Largest step, in bytes, by which the file is grown with zeros ahead of the appends, so that a commit's
   * fdatasync overwrites allocated space instead of changing the file's size. Steps start at 64 KiB and
   * grow with the log up to this. 0 turns preallocation off. Default 8 MiB.
   */
  readonly preallocateBytes?: number;
  /**
   * Lets a writer found committing alone (one append at a time, nobody else appending during its syncs) on
   * a quick disk (syncs averaging under 1 ms) fdatasync on the calling thread, saving the thread-pool hop.
   * The event loop then waits for each such sync. false keeps every fdatasync on the thread pool. Default true.
   */
  readonly inlineSync?: boolean;
}

export interface AppendLogStats {
  /** Logical end: every appended byte, written or not. */
  readonly size: number;
  readonly writtenBytes: number;
  readonly syncedBytes: number;
  /** Group writes issued. */
  readonly writes: number;
  /** fdatasync calls issued. */
  readonly syncs: number;
  /** Of `syncs`, those made on the calling thread (see `AppendLogOptions.inlineSync`). */
  readonly inlineSyncs: number;
}

export interface AppendOptions {
  /** Settle at once and leave the bytes for `flush()`, whatever the log's durability. */
  readonly defer?: boolean;
}
