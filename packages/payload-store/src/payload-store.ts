import * as path from 'node:path';
import { cleanStaleTemps, isErrno, nodeFileSystem, writeIndexSnapshot, type FileSystem } from '@kilndb/snapshot';
import {
  DELETE_RECORD_SIZE,
  decodeRecord,
  encodeDeleteInto,
  encodeStoreInto,
  LENGTH_FIELD_OFFSET,
  STORE_OVERHEAD,
  type ScanEntry,
} from '@kilndb/wal-format';
import { AppendLog, type Durability, type LogWarning } from './append-log.js';
import { checkBatch, checkEntry } from './batch-input.js';
import { compactLog } from './compaction.js';
import { DirectoryLock } from './directory-lock.js';
import {
  LogClosedError,
  LogFailedError,
  LogReadOnlyError,
  PayloadCorruptError,
  ReplayStartError,
  StoreInputError,
  StoreLayoutError,
} from './errors.js';
import { ABSENT, IdIndex, UNKNOWN_SIZE, type IndexKey } from './id-index.js';
import { captureIndexSnapshot, loadIndexSnapshot } from './index-snapshot.js';
import { decodePayload, payloadLength, stringifyPayload, writePayload, type JsonValue } from './payload-json.js';
import { fromRecordId, toIndexKey } from './record-id.js';
import { COMPACTION_FILE, LOG_FILE, SNAPSHOT_FILE } from './store-files.js';
import { checkStoreDirectory } from './store-layout.js';
import { checkStoreOptions } from './store-options.js';

const DEFAULT_SNAPSHOT_THRESHOLD = 10 * 1024 * 1024;
const DEFAULT_AUTO_COMPACT_MIN_BYTES = 64 * 1024 * 1024;
/** First read of a record whose size is not known (loaded from a snapshot): enough for most payloads. */
const GUESS_READ_BYTES = 4096;

export interface PayloadStoreWarning {
  readonly code: LogWarning['code'] | 'snapshot-rejected' | 'snapshot-failed' | 'compaction-failed';
  readonly message: string;
  readonly path: string;
  readonly offset?: number;
}

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

/**
 * A durable id → JSON store: one append-only CRC-checked log (`payloads.log`), an in-memory index of where
 * each id's latest record starts, and a VSNP index snapshot (`payloads.snapshot`) for fast opens. Reads
 * and writes VelesDB's directory layout and record format.
 *
 * Ids are u64: numbers up to 2^53 - 1 and bigints up to 2^64 - 1 (a bigint that fits a safe integer is
 * the same id as that number). `ids()` yields numbers for ids up to 2^53 - 1 and bigints above.
 */
export class PayloadStore {
  private readonly index: IdIndex;
  /** Reused by every read; grown when a record is larger. */
  private readBuffer = new Uint8Array(64 * 1024);
  /** Writes issued whose records are not applied (or failed) yet. */
  private pendingWrites = 0;
  /** Writes that passed the gate and appended, whose records are not applied (or failed) yet. */
  private appending = 0;
  /** Set while maintenance needs the index to match the log exactly: new writes wait for it. */
  private gate: Promise<void> | undefined;
  private lastSnapshotPosition: number;
  private snapshotsWritten = 0;
  private compactions = 0;
  private maintenance: Promise<unknown> = Promise.resolve();
  private background: Promise<void> | undefined;
  /** The write-behind flush under way, settling with its error if it failed. */
  private failure: LogFailedError | undefined;
  private closed = false;

  private constructor(
    readonly directory: string,
    private readonly log: AppendLog,
    index: IdIndex,
    private readonly live: LiveBytes,
    private readonly lock: DirectoryLock | undefined,
    private readonly fs: FileSystem,
    private readonly options: PayloadStoreOptions,
    private readonly opened: { snapshotPosition: number; fromSnapshot: boolean },
  ) {
    this.index = index;
    this.lastSnapshotPosition = opened.snapshotPosition;
  }

