import * as path from 'node:path';
import { nodeFileSystem, type FileHandle } from '@kilndb/snapshot';
import { asError } from '@kilndb/wal-format';
import { EAGER_COMMIT_APPENDS, EAGER_COMMIT_BYTES, GroupBuffers, type AppendWaiter, type Group, type Sync, type WrittenGroup } from './commit-group.js';
import { LogClosedError, LogFailedError, LogReadOnlyError, LogWriteError } from '../errors.js';
import { DEFAULT_WRITE_BEHIND_BYTES, type AppendLogOptions, type AppendLogStats, type AppendOptions, type Durability, type LogWarning } from './log-options.js';
import { replayReadOnly } from './log-reader.js';
import { replayAndRepair } from './log-repair.js';
import { DEFAULT_PREALLOCATE_BYTES, Preallocation } from './preallocation.js';
import type { ReplaySummary } from './replay-summary.js';
import { CommitTiming } from './commit-timing.js';
import { canSyncInline, isSingleAppend, MAX_SYNCS_IN_FLIGHT, SyncPolicy, type InlineSyncable } from './sync-policy.js';

/**
 * An append-only file of wal-format records with group commit. Appends wait in a group; the group is written
 * with one synchronous write (page cache) and made durable with one fdatasync off the event loop (the handle's
 * `datasync`: nodeFileSystem's sync thread, or libuv's thread pool) while the next group fills (a writer
 * committing alone on a quick disk syncs on its own thread: sync-policy.ts). The one implementation of appending, group commit and torn-tail repair in KilnDB:
 * payload-store and doc-engine both write through it. Its reader is `readLog` (log-reader.ts).
 */
export class AppendLog {
  readonly durability: Durability;
  private filePath: string;
  private handle: FileHandle | undefined;
  private readonly writeBehindBytes: number;
  private readonly readOnly: boolean;
  private readonly onWarning: (warning: LogWarning) => void;

  private writtenEnd: number;
  private syncedEnd: number;
  private preallocation: Preallocation;
  /** The group appends go into; it always starts at `writtenEnd`. */
  private readonly buffers = new GroupBuffers();
  private pending = this.buffers.newGroup();
  /** Written groups whose waiters need an fdatasync that has not started yet. */
  private unsynced: WrittenGroup[] = [];
  /** In start order, so in increasing `covers`. */
  private syncsInFlight: Sync[] = [];
  /** Every fdatasync still running, including ones a failure abandoned: closing waits for them. */
  private readonly syncsRunning = new Set<Promise<void>>();
  /** A failed write being cut back: nothing is written until it ends. */
  private repairing: Promise<void> | undefined;
  /** Written groups to settle, in log order, and whether a settle is under way (see `settle`). */
  private readonly toSettle: WrittenGroup[] = [];
  private settling = false;
  private readonly timing: CommitTiming;
  private exclusive: Promise<void> | undefined;
  private failure: LogFailedError | undefined;
  private closed = false;
  private writes = 0;
  private syncs = 0;
  private readonly syncPolicy: SyncPolicy;

  /** What replay met when the log was opened. */
  readonly replay: ReplaySummary;

  private constructor(
    filePath: string,
    handle: FileHandle | undefined,
    end: number,
    options: AppendLogOptions,
    replay: ReplaySummary,
  ) {
    this.filePath = filePath;
    this.handle = handle;
    this.writtenEnd = end;
    this.syncedEnd = end;
    this.durability = options.durability ?? 'fsync';
    this.timing = new CommitTiming(this.durability, options.flushIntervalMs ?? 50, () => {
      if (this.exclusive === undefined) this.commit();
    });
    this.writeBehindBytes = options.writeBehindBytes ?? DEFAULT_WRITE_BEHIND_BYTES;
    this.readOnly = options.readOnly ?? false;
    // A read-only log owns no zeros to trim and grows nothing.
    this.preallocation = this.readOnly
      ? new Preallocation(end, 0)
      : new Preallocation(end + replay.zeroTailBytes, options.preallocateBytes ?? DEFAULT_PREALLOCATE_BYTES);
    this.onWarning = options.onWarning ?? (() => undefined);
    this.syncPolicy = new SyncPolicy(options.inlineSync ?? true);
    this.replay = replay;
  }

