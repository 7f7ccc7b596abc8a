import * as path from 'node:path';
import { AppendLog, type AppendWaiter, type Durability, type ReplaySummary } from '@kilndb/payload-store/log';
import type { FileSystem } from '@kilndb/snapshot';
import { frameStoreInPlace, PAYLOAD_OFFSET, storeRecordSize } from '@kilndb/wal-format';
import { ensureDirectory } from '../open/directories.js';
import { DatabaseLayoutError } from '../errors.js';
import { Mutex } from './mutex.js';
import { LOG_DIR, listSegments, readSegment, segmentEnd, segmentName, segmentReplay, type RecordHandler, type Segment } from './segments.js';
import type { DatabaseWarning } from '../warnings.js';

export interface EntryLogOptions {
  readonly fs: FileSystem;
  /** The database directory; segments live in its `log/`. */
  readonly directory: string;
  readonly durability: Durability;
  readonly flushIntervalMs?: number;
  /** See `DatabaseOptions.inlineSync`. */
  readonly inlineSync: boolean;
  readonly readOnly: boolean;
  /** Records up to this sequence number are in the snapshot: they are skipped, and so are segments holding only them. */
  readonly afterSeq: number;
  readonly onRecord: RecordHandler;
  readonly onWarning: (warning: DatabaseWarning) => void;
}

/** Record payloads an append writes in place: how many, each one's length in bytes, and how to write one at a position. */
export interface PayloadSource {
  readonly count: number;
  length(index: number): number;
  /** Writes payload `index` into `buf` at `at`: exactly `length(index)` bytes. */
  write(index: number, buf: Uint8Array, at: number): void;
}

/** Payloads already built (sealed ones, when the database is encrypted), as a PayloadSource. */
export function builtPayloads(payloads: readonly Uint8Array[]): PayloadSource {
  return {
    count: payloads.length,
    length: (index) => (payloads[index] as Uint8Array).length,
    write: (index, buf, at) => {
      buf.set(payloads[index] as Uint8Array, at);
    },
  };
}

/** Told how an append of entries went: where its records were placed, then that they are durable or why they failed. */
export interface EntryAppendWaiter extends AppendWaiter {
  placed(range: SeqRange): void;
}

export interface SeqRange {
  readonly firstSeq: number;
  readonly lastSeq: number;
}

/** What the replay at open skipped, over every live segment (their records after it were replayed). */
export interface ReplaySkipped {
  /** Records whose CRC did not match. */
  readonly corruptRecords: number;
  /** Bytes of those records and of damaged ranges. */
  readonly corruptBytes: number;
  /** Stretches that could not be framed, stepped over to the next valid record. */
  readonly damagedRanges: number;
  /** Entries that passed their CRC but could not be decrypted or decoded. */
  readonly unreadableEntries: number;
}

export interface EntryLogStats extends ReplaySkipped {
  readonly segments: number;
  /** Bytes in every live segment, buffered appends included. */
  readonly bytes: number;
  readonly activeSegmentBytes: number;
  readonly nextSeq: number;
  readonly writes: number;
  readonly syncs: number;
  /** Of `syncs`, those made on the calling thread (`DatabaseOptions.inlineSync`). */
  readonly inlineSyncs: number;
}

/**
 * The database's log: a sequence of segment files in `log/`, each a wal-format record file whose record
 * ids are strictly increasing sequence numbers. Appends go to the last segment through AppendLog (group
 * commit, durability modes, torn-tail repair); `roll` starts a new segment so compaction can retire the
 * old ones once a snapshot covers them.
 */
export class EntryLog {
  private nextSeqValue: number;
  /** Sizes of the live segments before the active one. */
  private sealedBytes: number;
  /** Held while segments are read for history or removed, so a reader never loses a file under it. */
  readonly segmentsLock = new Mutex();

  private constructor(
    private readonly options: EntryLogOptions,
    private readonly log: AppendLog,
    private segments: Segment[],
    nextSeq: number,
    sealedBytes: number,
    /** Segments wholly covered by the snapshot, left by a crash between snapshot and retirement. */
    readonly staleSegments: readonly Segment[],
    private readonly skipped: ReplaySkipped,
  ) {
    this.nextSeqValue = nextSeq;
    this.sealedBytes = sealedBytes;
  }