  /**
   * Opens (creating it unless read-only) the store in `directory`: loads `payloads.snapshot` if it checks out
   * and replays the log after it, else replays the whole log. A torn tail is cut and kept aside in a
   * quarantine file, a snapshot that does not fit the log is ignored (with a warning). Throws
   * StoreOptionError for a bad option and StoreLayoutError, having written nothing, when `directory` is a
   * file or holds a doc-engine database.
   */
  static async open(directory: string, options: PayloadStoreOptions = {}): Promise<PayloadStore> {
    checkStoreOptions(options);
    if (typeof directory !== 'string' || directory === '') throw new StoreInputError('directory', 'must be a non-empty path');
    const fs = options.fs ?? nodeFileSystem;
    const readOnly = options.readOnly ?? false;
    const warn = options.onWarning ?? (() => undefined);
    const logPath = path.join(directory, LOG_FILE);
    const snapshotPath = path.join(directory, SNAPSHOT_FILE);
    let lock: DirectoryLock | undefined;
    await checkStoreDirectory(fs, directory);
    if (!readOnly) {
      await makeDirectory(fs, directory);
      lock = await DirectoryLock.acquire(directory, fs);
    }
    try {
      if (!readOnly) {
        await removeStaleCompaction(fs, directory);
        await cleanStaleTemps(fs, directory);
      }
      const snapshot = await loadIndexSnapshot(fs, snapshotPath, logPath, warn);
      const logOptions = {
        fs,
        readOnly,
        onWarning: warn,
        ...(options.durability !== undefined && { durability: options.durability }),
        ...(options.flushIntervalMs !== undefined && { flushIntervalMs: options.flushIntervalMs }),
      };
      let index = snapshot?.index ?? new IdIndex();
      // Snapshot entries come without sizes (VSNP keeps offsets only).
      let live = new LiveBytes(0, index.count);
      let snapshotPosition = snapshot?.walPosition ?? 0;
      let fromSnapshot = snapshot !== undefined;
      let log: AppendLog;
      try {
        log = await AppendLog.open(logPath, { ...logOptions, replayFrom: snapshotPosition, onRecord: replayInto(index, live) });
      } catch (error) {
        // wal_pos is not a record boundary: the snapshot does not describe this log.
        if (!(error instanceof ReplayStartError) || snapshot === undefined) throw error;
        warn({ code: 'snapshot-rejected', path: snapshotPath, message: `${snapshotPath} ignored (full replay): ${error.message}` });
        index = new IdIndex();
        live = new LiveBytes(0, 0);
        snapshotPosition = 0;
        fromSnapshot = false;
        log = await AppendLog.open(logPath, { ...logOptions, onRecord: replayInto(index, live) });
      }
      return new PayloadStore(directory, log, index, live, lock, fs, options, { snapshotPosition, fromSnapshot });
    } catch (error) {
      await lock?.release();
      throw error;
    }
  }

  /** Live ids. */
  get count(): number {
    return this.index.count;
  }

  get durability(): Durability {
    return this.log.durability;
  }

  /** Stores `value` (any JSON value) under `id`; settles once the store's durability holds for it. */
  async store(id: PayloadId, value: unknown): Promise<void> {
    const key = toIndexKey(id);
    const text = stringifyPayload(id, value);
    this.assertWritable();
    const length = payloadLength(text);
    const size = STORE_OVERHEAD + length;
    await this.write(
      size,
      (buf, at) => {
        encodeStoreRecord(buf, at, key, text, length);
      },
      (offset) => {
        this.applyStore(key, offset, size);
      },
    );
  }

  /**
   * Stores every entry with one write and (with `'fsync'`) one fdatasync. The values are all checked first:
   * one that is not JSON rejects the batch and nothing is written. Not atomic across a crash: until the
   * promise settles, any prefix of the batch may be what survives.
   */
  storeBatch(entries: Iterable<readonly [PayloadId, unknown]>): Promise<void> {
    return this.writeBatch(entries, false);
  }

  /** Like `storeBatch`, but settles at once without waiting for the disk; `flush()` makes it durable. */
  storeBatchDeferred(entries: Iterable<readonly [PayloadId, unknown]>): Promise<void> {
    return this.writeBatch(entries, true);
  }

  /** The value stored under `id`, or `undefined`. Throws `PayloadCorruptError` if its record fails its CRC. */
  retrieve(id: PayloadId): JsonValue | undefined {
    this.assertOpen();
    const key = toIndexKey(id);
    const index = this.index;
    if (!index.lookup(key)) return undefined;
    const offset = index.foundOffset;
    const payload = this.readPayload(key, offset, index.foundSize);
    try {
      return decodePayload(payload);
    } catch (error) {
      throw new PayloadCorruptError(id, offset, this.log.path, `the payload is not JSON (${(error as Error).message})`);
    }
  }