  /**
   * Opens (creating it unless read-only) the log at `filePath` and replays it from `replayFrom`.
   * Damage inside the log with valid records after it is copied to a quarantine file and zeroed in place;
   * replay steps over it to those records. A torn tail, an unknown marker or trailing corrupt records with
   * no valid record after them are copied to a quarantine file and cut off, so later appends land after the
   * last valid record and survive the next restart.
   */
  static async open(filePath: string, options: AppendLogOptions = {}): Promise<AppendLog> {
    const fs = options.fs ?? nodeFileSystem;
    const readOnly = options.readOnly ?? false;
    let handle: FileHandle | undefined;
    let existed = true;
    if (readOnly) {
      if ((await fs.stat(filePath)) !== undefined) handle = await fs.open(filePath, 'read');
    } else {
      existed = (await fs.stat(filePath)) !== undefined;
      handle = await fs.open(filePath, 'create');
    }
    try {
      if (!existed) await fs.syncDirectory(path.dirname(filePath));
      const summary =
        readOnly || handle === undefined
          ? await replayReadOnly(filePath, handle, options)
          : await replayAndRepair(fs, filePath, handle, options);
      return new AppendLog(filePath, handle, summary.end.validEnd, options, summary);
    } catch (error) {
      await handle?.close();
      throw error;
    }
  }

  get path(): string {
    return this.filePath;
  }

  /** Logical size: every byte appended so far, written or still buffered. */
  get size(): number {
    return this.writtenEnd + this.pending.length;
  }

  stats(): AppendLogStats {
    return {
      size: this.size,
      writtenBytes: this.writtenEnd,
      syncedBytes: this.syncedEnd,
      writes: this.writes,
      syncs: this.syncs,
      inlineSyncs: this.syncPolicy.inlineSyncs,
    };
  }

  /**
   * Appends `size` bytes that `encode` writes into `buf` at `offset` (several records may share one append),
   * and settles with the file offset they start at once the log's durability holds for them.
   * `encode` runs synchronously, before this returns.
   */
  append(size: number, encode: (buf: Uint8Array, offset: number) => void, options: AppendOptions = {}): Promise<number> {
    if (this.exclusive !== undefined) return this.exclusive.then(() => this.append(size, encode, options));
    if (this.durability === 'none' || options.defer === true) return this.appendSettled(size, encode);
    let to!: AppendWaiter;
    const settled = new Promise<number>((resolve, reject) => {
      to = { appended: resolve, failed: reject };
    });
    this.appendWaiting(to, size, encode);
    return settled;
  }

  /**
   * `append` without a promise: tells `to` instead, which spares a commit pipeline that keeps its own
   * promise a second one and a reaction per append. `to` may be told before this returns (a lone append
   * synced inline), so set up whatever its answer needs first. Throws, and tells `to` nothing, when the log
   * cannot take the append or `encode` throws; unless the log is inside `runExclusive`, `encode` runs
   * before this returns.
   */
  appendFor(to: AppendWaiter, size: number, encode: (buf: Uint8Array, offset: number) => void, options: AppendOptions = {}): void {
    if (this.exclusive !== undefined) {
      void this.exclusive.then(() => {
        try {
          this.appendFor(to, size, encode, options);
        } catch (error) {
          to.failed(asError(error));
        }
      });
    } else if (this.durability === 'none' || options.defer === true) {
      this.appendSettled(size, encode).then((offset) => { to.appended(offset); }, (error: unknown) => { to.failed(asError(error)); });
    } else {
      this.appendWaiting(to, size, encode);
    }
  }

  /** Appends bytes already encoded. */
  appendBytes(bytes: Uint8Array, options: AppendOptions = {}): Promise<number> {
    return this.append(bytes.length, (buf, offset) => { buf.set(bytes, offset); }, options);
  }

