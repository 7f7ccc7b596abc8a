import type { FileHandle, FileSystem } from '@kilndb/snapshot';
import type { ScanEnd } from '@kilndb/wal-format';
import type { LogWarning, ReplayOptions } from './log-options.js';
import { ALL_ZERO, scanLog, summarize, warnDamage } from './log-reader.js';
import type { DamagedRange } from './log-replay.js';
import { quarantineRange, zeroRange } from './quarantine.js';
import type { DamageReport, ReplaySummary } from './replay-summary.js';

/**
 * Replays a writable log and repairs it so appends can follow: each damaged range is copied to a quarantine
 * file and zeroed in place, and a tail with no valid record after it is copied to a quarantine file and cut
 * (with any preallocated zeros after it); preallocated zeros right after the last record are kept.
 * The zeroed ranges stay in the file; replay steps over them on every open without quarantining them again,
 * so a reopen finds the same records.
 */
export async function replayAndRepair(
  fs: FileSystem,
  filePath: string,
  handle: FileHandle,
  options: ReplayOptions,
): Promise<ReplaySummary> {
  const onWarning = options.onWarning ?? (() => undefined);
  const { scan, fileSize } = await scanLog(filePath, handle, options);
  const damage = await repairDamage(fs, handle, filePath, scan.damaged, onWarning);
  const summary = summarize(options, scan, damage);
  const end = scan.end.validEnd;
  // Preallocated zeros right after the last record stay: they are the clean end, and appends go into them.
  if (end >= fileSize - scan.zeroTailBytes) return summary;
  const quarantinePath = await quarantineRange(fs, handle, filePath, end, fileSize);
  await handle.truncate(end);
  await handle.datasync();
  onWarning({
    code: 'torn-tail',
    path: filePath,
    offset: end,
    message:
      `${filePath}: cut ${fileSize - end} bytes after offset ${end} (${describeStop(scan.end)}); ` +
      `they were saved to ${quarantinePath}`,
  });
  return { ...summary, truncatedBytes: fileSize - end, quarantinePath, zeroTailBytes: 0 };
}

/**
 * Warns about each damaged range, copies its bytes to a quarantine file and zeroes them in the log. A range
 * already all zero (repaired at an earlier open) is left as it is.
 */
async function repairDamage(
  fs: FileSystem,
  handle: FileHandle,
  filePath: string,
  damaged: readonly DamagedRange[],
  onWarning: (warning: LogWarning) => void,
): Promise<DamageReport[]> {
  const reports: DamageReport[] = [];
  for (const range of damaged) {
    const { offset, length } = range;
    let quarantinePath: string | undefined;
    let outcome = ALL_ZERO;
    if (!range.allZero) {
      quarantinePath = await quarantineRange(fs, handle, filePath, offset, offset + length);
      await zeroRange(handle, offset, offset + length);
      outcome = `they were saved to ${quarantinePath} and zeroed in the log`;
    }
    reports.push({ offset, length, quarantinePath });
    warnDamage(filePath, range, outcome, onWarning);
  }
  // The zeros are made durable once for every range; their quarantine copies were synced before them.
  if (reports.some((report) => report.quarantinePath !== undefined)) await handle.datasync();
  return reports;
}

function describeStop(end: ScanEnd): string {
  switch (end.stop) {
    case 'incomplete':
      return `the log ends inside the record at offset ${end.stopOffset}`;
    case 'unknown':
      return `unknown marker byte at offset ${end.stopOffset}`;
    case 'end':
      return 'corrupt records at the end';
  }
}
