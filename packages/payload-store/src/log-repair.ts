import type { FileHandle, FileSystem } from '@kilndb/snapshot';
import type { ScanEnd } from '@kilndb/wal-format';
import type { AppendLogOptions, LogWarning } from './log-options.js';
import { replayLogFile, type DamagedRange, type ReplayScan } from './log-replay.js';
import { quarantineRange, zeroRange } from './quarantine.js';
import type { DamageReport, ReplaySummary } from './replay-summary.js';

/**
 * Replays the log and, unless it is read-only, repairs it so appends can follow: each damaged range is
 * copied to a quarantine file and zeroed in place, and a tail with no valid record after it is copied to a
 * quarantine file and cut. The zeroed ranges stay in the file; replay steps over them on every open without
 * quarantining them again, so a reopen finds the same records.
 */
export async function replayAndRepair(
  fs: FileSystem,
  filePath: string,
  handle: FileHandle | undefined,
  readOnly: boolean,
  options: AppendLogOptions,
  onWarning: (warning: LogWarning) => void,
): Promise<ReplaySummary> {
  const fileSize = handle === undefined ? 0 : await handle.size();
  const from = options.replayFrom ?? 0;
  const scan = await replay(filePath, handle, fileSize, from, options, onWarning);
  const writable = readOnly ? undefined : handle;
  const damage = await repairDamage(fs, writable, filePath, scan.damaged, onWarning);
  let corruptBytes = scan.corruptRecordBytes;
  for (const range of scan.damaged) corruptBytes += range.length;
  const summary: ReplaySummary = {
    from,
    records: scan.records,
    corruptRecords: scan.corruptRecords,
    corruptBytes,
    damage,
    truncatedBytes: 0,
    quarantinePath: undefined,
    end: scan.end,
  };
  const end = scan.end.validEnd;
  if (writable === undefined || end >= fileSize) return summary;
  const quarantinePath = await quarantineRange(fs, writable, filePath, end, fileSize);
  await writable.truncate(end);
  await writable.datasync();
  onWarning({
    code: 'torn-tail',
    path: filePath,
    offset: end,
    message:
      `${filePath}: cut ${fileSize - end} bytes after offset ${end} (${describeStop(scan.end)}); ` +
      `they were saved to ${quarantinePath}`,
  });
  return { ...summary, truncatedBytes: fileSize - end, quarantinePath };
}

function replay(
  filePath: string,
  handle: FileHandle | undefined,
  fileSize: number,
  from: number,
  options: AppendLogOptions,
  onWarning: (warning: LogWarning) => void,
): Promise<ReplayScan> {
  return replayLogFile(handle, fileSize, {
    filePath,
    from,
    chunkBytes: options.replayChunkBytes ?? 4 * 1024 * 1024,
    onRecord: options.onRecord,
    acceptResync: options.acceptResync,
    onCorrupt: (offset, id) => {
      onWarning({
        code: 'corrupt-record',
        path: filePath,
        offset,
        message: `${filePath}: skipped a record at offset ${offset} whose CRC does not match (id ${id})`,
      });
    },
  });
}

/**
 * Warns about each damaged range and, when the log is writable, copies its bytes to a quarantine file and
 * zeroes them in the log. A range already all zero (repaired at an earlier open) is left as it is.
 */
async function repairDamage(
  fs: FileSystem,
  writable: FileHandle | undefined,
  filePath: string,
  damaged: readonly DamagedRange[],
  onWarning: (warning: LogWarning) => void,
): Promise<DamageReport[]> {
  const reports: DamageReport[] = [];
  for (const range of damaged) {
    const { offset, length } = range;
    let quarantinePath: string | undefined;
    let outcome: string;
    if (range.allZero) {
      outcome = 'they are all zero (quarantined at an earlier open, or zero-filled by the file system)';
    } else if (writable === undefined) {
      outcome = 'they were left in place (read-only)';
    } else {
      quarantinePath = await quarantineRange(fs, writable, filePath, offset, offset + length);
      await zeroRange(writable, offset, offset + length);
      outcome = `they were saved to ${quarantinePath} and zeroed in the log`;
    }
    reports.push({ offset, length, quarantinePath });
    onWarning({
      code: 'damaged-range',
      path: filePath,
      offset,
      message:
        `${filePath}: skipped ${length} damaged bytes at offset ${offset} (${range.reason}); replay resumed at the ` +
        `valid record at offset ${offset + length}; ${outcome}`,
    });
  }
  // The zeros are made durable once for every range; their quarantine copies were synced before them.
  if (writable !== undefined && reports.some((report) => report.quarantinePath !== undefined)) await writable.datasync();
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
