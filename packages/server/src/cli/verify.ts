import { Database, type DatabaseWarning } from '@kilndb/doc-engine';
import { nodeFileSystem, readDocumentSnapshot, SnapshotFormatError } from '@kilndb/snapshot';
import { isAllZero, scanRecords, type ScanEnd, type ScanEntry } from '@kilndb/wal-format';
import { readFile } from 'node:fs/promises';
import { oneLine } from './errors.js';
import { readLayout, sumSizes, type LayoutFile, type LogSegmentFile } from './layout.js';
import type { Progress } from './progress.js';

export interface VerifyReport {
  readonly directory: string;
  readonly ok: boolean;
  readonly segments: number;
  readonly records: number;
  readonly logBytes: number;
  /** Snapshot files checked: the current one, an interrupted `.next`, the backups. */
  readonly snapshots: { file: string; seq: number; entries: number }[];
  /** Everything wrong, one line each. */
  readonly problems: string[];
  /** What was not checked, or was worked around without data loss. */
  readonly notes: string[];
}

// Warnings of the read-only open that the record scan already reports in more detail, or that are not damage.
const SCAN_REPORTS = new Set<DatabaseWarning['code']>(['corrupt-record', 'torn-tail']);
const NOT_DAMAGE = new Set<DatabaseWarning['code']>(['unterminated-transaction']);

/**
 * Checks a database directory without changing it: every record of every log segment (live and retained)
 * by its CRC, record ids rising across segments, the log reaching back to the snapshot, every snapshot file
 * by framing and CRC, and finally a read-only open that decodes every entry (skipped, with a note, for an
 * encrypted database when no key is given).
 */
export async function verifyDatabase(dir: string, encryptionKey: string | undefined, progress: Progress): Promise<VerifyReport> {
  const layout = await readLayout(dir);
  const problems: string[] = [];
  const notes: string[] = [];
  const allSegments = [...layout.retainedSegments, ...layout.segments];
  progress.start('verifying', sumSizes(allSegments));
  const counts = { records: 0, zeroTailBytes: 0 };
  try {
    await checkSegments(layout.retainedSegments, 'backup/log/', problems, notes, counts, progress);
    await checkSegments(layout.segments, 'log/', problems, notes, counts, progress);
  } finally {
    progress.stop();
  }
  const snapshots: VerifyReport['snapshots'] = [];
  const snapshotFiles: [string, LayoutFile | undefined][] = [
    ['', layout.snapshot],
    ['', layout.nextSnapshot],
    ...layout.backups.map((file): [string, LayoutFile] => ['backup/', file]),
  ];
  for (const [prefix, file] of snapshotFiles) {
    if (file === undefined) continue;
    const checked = await checkSnapshot(file, prefix, problems);
    if (checked !== undefined) snapshots.push(checked);
  }
  if (layout.nextSnapshot !== undefined) notes.push(`${layout.nextSnapshot.name}: a snapshot install was interrupted; the next writable open completes it`);
  const covered = snapshots.find((s) => s.file === layout.snapshot?.name)?.seq ?? (layout.snapshot === undefined ? 0 : undefined);
  const first = layout.segments[0];
  if (covered !== undefined && first !== undefined && first.start > covered + 1) {
    problems.push(`log/: the oldest segment starts at seq ${first.start} but the snapshot covers only up to seq ${covered}: entries ${covered + 1}..${first.start - 1} are missing`);
  }
  if (layout.quarantined.length > 0) {
    notes.push(`${layout.quarantined.length} quarantined tail file(s) in log/ (${sumSizes(layout.quarantined)} bytes), cut off at an earlier open`);
  }
  await checkOpen(layout.dir, layout.encrypted, encryptionKey, problems, notes);
  return {
    directory: layout.dir,
    ok: problems.length === 0,
    segments: allSegments.length,
    records: counts.records,
    logBytes: sumSizes(allSegments) - counts.zeroTailBytes,
    snapshots,
    problems,
    notes,
  };
}

