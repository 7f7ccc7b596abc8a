import * as path from 'node:path';
import { nodeFileSystem, type FileSystem } from '@kilndb/snapshot';
import { openKeyring, type EncryptionKey, type EntryCipher } from './crypto/index.js';
import { ensureDirectory } from './open/directories.js';
import { DatabaseLayoutError, InvalidOptionError, RecoveryRangeError } from './errors.js';
import { allSegments, readCommits, segmentsAfter } from './log/history.js';
import { checkEncryptionKeyOption } from './options.js';
import type { Commit } from './log/entry-replay.js';
import type { Segment } from './log/segments.js';
import { backupPaths, captureState, loadSnapshot, newestSnapshotPath, SNAPSHOT_FILE, snapshotSeq, writeSnapshot, type SnapshotFile } from './snapshot/snapshot-store.js';
import { DocumentState } from './state/state.js';
import type { DatabaseWarning } from './warnings.js';

export interface RecoverOptions {
  /** A new (or empty) directory the recovered database is written to. */
  readonly out: string;
  /** Recover the state after the last commit at or below this sequence number. */
  readonly toSeq?: number;
  /** Recover the state after the last commit made at or before this time (unix ms). */
  readonly toTime?: number;
  /** The source database's key; the recovered database is encrypted with it too. */
  readonly encryptionKey?: EncryptionKey;
  readonly fs?: FileSystem;
  readonly onWarning?: (warning: DatabaseWarning) => void;
}

export interface RecoverResult {
  readonly out: string;
  /** Sequence number of the last commit recovered (the new database continues after it). */
  readonly seq: number;
  /** `_t` of the last commit recovered. */
  readonly time: number;
  /** The snapshot recovery started from, if any (otherwise the log from its first entry). */
  readonly base: SnapshotFile | undefined;
  readonly collections: number;
  readonly documents: number;
}

interface Base {
  readonly file: SnapshotFile | undefined;
  readonly seq: number;
}

/**
 * Point-in-time recovery (MoltenDB's `recover --to-seq / --to-time`): rebuilds the state as of a commit into
 * a new database at `out`, leaving the source untouched. A transaction is included only if its TX_COMMIT is
 * at or before the target. Recovery starts from the newest snapshot (current or in `backup/`) at or before
 * the target and replays the log after it, so the reachable range is: from the current snapshot's seq on,
 * or, with `retainLogSegments`, from the oldest kept backup's seq on (from seq 0 when the log was never
 * compacted). Run it on a closed database (or a copy): it takes no lock.
 */
export async function recover(directory: string, options: RecoverOptions): Promise<RecoverResult> {
  const fs = options.fs ?? nodeFileSystem;
  const onWarning = options.onWarning ?? (() => undefined);
  checkEncryptionKeyOption(options);
  const target = checkTarget(options);
  const dir = path.resolve(directory);
  const out = path.resolve(options.out);
  if ((await fs.stat(dir))?.isDirectory !== true) throw new DatabaseLayoutError(dir, 'no database here');
  const outStat = await fs.stat(out);
  if (outStat !== undefined && (!outStat.isDirectory || (await fs.readdir(out)).length > 0)) {
    throw new InvalidOptionError('out', `${out} must be a new or empty directory`);
  }
  const cipher = await openKeyring(fs, dir, options.encryptionKey, { create: false });
  const segments = await allSegments(fs, dir);
  const bases = await listBases(fs, dir);

  for (const base of bases) {
    if (target.kind === 'seq' && base.seq > target.value) continue;
    const replay = segmentsAfter(segments, base.seq);
    if (replay === undefined) continue;
    const state = new DocumentState();
    const loaded = base.file === undefined ? { seq: 0, time: 0 } : await loadSnapshot(fs, base.file.path, cipher, state);
    if (target.kind === 'time' && loaded.seq > 0 && loaded.time > target.value) continue;
    const reached = await replayUntil(fs, replay, cipher, state, loaded, target, onWarning);
    await writeOut(fs, out, state, reached, cipher === undefined ? undefined : options.encryptionKey);
    let documents = 0;
    for (const collection of state.collections.values()) documents += collection.docs.size;
    return { out, seq: reached.seq, time: reached.time, base: base.file, collections: state.collections.size, documents };
  }
  const oldest = [...bases].reverse().find((base) => segmentsAfter(segments, base.seq) !== undefined);
  throw new RecoveryRangeError(
    dir,
    `${target.kind === 'seq' ? `seq ${target.value}` : `time ${new Date(target.value).toISOString()}`} lies before ` +
      `the oldest recoverable point (${oldest === undefined ? 'the log is incomplete' : `seq ${oldest.seq}`}); ` +
      'keep more history with backupsToKeep and retainLogSegments',
  );
}

