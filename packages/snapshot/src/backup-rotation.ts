import * as path from 'node:path';
import type { FileSystem } from './file-system.js';

export interface BackupTarget {
  /** The file whose backups these are; backups are named after its base name. */
  readonly file: string;
  /** Where backups live; several files may share it. */
  readonly backupDir: string;
}

export interface RotateOptions extends BackupTarget {
  /** How many backups to keep, the one just made included (at least 1). */
  readonly keep: number;
  /** Clock for the timestamp in the name; default `Date.now`. */
  readonly now?: () => number;
}

export interface RotateResult {
  /** Where the file was moved. */
  readonly backupPath: string;
  /** Backups deleted because more than `keep` existed, oldest first. */
  readonly pruned: readonly string[];
}

const BACKUP_SUFFIX = '.bak';
const COUNTER_DIGITS = 6;

/** `20261121T155546123Z`: UTC, fixed width, so names sort by time. */
function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:.]/g, '');
}

function backupPattern(base: string): RegExp {
  const escaped = base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped}\\.(\\d{8}T\\d{9}Z)-(\\d{${COUNTER_DIGITS}})\\${BACKUP_SUFFIX}$`);
}

function backupName(base: string, stamp: string, counter: number): string {
  return `${base}.${stamp}-${String(counter).padStart(COUNTER_DIGITS, '0')}${BACKUP_SUFFIX}`;
}

/**
 * Backups of `file` in `backupDir`, newest first. Names are `<base>.<UTC timestamp>-<counter>.bak`, and
 * order is by name, never by mtime (copies and restores change mtimes).
 */
export async function listBackups(fs: FileSystem, target: BackupTarget): Promise<string[]> {
  const pattern = backupPattern(path.basename(target.file));
  const names = (await fs.readdir(target.backupDir)).filter((name) => pattern.test(name));
  return names.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)).map((name) => path.join(target.backupDir, name));
}

/**
 * Moves `file` into `backupDir` (created if needed) under a name that sorts after every existing backup of
 * it and never overwrites one: two rotations in the same millisecond, or after the clock stepped back, get
 * increasing counters. Then deletes all but the newest `keep` backups. The backup directory is synced
 * before the file's own directory, so a crash in between leaves the file in both places, never in neither.
 * Returns `undefined` when `file` does not exist.
 */
export async function rotateBackups(fs: FileSystem, options: RotateOptions): Promise<RotateResult | undefined> {
  const { file, backupDir, keep } = options;
  if (!Number.isInteger(keep) || keep < 1) {
    throw new RangeError(`rotateBackups: keep must be an integer of at least 1, got ${String(keep)}`);
  }
  if ((await fs.stat(file)) === undefined) return undefined;
  await ensureDirectory(fs, backupDir);

  const base = path.basename(file);
  const pattern = backupPattern(base);
  const existing = await listBackups(fs, options);
  const newest = existing[0] === undefined ? undefined : pattern.exec(path.basename(existing[0]));
  let stamp = timestamp((options.now ?? Date.now)());
  let counter = 0;
  if (newest?.[1] !== undefined && newest[2] !== undefined && backupName(base, stamp, counter) <= newest[0]) {
    stamp = newest[1];
    counter = Number(newest[2]) + 1;
  }
  let backupPath = path.join(backupDir, backupName(base, stamp, counter));
  while ((await fs.stat(backupPath)) !== undefined) {
    counter++;
    backupPath = path.join(backupDir, backupName(base, stamp, counter));
  }

  await fs.rename(file, backupPath);
  await fs.syncDirectory(backupDir);
  await fs.syncDirectory(path.dirname(file));

  const pruned = [...existing.slice(keep - 1)].reverse();
  for (const old of pruned) await fs.unlink(old);
  if (pruned.length > 0) await fs.syncDirectory(backupDir);
  return { backupPath, pruned };
}

/** Creates `dir` (and missing parents) if needed and makes each new directory's entry durable in its parent. */
async function ensureDirectory(fs: FileSystem, dir: string): Promise<void> {
  const missing: string[] = [];
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    const found = await fs.stat(at);
    if (found?.isDirectory === true) break;
    if (found !== undefined) throw new Error(`rotateBackups: '${at}' exists and is not a directory`);
    missing.push(at);
  }
  if (missing.length === 0) return;
  await fs.mkdir(dir);
  for (const created of missing.reverse()) await fs.syncDirectory(path.dirname(created));
}