  has(id: PayloadId): boolean {
    this.assertOpen();
    return this.index.has(toIndexKey(id));
  }

  /**
   * Every live id, as of the call: numbers for ids up to 2^53 - 1, bigints above. In no particular order.
   * Writes made while iterating do not disturb it.
   */
  ids(): IterableIterator<PayloadId> {
    this.assertOpen();
    const numbers: number[] = [];
    const large: bigint[] = [];
    this.index.forEach((key) => {
      if (typeof key === 'number') numbers.push(key);
      else large.push(key);
    });
    return (function* (): Generator<PayloadId, undefined, undefined> {
      yield* numbers;
      yield* large;
      return undefined;
    })();
  }

  /**
   * Deletes `id`; resolves `true` if it was there. An id that is not in the store (and has no write under
   * way) writes nothing and syncs nothing.
   */
  async delete(id: PayloadId): Promise<boolean> {
    const key = toIndexKey(id);
    this.assertWritable();
    if (this.pendingWrites === 0 && !this.index.has(key)) return false;
    let existed = false;
    await this.write(
      DELETE_RECORD_SIZE,
      (buf, at) => {
        encodeDeleteInto(buf, at, key);
      },
      () => {
        existed = this.applyDelete(key);
      },
    );
    return existed;
  }

  /** Deletes every id in one write and one fdatasync; resolves how many were there. Unknown ids write nothing. */
  async deleteBatch(ids: Iterable<PayloadId>): Promise<number> {
    checkBatch('deleteBatch', ids, 'an iterable of ids');
    const keys: IndexKey[] = [];
    for (const id of ids) keys.push(toIndexKey(id));
    this.assertWritable();
    const wanted = this.pendingWrites === 0 ? keys.filter((key) => this.index.has(key)) : keys;
    if (wanted.length === 0) return 0;
    let deleted = 0;
    await this.write(
      wanted.length * DELETE_RECORD_SIZE,
      (buf, at) => {
        for (const [i, key] of wanted.entries()) encodeDeleteInto(buf, at + i * DELETE_RECORD_SIZE, key);
      },
      () => {
        for (const key of wanted) if (this.applyDelete(key)) deleted++;
      },
    );
    return deleted;
  }

  /** Writes and fdatasyncs everything written so far (deferred batches, `'none'` and `'flush'` writes). */
  async flush(): Promise<void> {
    this.assertUsable();
    await this.log.flush();
  }

  /** Whether the log has grown past `snapshotThresholdBytes` since the last snapshot. */
  shouldCreateSnapshot(): boolean {
    const threshold = this.options.snapshotThresholdBytes ?? DEFAULT_SNAPSHOT_THRESHOLD;
    return !this.readOnly && this.log.size - this.lastSnapshotPosition >= threshold;
  }

  /**
   * Writes `payloads.snapshot` (atomically: a crash leaves the old one or the new one) for the log as it is
   * now. Writes continue meanwhile; only the moment the index is copied holds them back.
   */
  createSnapshot(): Promise<SnapshotResult> {
    this.assertWritable();
    return this.serialize(() => this.writeSnapshot());
  }

  /**
   * Rewrites the live records into a new log and swaps it in; reads and writes go on meanwhile. A crash at
   * any step leaves a store that opens with every acknowledged write. Legacy records come out as CRC records.
   * Throws `PayloadCorruptError` (and changes nothing) if a live record fails its CRC.
   */
  compact(): Promise<CompactionResult> {
    this.assertWritable();
    return this.serialize(() => this.runCompaction());
  }

  stats(): PayloadStoreStats {
    this.assertOpen();
    this.resolveUnknownSizes();
    const logStats = this.log.stats();
    const replay = this.log.replay;
    return {
      count: this.index.count,
      logBytes: logStats.size,
      liveBytes: this.live.known,
      deadBytes: logStats.size - this.live.known,
      recordsReplayed: replay.records,
      corruptRecordsSkipped: replay.corruptRecords,
      corruptBytes: replay.corruptBytes,
      damagedRanges: replay.damage.length,
      bytesTruncated: replay.truncatedBytes,
      quarantinePath: replay.quarantinePath,
      lastSnapshotPosition: this.lastSnapshotPosition,
      openedFromSnapshot: this.opened.fromSnapshot,
      snapshotsWritten: this.snapshotsWritten,
      compactions: this.compactions,
      writes: logStats.writes,
      syncs: logStats.syncs,
      indexBytes: this.index.byteLength,
    };
  }

