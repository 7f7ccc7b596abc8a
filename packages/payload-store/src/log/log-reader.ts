import { nodeFileSystem, type FileHandle } from '@kilndb/snapshot';
import type { LogWarning, ReplayOptions } from './log-options.js';
import { replayLogFile, type DamagedRange, type ReplayScan } from './log-replay.js';
import type { DamageReport, ReplaySummary } from './replay-summary.js';

/**
 * Reads a log file nothing appends to any more (a sealed segment, or a log kept for history): every valid
 * record goes to `onRecord`, and nothing is repaired or written. A missing file reads as empty. This is the
 * log's reader, as AppendLog is its writer; the writer replays through the same scan (`scanLog`) and then
 * repairs what it met.
 */
export async function readLog(filePath: string, options: ReplayOptions = {}): Promise<ReplaySummary> {
  const fs = options.fs ?? nodeFileSystem;
  const handle = (await fs.stat(filePath)) === undefined ? undefined : await fs.open(filePath, 'read');
  try {
    return await replayReadOnly(filePath, handle, options);
  } finally {
    await handle?.close();
  }
}

/** Replays an open log without repairing it: damaged ranges are reported and left in place. */
export async function replayReadOnly(filePath: string, handle: FileHandle | undefined, options: ReplayOptions): Promise<ReplaySummary> {
  const onWarning = options.onWarning ?? (() => undefined);
  const { scan } = await scanLog(filePath, handle, options);
  const damage = scan.damaged.map((range) => {
    warnDamage(filePath, range, range.allZero ? ALL_ZERO : 'they were left in place (read-only)', onWarning);
    return { offset: range.offset, length: range.length, quarantinePath: undefined };
  });
  return summarize(options, scan, damage);
}

/** What a damaged range that is already all zero is said to be. */
export const ALL_ZERO = 'they are all zero (quarantined at an earlier open, or zero-filled by the file system)';

/** Replays the log open on `handle` (undefined: a missing file) from `options.replayFrom`, reporting corrupt records. */
export async function scanLog(
  filePath: string,
  handle: FileHandle | undefined,
  options: ReplayOptions,
): Promise<{ readonly scan: ReplayScan; readonly fileSize: number }> {
  const onWarning = options.onWarning ?? (() => undefined);
  const fileSize = handle === undefined ? 0 : await handle.size();
  const scan = await replayLogFile(handle, fileSize, {
    filePath,
    from: options.replayFrom ?? 0,
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
  return { scan, fileSize };
}

/** Warns about a damaged range replay stepped over; `outcome` says what became of its bytes. */
export function warnDamage(filePath: string, range: DamagedRange, outcome: string, onWarning: (warning: LogWarning) => void): void {
  const { offset, length } = range;
  onWarning({
    code: 'damaged-range',
    path: filePath,
    offset,
    message:
      `${filePath}: skipped ${length} damaged bytes at offset ${offset} (${range.reason}); replay resumed at the ` +
      `valid record at offset ${offset + length}; ${outcome}`,
  });
}

/** The summary of a replay whose damaged ranges became `damage`, before any tail is cut. */
export function summarize(options: ReplayOptions, scan: ReplayScan, damage: readonly DamageReport[]): ReplaySummary {
  let corruptBytes = scan.corruptRecordBytes;
  for (const range of scan.damaged) corruptBytes += range.length;
  return {
    from: options.replayFrom ?? 0,
    records: scan.records,
    corruptRecords: scan.corruptRecords,
    corruptBytes,
    damage,
    truncatedBytes: 0,
    quarantinePath: undefined,
    zeroTailBytes: scan.zeroTailBytes,
    end: scan.end,
  };
}