  /** Writes every appended byte and fdatasyncs the file, whatever the durability. */
  flush(): Promise<void> {
    if (this.exclusive !== undefined) return this.exclusive.then(() => this.flush());
    this.assertUsable();
    if (this.readOnly || this.quiet) return Promise.resolve();
    const flushed = this.pending.flushed();
    this.timing.scheduleCommit();
    return flushed;
  }

  /**
   * Reads `into.length` bytes at `position`, from the file or from bytes still buffered, synchronously
   * (a page-cache read costs less than a thread-pool hop). Returns the count read.
   */
  readSync(into: Uint8Array, position: number): number {
    this.assertUsable();
    let done = 0;
    if (position < this.writtenEnd && this.handle !== undefined) {
      const fromFile = Math.min(into.length, this.writtenEnd - position);
      done = this.handle.readSync(fromFile === into.length ? into : into.subarray(0, fromFile), position);
      if (done < fromFile || done === into.length) return done;
    }
    return done + this.pending.read(into.subarray(done), position + done - this.writtenEnd);
  }

  /**
   * Runs `fn` with the log quiet: every byte appended before is written and synced first, and appends and
   * flushes made while `fn` runs wait until it ends (so `fn` itself must not append to this log).
   * For swapping the file under the log (`replaceFile`).
   */
  async runExclusive<T>(fn: () => Promise<T>): Promise<T> {
    while (this.exclusive !== undefined) await this.exclusive;
    let release!: () => void;
    this.exclusive = new Promise<void>((resolve) => (release = resolve));
    try {
      await this.drain();
      return await fn();
    } finally {
      this.exclusive = undefined;
      release();
    }
  }

  /**
   * Makes the log append to another file from now on (for compaction swaps and segment rolls).
   * Call it inside `runExclusive`; the old file is cut to its data (no preallocated zeros) and its handle
   * closed. `size` is where appends continue.
   */
  async replaceFile(filePath: string, handle: FileHandle, size: number): Promise<void> {
    if (this.exclusive === undefined) throw new Error('replaceFile must run inside runExclusive');
    const old = this.handle;
    const oldEnd = this.writtenEnd;
    const oldPreallocation = this.preallocation;
    // Switched before the first await: the caller relocates its offsets to the new file right after this call.
    this.handle = handle;
    this.filePath = filePath;
    this.writtenEnd = size;
    this.syncedEnd = size;
    this.preallocation = oldPreallocation.forNewFile(size);
    if (old !== undefined) await oldPreallocation.trim(old, oldEnd);
    await old?.close();
  }

  /** Writes and syncs what is buffered, cuts off the preallocated zeros and closes the file; then `LogClosedError`. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.failure === undefined) {
      try {
        await this.flush();
      } catch {
        // The failure is recorded in this.failure and was reported to the appenders; closing still frees the file.
      }
    }
    while (this.repairing !== undefined) await this.repairing;
    await Promise.all([...this.syncsRunning]);
    this.closed = true;
    this.timing.stop();
    if (this.handle !== undefined && this.failure === undefined) await this.preallocation.trim(this.handle, this.writtenEnd);
    await this.handle?.close();
    this.handle = undefined;
  }

  /** Reserves `size` bytes in the pending group for `encode` to write; returns where they start in the group. */
  private place(size: number, encode: (buf: Uint8Array, offset: number) => void): number {
    this.assertWritable();
    this.syncPolicy.appended();
    const group = this.pending;
    const relative = group.reserve(size);
    encode(group.bytes, relative);
    group.length += size;
    return relative;
  }

  /** An append that settles once placed ('none', or deferred): written by a write-behind or the background timer. */
  private appendSettled(size: number, encode: (buf: Uint8Array, offset: number) => void): Promise<number> {
    const group = this.pending;
    const relative = this.place(size, encode);
    group.acknowledged = true;
    const offset = this.writtenEnd + relative;
    if (group.length >= this.writeBehindBytes) {
      this.commit();
      this.timing.yieldAfterWriteBehind();
    } else {
      this.timing.scheduleBackgroundWrite();
    }
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return this.timing.yielding === undefined ? Promise.resolve(offset) : this.timing.yielding.then(() => offset);
  }