  /** Waits for background snapshots and compactions, writes and syncs what is buffered, and releases the directory. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.maintenance.catch(() => undefined);
    try {
      await this.log.close();
    } finally {
      await this.lock?.release();
    }
  }

  private get readOnly(): boolean {
    return this.options.readOnly ?? false;
  }

  private get logPath(): string {
    return path.join(this.directory, LOG_FILE);
  }

  private assertOpen(): void {
    if (this.closed) throw new LogClosedError(this.logPath);
  }

  private assertUsable(): void {
    this.assertOpen();
    if (this.failure !== undefined) throw this.failure;
  }

  private assertWritable(): void {
    this.assertUsable();
    if (this.readOnly) throw new LogReadOnlyError(this.logPath);
  }

  private async writeBatch(entries: Iterable<readonly [PayloadId, unknown]>, defer: boolean): Promise<void> {
    const method = defer ? 'storeBatchDeferred' : 'storeBatch';
    checkBatch(method, entries, 'an iterable of [id, value] pairs');
    const keys: IndexKey[] = [];
    const texts: string[] = [];
    const lengths: number[] = [];
    let total = 0;
    for (const entry of entries) {
      checkEntry(method, entry, keys.length);
      const [id, value] = entry;
      keys.push(toIndexKey(id));
      const text = stringifyPayload(id, value);
      const length = payloadLength(text);
      texts.push(text);
      lengths.push(length);
      total += STORE_OVERHEAD + length;
    }
    this.assertWritable();
    if (keys.length === 0) return;
    await this.write(
      total,
      (buf, at) => {
        for (let i = 0; i < keys.length; i++) {
          at += encodeStoreRecord(buf, at, keys[i] ?? 0, texts[i] ?? '', lengths[i] ?? 0);
        }
      },
      (offset) => {
        let at = offset;
        for (let i = 0; i < keys.length; i++) {
          const size = STORE_OVERHEAD + (lengths[i] ?? 0);
          this.applyStore(keys[i] ?? 0, at, size);
          at += size;
        }
      },
      defer,
    );
  }

  /**
   * Appends `size` bytes that `encode` writes and, once the append settles (the store's durability holds,
   * or at once if deferred), applies them to the index with `apply`: the index never shows a write that
   * failed. Waits first while maintenance holds the gate, so every append it lets through is applied before
   * maintenance reads the index.
   */
  private write(
    size: number,
    encode: (buf: Uint8Array, at: number) => void,
    apply: (offset: number) => void,
    defer = false,
  ): Promise<void> {
    if (this.gate !== undefined) return this.writeAfterGate(size, encode, apply, defer);
    this.assertWritable();
    const appended = this.log.append(size, encode, defer ? DEFERRED : NOT_DEFERRED);
    this.pendingWrites++;
    this.appending++;
    return appended.then(
      (offset) => {
        this.pendingWrites--;
        this.appending--;
        apply(offset);
        this.afterWrite();
      },
      (error: unknown) => {
        this.pendingWrites--;
        this.appending--;
        throw error;
      },
    );
  }

  /** A write that met the gate: it counts as pending while it waits, then goes through `write`. */
  private async writeAfterGate(
    size: number,
    encode: (buf: Uint8Array, at: number) => void,
    apply: (offset: number) => void,
    defer: boolean,
  ): Promise<void> {
    this.pendingWrites++;
    try {
      while (this.gate !== undefined) await this.gate;
    } finally {
      this.pendingWrites--;
    }
    return this.write(size, encode, apply, defer);
  }

  private applyStore(key: IndexKey, offset: number, size: number): void {
    this.live.replace(this.index.set(key, offset, size), size);
  }

  private applyDelete(key: IndexKey): boolean {
    const previous = this.index.delete(key);
    this.live.replace(previous, ABSENT);
    return previous !== ABSENT;
  }

