import { readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { CliUsageError } from './values.js';

/** A file of a database directory, with its size. */
export interface LayoutFile {
  readonly path: string;
  readonly name: string;
  readonly size: number;
}

export interface LogSegmentFile extends LayoutFile {
  /** The first sequence number the segment may hold (its name). */
  readonly start: number;
}

/** The files of a KilnDB database directory, as doc-engine lays them out (its README's "On disk"). */
export interface DatabaseLayout {
  readonly dir: string;
  readonly encrypted: boolean;
  readonly segments: readonly LogSegmentFile[];
  /** Segments kept in backup/log/ for recovery (retainLogSegments). */
  readonly retainedSegments: readonly LogSegmentFile[];
  /** Torn tails cut at open, kept beside the log. */
  readonly quarantined: readonly LayoutFile[];
  readonly snapshot: LayoutFile | undefined;
  /** A complete snapshot whose install a crash interrupted (the next open finishes it). */
  readonly nextSnapshot: LayoutFile | undefined;
  readonly backups: readonly LayoutFile[];
}

const SEGMENT = /^(\d{20})\.log$/;
const SNAPSHOT = 'snapshot.kilndocs';

async function files(dir: string): Promise<LayoutFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const found: LayoutFile[] = [];
  for (const name of names.sort()) {
    const full = path.join(dir, name);
    const info = await stat(full).catch(() => undefined);
    if (info?.isFile() === true) found.push({ path: full, name, size: info.size });
  }
  return found;
}

function segmentsOf(list: readonly LayoutFile[]): LogSegmentFile[] {
  const segments: LogSegmentFile[] = [];
  for (const file of list) {
    const match = SEGMENT.exec(file.name);
    if (match?.[1] !== undefined) segments.push({ ...file, start: Number(match[1]) });
  }
  return segments.sort((a, b) => a.start - b.start);
}

/** Lists a database directory; throws CliUsageError when `dir` is not a directory or holds no database. */
export async function readLayout(dir: string): Promise<DatabaseLayout> {
  const absolute = path.resolve(dir);
  const info = await stat(absolute).catch(() => undefined);
  if (info === undefined) throw new CliUsageError(`${dir}: no such directory`);
  if (!info.isDirectory()) throw new CliUsageError(`${dir}: not a directory`);
  const top = await files(absolute);
  const log = await files(path.join(absolute, 'log'));
  const backup = await files(path.join(absolute, 'backup'));
  const layout: DatabaseLayout = {
    dir: absolute,
    encrypted: top.some((file) => file.name === 'KEYRING'),
    segments: segmentsOf(log),
    retainedSegments: segmentsOf(await files(path.join(absolute, 'backup', 'log'))),
    quarantined: log.filter((file) => file.name.includes('.quarantine-')),
    snapshot: top.find((file) => file.name === SNAPSHOT),
    nextSnapshot: top.find((file) => file.name === `${SNAPSHOT}.next`),
    backups: backup.filter((file) => file.name.startsWith(`${SNAPSHOT}.`) && file.name.endsWith('.bak')),
  };
  if (layout.segments.length === 0 && layout.snapshot === undefined && layout.nextSnapshot === undefined) {
    throw new CliUsageError(`${dir}: no KilnDB database here (no log/ segments, no ${SNAPSHOT})`);
  }
  return layout;
}

export function sumSizes(list: readonly LayoutFile[]): number {
  return list.reduce((total, file) => total + file.size, 0);
}