  static async open(options: EntryLogOptions): Promise<EntryLog> {
    const { fs, afterSeq, onRecord, onWarning } = options;
    const logDir = path.join(options.directory, LOG_DIR);
    if (!options.readOnly) await ensureDirectory(fs, logDir);
    const all = await listSegments(fs, logDir);
    const live: Segment[] = [];
    const stale: Segment[] = [];
    all.forEach((segment, i) => {
      (segmentEnd(all, i) <= afterSeq ? stale : live).push(segment);
    });
    const first = live[0];
    if (first !== undefined && first.start > afterSeq + 1) {
      throw new DatabaseLayoutError(
        first.path,
        `the log resumes at seq ${first.start} but the snapshot covers only up to seq ${afterSeq}: ` +
          'the segments in between are missing',
      );
    }
    let lastSeq = afterSeq;
    let unreadableEntries = 0;
    const accept: RecordHandler = (seq, payload, segment) => {
      if (seq <= afterSeq) return true;
      if (seq <= lastSeq) {
        onWarning({
          code: 'out-of-order-entry',
          path: segment.path,
          message: `${segment.path}: record seq ${seq} does not follow seq ${lastSeq}; skipped`,
        });
        return true;
      }
      lastSeq = seq;
      const readable = onRecord(seq, payload, segment);
      if (!readable) unreadableEntries++;
      return readable;
    };
    let corruptRecords = 0;
    let corruptBytes = 0;
    let damagedRanges = 0;
    const count = (replay: ReplaySummary): void => {
      corruptRecords += replay.corruptRecords;
      corruptBytes += replay.corruptBytes;
      damagedRanges += replay.damage.length;
    };
    let sealedBytes = 0;
    for (const segment of live.slice(0, -1)) {
      const replay = await readSegment(fs, segment, accept, onWarning);
      count(replay);
      // Zeros a crash left after a sealed segment's last record were preallocated, not data.
      sealedBytes += ((await fs.stat(segment.path))?.size ?? 0) - replay.zeroTailBytes;
    }
    const active = live.at(-1) ?? { start: afterSeq + 1, path: path.join(logDir, segmentName(afterSeq + 1)) };
    if (live.length === 0) live.push(active);
    const log = await AppendLog.open(active.path, {
      fs,
      durability: options.durability,
      inlineSync: options.inlineSync,
      readOnly: options.readOnly,
      onWarning,
      ...segmentReplay(active, accept),
      ...(options.flushIntervalMs === undefined ? {} : { flushIntervalMs: options.flushIntervalMs }),
    });
    count(log.replay);
    const nextSeq = Math.max(lastSeq + 1, active.start);
    return new EntryLog(options, log, live, nextSeq, sealedBytes, stale, { corruptRecords, corruptBytes, damagedRanges, unreadableEntries });
  }

  /** The sequence number the next record gets. */
  get nextSeq(): number {
    return this.nextSeqValue;
  }

  get activeSegment(): Segment {
    const active = this.segments.at(-1);
    if (active === undefined) throw new Error('the entry log has no segment');
    return active;
  }

  /** Live segments, oldest first. */
  get liveSegments(): readonly Segment[] {
    return this.segments;
  }

  /** Bytes in all live segments. */
  get bytes(): number {
    return this.sealedBytes + this.log.size;
  }

  stats(): EntryLogStats {
    const log = this.log.stats();
    return {
      segments: this.segments.length,
      bytes: this.bytes,
      activeSegmentBytes: log.size,
      nextSeq: this.nextSeqValue,
      writes: log.writes,
      syncs: log.syncs,
      inlineSyncs: log.inlineSyncs,
      ...this.skipped,
    };
  }

  /**
   * Appends one record per payload, with consecutive sequence numbers, as one group write; each payload is
   * written straight into the log's buffer and framed there. `to.placed` is told when the records take their
   * place in the log (their sequence numbers are fixed then), `to.appended` once the log's durability holds
   * for them, or `to.failed`; see AppendLog.appendFor for when (it may be before this returns) and what throws.
   */
  appendFor(to: EntryAppendWaiter, payloads: PayloadSource): void {
    let size = 0;
    for (let i = 0; i < payloads.count; i++) size += storeRecordSize(payloads.length(i));
    this.log.appendFor(
      to,
      size,
      (buf, at) => {
        const firstSeq = this.nextSeqValue;
        let seq = firstSeq;
        let offset = at;
        for (let i = 0; i < payloads.count; i++) {
          payloads.write(i, buf, offset + PAYLOAD_OFFSET);
          offset += frameStoreInPlace(buf, offset, seq++, payloads.length(i));
        }
        // Taken only once every record is in place: an append that throws leaves the numbers unused.
        this.nextSeqValue = seq;
        to.placed({ firstSeq, lastSeq: seq - 1 });
      },
    );
  }

  flush(): Promise<void> {
    return this.log.flush();
  }

  /**
   * Seals the active segment and starts a new one, then runs `inside` with the sequence number the sealed
   * segments cover. Appends wait while this runs, so `inside` sees no record beyond that number.
   * (No new segment is started when the active one has no record yet.)
   */
  roll<T>(inside: (coveredSeq: number) => Promise<T>): Promise<T> {
    return this.log.runExclusive(async () => {
      const active = this.activeSegment;
      const start = this.nextSeqValue;
      if (start > active.start) {
        const logDir = path.dirname(active.path);
        const next: Segment = { start, path: path.join(logDir, segmentName(start)) };
        const handle = await this.options.fs.open(next.path, 'createExclusive');
        try {
          await this.options.fs.syncDirectory(logDir);
        } catch (error) {
          await handle.close();
          throw error;
        }
        const sealedSize = this.log.size;
        await this.log.replaceFile(next.path, handle, 0);
        this.sealedBytes += sealedSize;
        this.segments.push(next);
      }
      return inside(start - 1);
    });
  }

  /** Live segments, except the active one, whose records all lie at or below `seq`. */
  segmentsThrough(seq: number): Segment[] {
    return this.segments.filter((_, i) => i < this.segments.length - 1 && segmentEnd(this.segments, i) <= seq);
  }

  /** Forgets `segments` (after the caller deleted or moved them), given their byte sizes. */
  forget(segments: readonly Segment[], bytes: number): void {
    const gone = new Set(segments.map((s) => s.path));
    this.segments = this.segments.filter((s) => !gone.has(s.path));
    this.sealedBytes = Math.max(0, this.sealedBytes - bytes);
  }

  close(): Promise<void> {
    return this.log.close();
  }
}