  /** An append that waits for its group's write (and sync, under 'fsync'). */
  private appendWaiting(to: AppendWaiter, size: number, encode: (buf: Uint8Array, offset: number) => void): void {
    const group = this.pending;
    const relative = this.place(size, encode);
    group.waiters.push({ relative, to });
    // A burst large enough is committed part way: its sync starts while the rest of the burst is encoded,
    // instead of the disk idling until the end of the tick.
    if (
      this.durability === 'fsync' &&
      (group.length >= EAGER_COMMIT_BYTES || group.waiters.length >= EAGER_COMMIT_APPENDS) &&
      this.syncsInFlight.length < MAX_SYNCS_IN_FLIGHT
    ) {
      this.commit();
    } else {
      this.timing.scheduleCommit();
    }
  }

  /** Nothing buffered, nothing waiting for a sync, every written byte synced. */
  private get quiet(): boolean {
    return (
      this.pending.empty &&
      this.unsynced.length === 0 &&
      this.syncsInFlight.length === 0 &&
      this.repairing === undefined &&
      this.syncedEnd === this.writtenEnd
    );
  }


  private assertUsable(): void {
    if (this.closed) throw new LogClosedError(this.filePath);
    if (this.failure !== undefined) throw this.failure;
  }

  private assertWritable(): void {
    this.assertUsable();
    if (this.readOnly) throw new LogReadOnlyError(this.filePath);
  }

  /** Inside `runExclusive`: writes and syncs everything appended before it began. */
  private async drain(): Promise<void> {
    for (;;) {
      if (this.failure !== undefined) throw this.failure;
      if (this.quiet) return;
      if (this.repairing !== undefined) {
        await this.repairing;
        continue;
      }
      const flushed = this.pending.flushed();
      this.commit();
      await flushed.catch(() => undefined);
    }
  }

  /**
   * Writes the pending group with one synchronous write, then settles its appends if the durability asks no
   * more, or queues them for the next fdatasync.
   */
  private commit(): void {
    const handle = this.handle;
    const group = this.pending;
    if (group.empty || handle === undefined || this.repairing !== undefined || this.failure !== undefined) return;
    this.pending = this.buffers.newGroup();
    const start = this.writtenEnd;
    if (group.length > 0) {
      try {
        this.preallocation.ensure(handle, start + group.length);
        this.writes++;
        handle.writeSync(group.bytes.subarray(0, group.length), start);
      } catch (error) {
        this.buffers.keep(group);
        this.writeFailed(handle, group, start, asError(error));
        return;
      }
      this.writtenEnd = start + group.length;
    }
    // The bytes are in the page cache now: only the waiters wait on.
    this.buffers.keep(group);
    if (group.flushWaiters.length > 0 || (this.durability === 'fsync' && group.waiters.length > 0)) {
      const alone = this.unsynced.length === 0 && this.syncsInFlight.length === 0 && isSingleAppend(group);
      if (canSyncInline(handle) && alone && this.syncPolicy.inline()) {
        this.syncInline(handle, group, start);
        return;
      }
      this.unsynced.push({ group, start });
      this.startSync();
    } else {
      this.settle(group, start);
    }
  }

  /** Makes `group` durable with an fdatasync on the calling thread, and settles it. */
  private syncInline(handle: InlineSyncable, group: Group, start: number): void {
    this.syncs++;
    try {
      this.syncPolicy.runInline(handle);
    } catch (error) {
      this.fail(asError(error), 'fdatasync failed', [group]);
      return;
    }
    this.syncedEnd = this.writtenEnd;
    this.settle(group, start);
  }