async function checkSegments(
  segments: readonly LogSegmentFile[],
  prefix: string,
  problems: string[],
  notes: string[],
  counts: { records: number; zeroTailBytes: number },
  progress: Progress,
): Promise<void> {
  let lastId: bigint | undefined;
  let lastName = '';
  for (const [i, segment] of segments.entries()) {
    const name = `${prefix}${segment.name}`;
    const bytes = await readFile(segment.path);
    const next = segments[i + 1];
    const scan = scanRecords(bytes);
    let entry: IteratorResult<ScanEntry, ScanEnd>;
    while (!(entry = scan.next()).done) {
      const { offset, record } = entry.value;
      counts.records++;
      if (record.type === 'corrupt') {
        problems.push(
          `${name}: record at byte ${offset} (id ${record.id}) fails its CRC (stored 0x${hex(record.storedCrc)}, computed 0x${hex(record.computedCrc)})`,
        );
        continue;
      }
      if (record.id < BigInt(segment.start)) problems.push(`${name}: record at byte ${offset} has id ${record.id}, below the segment's first seq ${segment.start}`);
      if (next !== undefined && record.id >= BigInt(next.start)) problems.push(`${name}: record at byte ${offset} has id ${record.id}, which belongs to the next segment (from ${next.start})`);
      if (lastId !== undefined && record.id <= lastId) problems.push(`${name}: record at byte ${offset} has id ${record.id}, not above the previous id ${lastId} (${lastName})`);
      lastId = record.id;
      lastName = name;
    }
    const end = entry.value;
    if (end.stop === 'incomplete') {
      problems.push(`${name}: ends inside a record at byte ${end.stopOffset} (a torn tail of ${end.tailBytes} bytes; a writable open cuts it to a quarantine file)`);
    } else if (end.stop === 'unknown' && isAllZero(bytes.subarray(end.stopOffset))) {
      // Zeros to the end of the file are space the writer preallocated and never used: the clean end of the
      // log, left when the process stopped without closing it (wal-format FORMAT.md, "the zero tail").
      counts.zeroTailBytes += end.tailBytes;
      notes.push(`${name}: ${end.tailBytes} preallocated zero bytes after the last record (from byte ${end.stopOffset}); the log ends there`);
    } else if (end.stop === 'unknown') {
      problems.push(`${name}: unknown record marker at byte ${end.stopOffset}; ${end.tailBytes} bytes from there cannot be read`);
    }
    progress.advance(bytes.length);
  }
}


async function checkSnapshot(file: LayoutFile, prefix: string, problems: string[]): Promise<VerifyReport['snapshots'][number] | undefined> {
  try {
    const snapshot = await readDocumentSnapshot(nodeFileSystem, file.path);
    if (snapshot === undefined) return undefined;
    return { file: `${prefix}${file.name}`, seq: snapshot.seq, entries: snapshot.count };
  } catch (error) {
    if (!(error instanceof SnapshotFormatError)) throw error;
    problems.push(`${prefix}${file.name}: ${oneLine(error.message)}`);
    return undefined;
  }
}

/** Decodes every entry the way the server would (JSON, decryption, transactions), through a read-only open. */
async function checkOpen(dir: string, encrypted: boolean, encryptionKey: string | undefined, problems: string[], notes: string[]): Promise<void> {
  if (encrypted && encryptionKey === undefined) {
    notes.push('encrypted: records and snapshot frames were checked, entries were not decrypted (pass --encryption-key to check them too)');
    return;
  }
  try {
    const db = await Database.open(dir, {
      readOnly: true,
      ...(encryptionKey === undefined ? {} : { encryptionKey }),
      onWarning: (warning: DatabaseWarning) => {
        if (SCAN_REPORTS.has(warning.code)) return;
        (NOT_DAMAGE.has(warning.code) ? notes : problems).push(`open: ${oneLine(warning.message)}`);
      },
    });
    await db.close();
  } catch (error) {
    const message = error instanceof Error ? oneLine(error.message) : String(error);
    // A snapshot the frame check already named fails the open with the same words; say it once.
    if (problems.some((problem) => problem.endsWith(message))) return;
    problems.push(`open: ${error instanceof Error ? `${error.name}: ${message}` : message}`);
  }
}

function hex(value: number): string {
  return value.toString(16).padStart(8, '0');
}

export function formatVerify(report: VerifyReport): string {
  const lines = [
    `checked ${report.segments} log segment${report.segments === 1 ? '' : 's'} (${report.records} records, ${report.logBytes} bytes) and ${report.snapshots.length} snapshot file${report.snapshots.length === 1 ? '' : 's'} in ${report.directory}`,
  ];
  for (const snapshot of report.snapshots) lines.push(`  ${snapshot.file}: seq ${snapshot.seq}, ${snapshot.entries} entries, CRC ok`);
  for (const note of report.notes) lines.push(`note: ${note}`);
  for (const problem of report.problems) lines.push(`problem: ${problem}`);
  lines.push(report.ok ? 'ok' : `${report.problems.length} problem${report.problems.length === 1 ? '' : 's'} found`);
  return lines.join('\n');
}
