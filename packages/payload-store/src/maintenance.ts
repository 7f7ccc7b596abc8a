import * as path from 'node:path';
import { writeIndexSnapshot, type FileSystem } from '@kilndb/snapshot';
import type { AppendLog } from './log/index.js';
import { compactLog } from './store-compaction.js';
import type { LogFailedError } from './errors.js';
import type { IdIndex } from './id-index.js';
import { captureIndexSnapshot } from './id-index-snapshot.js';
import type { LiveBytes } from './live-bytes.js';
import { SNAPSHOT_FILE } from './store-files.js';
import type { CompactionResult, PayloadStoreOptions, SnapshotResult } from './store-types.js';
import type { PayloadStoreWarning } from './warnings.js';

const DEFAULT_SNAPSHOT_THRESHOLD = 10 * 1024 * 1024;
const DEFAULT_AUTO_COMPACT_MIN_BYTES = 64 * 1024 * 1024;

/** What maintenance needs of the store it keeps. */
export interface MaintainedStore {
  readonly directory: string;
  readonly fs: FileSystem;
  readonly log: AppendLog;
  readonly index: IdIndex;
  readonly live: LiveBytes;
  readonly options: PayloadStoreOptions;
  isClosed(): boolean;
  assertWritable(): void;
  /** Runs `fn` while the index matches the log exactly (new writes wait). */
  quiesce<T>(fn: () => Promise<T>): Promise<T>;
  resolveUnknownSizes(): void;
  /** Compaction left a log the store must stop writing to. */
  fail(failure: LogFailedError): void;
}

/**
 * A store's snapshots and compactions: run one at a time, asked for (`createSnapshot`, `compact`) or started
 * in the background after a write once the log has grown enough or holds enough dead bytes.
 */
export class StoreMaintenance {
  lastSnapshotPosition: number;
  snapshotsWritten = 0;
  compactions = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private background: Promise<void> | undefined;

  constructor(
    private readonly store: MaintainedStore,
    snapshotPosition: number,
  ) {
    this.lastSnapshotPosition = snapshotPosition;
  }

  /** Whether the log has grown past `snapshotThresholdBytes` since the last snapshot. */
  shouldCreateSnapshot(): boolean {
    const { options, log } = this.store;
    const threshold = options.snapshotThresholdBytes ?? DEFAULT_SNAPSHOT_THRESHOLD;
    return !(options.readOnly ?? false) && log.size - this.lastSnapshotPosition >= threshold;
  }

  createSnapshot(): Promise<SnapshotResult> {
    return this.serialize(() => this.writeSnapshot());
  }

  compact(): Promise<CompactionResult> {
    return this.serialize(() => this.runCompaction());
  }

  /** Settles once every snapshot and compaction queued so far has finished, whether or not it failed. */
  settled(): Promise<unknown> {
    return this.queue.catch(() => undefined);
  }

  /** After a write was applied: starts a snapshot or a compaction in the background if one is due. */
  afterWrite(): void {
    if (this.background !== undefined) return;
    if (this.shouldCreateSnapshot()) {
      this.runInBackground('snapshot-failed', () => this.writeSnapshot());
      return;
    }
    const { options, log } = this.store;
    const ratio = options.autoCompactDeadRatio;
    if (ratio === undefined || log.size < (options.autoCompactMinBytes ?? DEFAULT_AUTO_COMPACT_MIN_BYTES)) {
      return;
    }
    this.store.resolveUnknownSizes();
    if (log.size - this.store.live.known >= ratio * log.size) {
      this.runInBackground('compaction-failed', () => this.runCompaction());
    }
  }

  /** Runs maintenance the writes did not ask to wait for; a failure becomes a warning, never a failed write. */
  private runInBackground(code: 'snapshot-failed' | 'compaction-failed', task: () => Promise<unknown>): void {
    const what = code === 'snapshot-failed' ? 'snapshot' : 'compaction';
    const directory = this.store.directory;
    this.background = this.serialize(() => (this.store.isClosed() ? Promise.resolve() : task())).then(
      () => {
        this.background = undefined;
      },
      (error: unknown) => {
        this.background = undefined;
        const reason = error instanceof Error ? error.message : String(error);
        this.warn({ code, path: directory, message: `${directory}: background ${what} failed: ${reason}` });
      },
    );
  }

  private serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private warn(warning: PayloadStoreWarning): void {
    this.store.options.onWarning?.(warning);
  }

  private async writeSnapshot(): Promise<SnapshotResult> {
    const { store } = this;
    store.assertWritable();
    const snapshot = await store.quiesce(() => Promise.resolve(captureIndexSnapshot(store.index, store.log.size)));
    await writeIndexSnapshot(store.fs, path.join(store.directory, SNAPSHOT_FILE), snapshot);
    this.lastSnapshotPosition = snapshot.walPosition;
    this.snapshotsWritten++;
    return { walPosition: snapshot.walPosition, entries: snapshot.count };
  }

  private async runCompaction(): Promise<CompactionResult> {
    const { store } = this;
    store.assertWritable();
    const bytesBefore = store.log.size;
    await compactLog({
      fs: store.fs,
      directory: store.directory,
      log: store.log,
      index: store.index,
      quiesce: (fn) => store.quiesce(fn),
      onSnapshotRemoved: () => {
        this.lastSnapshotPosition = 0;
      },
      onSwapped: () => {
        // Legacy records were rewritten with a CRC and sizes learned: count again.
        const { known, unknown } = store.index.sizeTotals();
        store.live.known = known;
        store.live.unknown = unknown;
      },
      onUnrecoverable: (failure) => {
        store.fail(failure);
      },
    });
    this.compactions++;
    const bytesAfter = store.log.size;
    try {
      await this.writeSnapshot();
    } catch (error) {
      this.warn({ code: 'snapshot-failed', path: store.directory, message: `snapshot after compaction failed: ${String(error)}` });
    }
    return { bytesBefore, bytesAfter };
  }
}
