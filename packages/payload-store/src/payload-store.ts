import * as path from 'node:path';
import { cleanStaleTemps, nodeFileSystem, type FileSystem } from '@kilndb/snapshot';
import {
  DELETE_RECORD_SIZE,
  encodeDeleteInto,
  STORE_OVERHEAD,
  type ScanEntry,
} from '@kilndb/wal-format';
import { checkBatch, checkEntry } from './batch-input.js';
import {
  LogClosedError,
  LogFailedError,
  LogReadOnlyError,
  PayloadCorruptError,
  ReplayStartError,
  StoreInputError,
} from './errors.js';
import { ABSENT, IdIndex, type IndexKey } from './id-index.js';
import { loadIndexSnapshot } from './id-index-snapshot.js';
import { LiveBytes } from './live-bytes.js';
import { AppendLog, DirectoryLock, type Durability } from './log/index.js';
import { StoreMaintenance } from './maintenance.js';
import { decodePayload, payloadLength, stringifyPayload, type JsonValue } from './payload-json.js';
import { PayloadReader } from './payload-reader.js';
import { fromRecordId, toIndexKey } from './record-id.js';
import { LOG_FILE, SNAPSHOT_FILE } from './store-files.js';
import { checkStoreDirectory, makeStoreDirectory, removeStaleCompaction } from './store-layout.js';
import { checkStoreOptions } from './store-options.js';
import { encodeStoreRecord } from './store-record.js';
import type { CompactionResult, PayloadId, PayloadStoreOptions, PayloadStoreStats, SnapshotResult } from './store-types.js';

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
  private readonly reader: PayloadReader;
  private readonly maintenance: StoreMaintenance;
  /** Writes issued whose records are not applied (or failed) yet. */
  private pendingWrites = 0;
  /** Writes that passed the gate and appended, whose records are not applied (or failed) yet. */
  private appending = 0;
  /** Set while maintenance needs the index to match the log exactly: new writes wait for it. */
  private gate: Promise<void> | undefined;
  /** Set when a compaction left the log unable to take writes safely: every later read or write throws it. */
  private failure: LogFailedError | undefined;
  private closed = false;

  private constructor(
    readonly directory: string,
    private readonly log: AppendLog,
    index: IdIndex,
    private readonly live: LiveBytes,
    private readonly lock: DirectoryLock | undefined,
    fs: FileSystem,
    private readonly options: PayloadStoreOptions,
    private readonly opened: { snapshotPosition: number; fromSnapshot: boolean },
  ) {
    this.index = index;
    this.reader = new PayloadReader(log, index, live);
    this.maintenance = new StoreMaintenance(
      {
        directory,
        fs,
        log,
        index,
        live,
        options,
        isClosed: () => this.closed,
        assertWritable: () => {
          this.assertWritable();
        },
        quiesce: (fn) => this.quiesce(fn),
        resolveUnknownSizes: () => {
          this.reader.resolveUnknownSizes();
        },
        fail: (failure) => {
          this.failure = failure;
        },
      },
      opened.snapshotPosition,
    );
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
      await makeStoreDirectory(fs, directory);
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
        ...(options.inlineSync !== undefined && { inlineSync: options.inlineSync }),
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
    const payload = this.reader.readPayload(key, offset, index.foundSize);
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
    return this.maintenance.shouldCreateSnapshot();
  }

  /**
   * Writes `payloads.snapshot` (atomically: a crash leaves the old one or the new one) for the log as it is
   * now. Writes continue meanwhile; only the moment the index is copied holds them back.
   */
  createSnapshot(): Promise<SnapshotResult> {
    this.assertWritable();
    return this.maintenance.createSnapshot();
  }

  /**
   * Rewrites the live records into a new log and swaps it in; reads and writes go on meanwhile. A crash at
   * any step leaves a store that opens with every acknowledged write. Legacy records come out as CRC records.
   * Throws `PayloadCorruptError` (and changes nothing) if a live record fails its CRC.
   */
  compact(): Promise<CompactionResult> {
    this.assertWritable();
    return this.maintenance.compact();
  }

  stats(): PayloadStoreStats {
    this.assertOpen();
    this.reader.resolveUnknownSizes();
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
      lastSnapshotPosition: this.maintenance.lastSnapshotPosition,
      openedFromSnapshot: this.opened.fromSnapshot,
      snapshotsWritten: this.maintenance.snapshotsWritten,
      compactions: this.maintenance.compactions,
      writes: logStats.writes,
      syncs: logStats.syncs,
      inlineSyncs: logStats.inlineSyncs,
      indexBytes: this.index.byteLength,
    };
  }

  /** Waits for background snapshots and compactions, writes and syncs what is buffered, and releases the directory. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.maintenance.settled();
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

  private afterWrite(): void {
    if (this.closed || this.failure !== undefined) return;
    this.maintenance.afterWrite();
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
}

const DEFERRED = { defer: true } as const;
const NOT_DEFERRED = { defer: false } as const;

/** Applies replayed records to `index` and `live` (sizes known, since the records are read whole). */
function replayInto(index: IdIndex, live: LiveBytes): (entry: ScanEntry) => void {
  return ({ offset, record }) => {
    if (record.type === 'store') live.replace(index.set(fromRecordId(record.id), offset, record.size), record.size);
    else if (record.type === 'delete') live.replace(index.delete(fromRecordId(record.id)), ABSENT);
  };
}