/** Every snapshot recovery may start from, newest first, ending with the empty database before seq 1. */
async function listBases(fs: FileSystem, dir: string): Promise<Base[]> {
  const paths = await backupPaths(fs, dir);
  const newest = await newestSnapshotPath(fs, dir);
  const current = path.join(dir, SNAPSHOT_FILE);
  if (newest !== undefined && newest !== current && (await fs.stat(current)) !== undefined) paths.unshift(current);
  if (newest !== undefined) paths.unshift(newest);
  const bases: Base[] = [];
  for (const filePath of paths) {
    const seq = await snapshotSeq(fs, filePath);
    bases.push({ file: { seq, path: filePath }, seq });
  }
  bases.sort((a, b) => b.seq - a.seq);
  return [...bases, { file: undefined, seq: 0 }];
}

type Target = { readonly kind: 'seq' | 'time'; readonly value: number };

function checkTarget(options: RecoverOptions): Target {
  if (typeof options !== 'object' || typeof options.out !== 'string' || options.out.length === 0) {
    throw new InvalidOptionError('out', 'recover needs { out: <new directory> }');
  }
  const { toSeq, toTime } = options;
  if ((toSeq === undefined) === (toTime === undefined)) throw new InvalidOptionError('toSeq/toTime', 'give exactly one of them');
  if (toSeq !== undefined) {
    if (!Number.isSafeInteger(toSeq) || toSeq < 0) throw new InvalidOptionError('toSeq', `must be a non-negative integer, got ${String(toSeq)}`);
    return { kind: 'seq', value: toSeq };
  }
  if (typeof toTime !== 'number' || !Number.isFinite(toTime)) throw new InvalidOptionError('toTime', `must be unix milliseconds, got ${String(toTime)}`);
  return { kind: 'time', value: toTime };
}

async function replayUntil(
  fs: FileSystem,
  segments: readonly Segment[],
  cipher: EntryCipher | undefined,
  state: DocumentState,
  from: { seq: number; time: number },
  target: Target,
  onWarning: (warning: DatabaseWarning) => void,
): Promise<{ seq: number; time: number }> {
  let reached = from;
  let stopped = false;
  await readCommits(
    fs,
    segments,
    cipher,
    (commit: Commit) => {
      if (stopped || commit.seq <= from.seq) return;
      const time = commit.entries[0]?.entry._t ?? reached.time;
      if (target.kind === 'seq' ? commit.seq > target.value : time > target.value) {
        stopped = true;
        return;
      }
      for (const { entry } of commit.entries) state.apply(entry);
      reached = { seq: commit.seq, time };
    },
    onWarning,
  );
  return reached;
}

async function writeOut(
  fs: FileSystem,
  out: string,
  state: DocumentState,
  reached: { seq: number; time: number },
  encryptionKey: EncryptionKey | undefined,
): Promise<void> {
  await ensureDirectory(fs, out);
  const cipher = await openKeyring(fs, out, encryptionKey, { create: true });
  await writeSnapshot(fs, out, captureState(state, reached.seq, reached.time), cipher, 0);
}