  /**
   * Reads the record of `key` at `offset` with one read (two when its size is not known and it is larger
   * than a first guess), checks its CRC and id, and returns a view of its payload (valid until the next read).
   */
  private readPayload(key: IndexKey, offset: number, knownSize: number): Uint8Array {
    const sizeKnown = knownSize !== UNKNOWN_SIZE;
    let want = sizeKnown ? knownSize : GUESS_READ_BYTES;
    for (;;) {
      if (this.readBuffer.length < want) this.readBuffer = new Uint8Array(Math.max(want, 2 * this.readBuffer.length));
      const view = want === this.readBuffer.length ? this.readBuffer : this.readBuffer.subarray(0, want);
      const read = this.log.readSync(view, offset);
      const record = decodeRecord(read === want ? view : view.subarray(0, read));
      if (record.type === 'incomplete' && !sizeKnown && read === want && record.needed > want) {
        want = record.needed;
        continue;
      }
      if (record.type === 'store' && fromRecordId(record.id) === key) {
        if (!sizeKnown) {
          this.index.setSize(key, record.size);
          this.live.replace(UNKNOWN_SIZE, record.size);
        }
        return record.payload;
      }
      const corrupt = (reason: string): PayloadCorruptError => new PayloadCorruptError(key, offset, this.log.path, reason);
      switch (record.type) {
        case 'store':
          throw corrupt(`it holds id ${record.id}`);
        case 'corrupt':
          throw corrupt(`its CRC does not match (stored ${hex(record.storedCrc)}, computed ${hex(record.computedCrc)})`);
        case 'incomplete':
          throw corrupt(`the log ends inside it (${record.available} of ${record.needed} bytes)`);
        case 'delete':
          throw corrupt('it is a delete record');
        case 'unknown':
          throw corrupt(`unknown marker byte 0x${record.marker.toString(16).padStart(2, '0')}`);
      }
    }
  }

  /** Learns the size of every entry loaded from a snapshot (one small read each), for the byte accounting. */
  private resolveUnknownSizes(): void {
    if (this.live.unknown === 0) return;
    const header = new Uint8Array(STORE_OVERHEAD);
    const found: [IndexKey, number][] = [];
    this.index.forEach((key, offset, size) => {
      if (size !== UNKNOWN_SIZE) return;
      const read = this.log.readSync(header, offset);
      const record = decodeRecord(header.subarray(0, read));
      if (record.type === 'incomplete' && record.needed > STORE_OVERHEAD) found.push([key, record.needed]);
      else if (record.type === 'store' || record.type === 'corrupt') found.push([key, record.size]);
    });
    for (const [key, size] of found) {
      this.index.setSize(key, size);
      this.live.replace(UNKNOWN_SIZE, size);
    }
  }

  private afterWrite(): void {
    if (this.background !== undefined || this.closed || this.failure !== undefined) return;
    if (this.shouldCreateSnapshot()) {
      this.runInBackground('snapshot-failed', () => this.writeSnapshot());
      return;
    }
    const ratio = this.options.autoCompactDeadRatio;
    if (ratio === undefined || this.log.size < (this.options.autoCompactMinBytes ?? DEFAULT_AUTO_COMPACT_MIN_BYTES)) {
      return;
    }
    this.resolveUnknownSizes();
    if (this.log.size - this.live.known >= ratio * this.log.size) {
      this.runInBackground('compaction-failed', () => this.runCompaction());
    }
  }

  /** Runs maintenance the writes did not ask to wait for; a failure becomes a warning, never a failed write. */
  private runInBackground(code: 'snapshot-failed' | 'compaction-failed', task: () => Promise<unknown>): void {
    const what = code === 'snapshot-failed' ? 'snapshot' : 'compaction';
    this.background = this.serialize(() => (this.closed ? Promise.resolve() : task())).then(
      () => {
        this.background = undefined;
      },
      (error: unknown) => {
        this.background = undefined;
        const reason = error instanceof Error ? error.message : String(error);
        this.warn({ code, path: this.directory, message: `${this.directory}: background ${what} failed: ${reason}` });
      },
    );
  }