  /** Starts an fdatasync for the written groups waiting for one, unless one under way already covers them. */
  private startSync(): void {
    const handle = this.handle;
    if (this.unsynced.length === 0 || handle === undefined) return;
    if (this.syncedEnd === this.writtenEnd) {
      for (const { group, start } of this.unsynced.splice(0)) this.settle(group, start);
      return;
    }
    const latest = this.syncsInFlight.at(-1);
    if (latest?.covers === this.writtenEnd) {
      latest.groups.push(...this.unsynced.splice(0));
      return;
    }
    if (this.syncsInFlight.length >= MAX_SYNCS_IN_FLIGHT) return;
    const only = this.unsynced.length === 1 ? this.unsynced[0] : undefined;
    const single = only !== undefined && isSingleAppend(only.group);
    const sync: Sync = { covers: this.writtenEnd, groups: this.unsynced, mark: this.syncPolicy.pooledStart(single) };
    this.unsynced = [];
    this.syncsInFlight.push(sync);
    this.syncs++;
    const running = handle.datasync().then(
      () => { this.synced(sync); },
      (error: unknown) => {
        // After a failed fsync the kernel may have dropped the dirty pages; retrying would lie. Fail the log.
        this.fail(asError(error), 'fdatasync failed', []);
      },
    );
    this.syncsRunning.add(running);
    void running.finally(() => this.syncsRunning.delete(running));
  }

  private synced(sync: Sync): void {
    if (this.failure !== undefined) return;
    this.syncPolicy.pooledEnd(sync.mark);
    if (sync.covers > this.syncedEnd) this.syncedEnd = sync.covers;
    // Syncs started earlier cover less, so this one made their bytes durable too, even if they are still running.
    while (this.syncsInFlight.length > 0 && (this.syncsInFlight[0]?.covers ?? Infinity) <= this.syncedEnd) {
      for (const { group, start } of this.syncsInFlight.shift()?.groups ?? []) this.settle(group, start);
    }
    this.commit();
    this.startSync();
  }

  /**
   * Settles `group`, written at `start`. A waiter told here may append at once (`appendFor` tells it
   * directly, and a change listener may write), and that append may settle at once too (a lone commit synced
   * inline): it is then told only after every waiter of this group, so waiters are always told in log order
   * and never inside one another.
   */
  private settle(group: Group, start: number): void {
    this.toSettle.push({ group, start });
    if (this.settling) return;
    this.settling = true;
    try {
      for (let next = this.toSettle.shift(); next !== undefined; next = this.toSettle.shift()) next.group.settle(next.start);
    } finally {
      this.settling = false;
    }
  }

  /**
   * A write failed part way, or not at all: cut the file back to where the group started, so the log stays
   * usable and its end stays a record boundary. Bytes already acknowledged cannot be given back: that fails the log.
   */
  private writeFailed(handle: FileHandle, group: Group, start: number, error: Error): void {
    if (group.acknowledged) {
      this.fail(error, 'a write of already acknowledged bytes failed', [group]);
      return;
    }
    const repair = async (): Promise<void> => {
      try {
        await handle.truncate(start);
        this.preallocation.reset(start);
      } catch (truncateError) {
        this.fail(asError(truncateError), 'could not cut a failed write back', [group]);
        return;
      }
      const failure = new LogWriteError(this.filePath, error);
      group.reject(failure);
    };
    this.repairing = repair().finally(() => {
      this.repairing = undefined;
      if (!this.pending.empty) this.timing.scheduleCommit();
    });
  }

  private fail(cause: Error, what: string, failedGroups: Group[]): void {
    if (this.failure !== undefined) return;
    const failure = new LogFailedError(this.filePath, what, cause);
    this.failure = failure;
    const groups = [
      ...failedGroups,
      ...this.syncsInFlight.flatMap((sync) => sync.groups.map((written) => written.group)),
      ...this.unsynced.map((written) => written.group),
      this.pending,
    ];
    this.syncsInFlight = [];
    this.unsynced = [];
    this.pending = this.buffers.newGroup();
    let acknowledgedLost = false;
    for (const group of groups) {
      acknowledgedLost ||= group.acknowledged;
      group.reject(failure);
    }
    if (acknowledgedLost) {
      this.onWarning({ code: 'background-flush-failed', path: this.filePath, message: failure.message });
    }
  }
}
