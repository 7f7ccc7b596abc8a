import * as path from 'node:path';
import type { FileSystem } from '@kilndb/snapshot';
import { ensureDirectory, removeIfPresent } from '../open/directories.js';
import type { EntryCipher } from '../crypto/index.js';
import type { EntryLog } from '../log/entry-log.js';
import { allSegments } from '../log/history.js';
import { Mutex } from '../log/mutex.js';
import type { PostBackupHook } from '../options.js';
import { runPostBackupHook } from './post-backup-hook.js';
import { RETIRED_LOG_DIR, segmentEnd, type Segment } from '../log/segments.js';
import { backupPaths, captureState, installNextSnapshot, snapshotSeq, writeSnapshot, type CapturedState, type SnapshotFile } from './snapshot-store.js';
import type { DocumentState } from '../state/state.js';
import type { DatabaseWarning } from '../warnings.js';

/** What a compaction (or `snapshot()`) did. */
export interface SnapshotInfo {
  /** The snapshot file now current: `snapshot.kilndocs` in the database directory (older ones go to `backup/`). */
  readonly path: string;
  /** The last sequence number it covers. */
  readonly seq: number;
  /** Log segments deleted (or moved to `backup/log/`) because the snapshot covers them. */
  readonly retiredSegments: number;
  /** False when nothing was committed since the current snapshot, so none was written. */
  readonly written: boolean;
}

export interface CompactorSettings {
  readonly fs: FileSystem;
  readonly directory: string;
  readonly cipher: EntryCipher | undefined;
  readonly backupsToKeep: number;
  readonly retainLogSegments: boolean;
  readonly postBackupHook: PostBackupHook | undefined;
  readonly onWarning: (warning: DatabaseWarning) => void;
  readonly log: EntryLog;
  /** The snapshot the database was opened from. */
  readonly snapshot: SnapshotFile | undefined;
  /**
   * Called while appends are held (inside the log roll): waits until every commit up to `coveredSeq` is
   * applied and returns the state then. Documents are immutable, so the capture shares them.
   */
  readonly capture: (coveredSeq: number) => Promise<{ state: DocumentState; seq: number; time: number }>;
}

/**
 * Compaction: roll the log to a new segment, capture the state the sealed segments lead to, write it as a
 * document snapshot (atomically) while writes go on into the new segment, and only then retire the sealed
 * segments and move older snapshots to `backup/`. A crash at any step leaves either the old snapshot with
 * every segment after it, or the new snapshot with (possibly) leftover segments that the next open skips
 * and retires: every acknowledged write survives.
 */
export class Compactor {
  private readonly mutex = new Mutex();
  private queued = 0;
  private completedRuns = 0;
  private currentSnapshot: SnapshotFile | undefined;

  constructor(private readonly settings: CompactorSettings) {
    this.currentSnapshot = settings.snapshot;
  }

  get current(): SnapshotFile | undefined {
    return this.currentSnapshot;
  }

  get running(): boolean {
    return this.queued > 0;
  }

  get completed(): number {
    return this.completedRuns;
  }

  run(): Promise<SnapshotInfo> {
    this.queued++;
    return this.mutex.run(() => this.compact()).finally(() => {
      this.queued--;
    });
  }

  /** Resolves once no compaction is running or queued. */
  idle(): Promise<void> {
    return this.mutex.run(() => Promise.resolve());
  }

  /**
   * At open, finishes what a crash interrupted: puts a complete next snapshot in place (the database was
   * loaded from it) and retires the segments the snapshot covers.
   */
  tidy(staleSegments: readonly Segment[], installNext: boolean): Promise<void> {
    return this.mutex.run(async () => {
      const { fs, directory, backupsToKeep } = this.settings;
      const current = this.currentSnapshot;
      if (installNext && current !== undefined) {
        this.currentSnapshot = { seq: current.seq, path: await installNextSnapshot(fs, directory, backupsToKeep) };
      }
      await this.retireSegments(staleSegments);
      if (current !== undefined) await this.pruneRetiredSegments(current);
    });
  }

  private async compact(): Promise<SnapshotInfo> {
    const { log, fs, directory, cipher } = this.settings;
    const previous = this.currentSnapshot;
    const captured = await log.roll(async (coveredSeq): Promise<CapturedState | undefined> => {
      if (previous !== undefined && previous.seq === coveredSeq) return undefined;
      const { state, seq, time } = await this.settings.capture(coveredSeq);
      return captureState(state, seq, time);
    });
    if (captured === undefined) {
      const current = previous as SnapshotFile;
      return { path: current.path, seq: current.seq, retiredSegments: 0, written: false };
    }
    const file = await writeSnapshot(fs, directory, captured, cipher, this.settings.backupsToKeep);
    this.currentSnapshot = file;
    const retired = log.segmentsThrough(file.seq);
    await this.retireSegments(retired);
    await this.pruneRetiredSegments(file);
    this.completedRuns++;
    const hook = this.settings.postBackupHook;
    if (hook !== undefined) {
      const failure = await runPostBackupHook(hook, file.path);
      if (failure !== undefined) {
        this.settings.onWarning({ code: 'post-backup-hook-failed', message: failure.message, path: file.path, cause: failure });
      }
    }
    return { path: file.path, seq: file.seq, retiredSegments: retired.length, written: true };
  }

  /** Deletes the segments (or, with retainLogSegments, moves them to backup/log/), durably. */
  private async retireSegments(segments: readonly Segment[]): Promise<void> {
    if (segments.length === 0) return;
    const { fs, directory, log, retainLogSegments } = this.settings;
    await log.segmentsLock.run(async () => {
      const retiredDir = path.join(directory, RETIRED_LOG_DIR);
      if (retainLogSegments) await ensureDirectory(fs, retiredDir);
      let bytes = 0;
      for (const segment of segments) {
        bytes += (await fs.stat(segment.path))?.size ?? 0;
        if (retainLogSegments) await fs.rename(segment.path, path.join(retiredDir, path.basename(segment.path)));
        else await removeIfPresent(fs, segment.path);
      }
      if (retainLogSegments) await fs.syncDirectory(retiredDir);
      await fs.syncDirectory(path.dirname(segments[0]?.path ?? directory));
      log.forget(segments, bytes);
    });
  }

  /** Deletes retained segments that no kept backup needs to reach the present any more. */
  private async pruneRetiredSegments(current: SnapshotFile): Promise<void> {
    const { fs, directory, retainLogSegments, backupsToKeep, log } = this.settings;
    if (!retainLogSegments) return;
    // Until backupsToKeep backups exist, the empty database at seq 0 is the oldest base to keep history for.
    const backups = await backupPaths(fs, directory);
    const oldestBackup = backups.at(-1);
    const oldestBase =
      backups.length < backupsToKeep ? 0 : oldestBackup === undefined ? current.seq : await snapshotSeq(fs, oldestBackup);
    await log.segmentsLock.run(async () => {
      const segments = await allSegments(fs, directory);
      const retiredDir = path.join(directory, RETIRED_LOG_DIR);
      const unneeded = segments.filter((s, i) => path.dirname(s.path) === retiredDir && segmentEnd(segments, i) <= oldestBase);
      for (const segment of unneeded) await removeIfPresent(fs, segment.path);
      if (unneeded.length > 0) await fs.syncDirectory(retiredDir);
    });
  }
}