  private serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = this.maintenance.then(task, task);
    this.maintenance = run.catch(() => undefined);
    return run;
  }

  private warn(warning: PayloadStoreWarning): void {
    this.options.onWarning?.(warning);
  }

  /**
   * Runs `fn` while the index matches the log exactly: new writes wait at the gate, the log writes and
   * syncs what it holds (`runExclusive`), and every write already appended is applied to the index.
   */
  private async quiesce<T>(fn: () => Promise<T>): Promise<T> {
    let open!: () => void;
    this.gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    try {
      return await this.log.runExclusive(async () => {
        // Their appends are written and settled by now; their index updates are a few microtasks away.
        while (this.appending > 0) await new Promise((resolve) => setImmediate(resolve));
        return fn();
      });
    } finally {
      this.gate = undefined;
      open();
    }
  }

  private async writeSnapshot(): Promise<SnapshotResult> {
    this.assertWritable();
    const snapshot = await this.quiesce(() => Promise.resolve(captureIndexSnapshot(this.index, this.log.size)));
    await writeIndexSnapshot(this.fs, path.join(this.directory, SNAPSHOT_FILE), snapshot);
    this.lastSnapshotPosition = snapshot.walPosition;
    this.snapshotsWritten++;
    return { walPosition: snapshot.walPosition, entries: snapshot.count };
  }

  private async runCompaction(): Promise<CompactionResult> {
    this.assertWritable();
    const bytesBefore = this.log.size;
    await compactLog({
      fs: this.fs,
      directory: this.directory,
      log: this.log,
      index: this.index,
      quiesce: (fn) => this.quiesce(fn),
      onSnapshotRemoved: () => {
        this.lastSnapshotPosition = 0;
      },
      onSwapped: () => {
        // Legacy records were rewritten with a CRC and sizes learned: count again.
        const { known, unknown } = this.index.sizeTotals();
        this.live.known = known;
        this.live.unknown = unknown;
      },
      onUnrecoverable: (failure) => {
        this.failure = failure;
      },
    });
    this.compactions++;
    const bytesAfter = this.log.size;
    try {
      await this.writeSnapshot();
    } catch (error) {
      this.warn({ code: 'snapshot-failed', path: this.directory, message: `snapshot after compaction failed: ${String(error)}` });
    }
    return { bytesBefore, bytesAfter };
  }
}

const DEFERRED = { defer: true } as const;
const NOT_DEFERRED = { defer: false } as const;

/** Where a store record's payload starts: after the marker, the id and the length field. */
const PAYLOAD_OFFSET = LENGTH_FIELD_OFFSET + 4;

/**
 * Writes the store record of `text` (`length` UTF-8 bytes) at `at`: the JSON is encoded straight into its
 * place in the record, then wal-format's encoder frames it there (its copy of the payload onto itself costs
 * a memmove), so the record layout has one implementation and the payload no intermediate buffer.
 */
function encodeStoreRecord(buf: Uint8Array, at: number, key: IndexKey, text: string, length: number): number {
  const payload = buf.subarray(at + PAYLOAD_OFFSET, at + PAYLOAD_OFFSET + length);
  writePayload(text, payload);
  return encodeStoreInto(buf, at, key, payload);
}

/** Bytes of the records the index points at, as far as their sizes are known. */
class LiveBytes {
  constructor(
    /** Sum of the known record sizes. */
    public known: number,
    /** Entries whose record size is not known yet (loaded from a snapshot). */
    public unknown: number,
  ) {}

  /** An entry now points at a record of `size` bytes instead of `previous` (either may be ABSENT or UNKNOWN_SIZE). */
  replace(previous: number, size: number): void {
    if (previous === UNKNOWN_SIZE) this.unknown--;
    else if (previous !== ABSENT) this.known -= previous;
    if (size === UNKNOWN_SIZE) this.unknown++;
    else if (size !== ABSENT) this.known += size;
  }
}

/** Applies replayed records to `index` and `live` (sizes known, since the records are read whole). */
function replayInto(index: IdIndex, live: LiveBytes): (entry: ScanEntry) => void {
  return ({ offset, record }) => {
    if (record.type === 'store') live.replace(index.set(fromRecordId(record.id), offset, record.size), record.size);
    else if (record.type === 'delete') live.replace(index.delete(fromRecordId(record.id)), ABSENT);
  };
}

/** Creates the store directory; a parent that is a file is a StoreLayoutError, not a bare ENOTDIR. */
async function makeDirectory(fs: FileSystem, directory: string): Promise<void> {
  try {
    await fs.mkdir(directory);
  } catch (error) {
    if (isErrno(error, 'ENOTDIR') || isErrno(error, 'EEXIST')) throw new StoreLayoutError(directory, 'cannot be created: a part of the path is a file');
    throw error;
  }
}

async function removeStaleCompaction(fs: FileSystem, directory: string): Promise<void> {
  try {
    await fs.unlink(path.join(directory, COMPACTION_FILE));
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return;
    throw error;
  }
  await fs.syncDirectory(directory);
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
