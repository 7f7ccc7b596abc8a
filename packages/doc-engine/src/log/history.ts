import * as path from 'node:path';
import type { FileSystem } from '@kilndb/snapshot';
import { DecryptionError, type EntryCipher } from '../crypto/index.js';
import { decodeEntry, type LogEntry } from './log-entry.js';
import { CommitAssembler, type Commit } from './entry-replay.js';
import { LOG_DIR, RETIRED_LOG_DIR, listSegments, readSegment, segmentEnd, type RecordHandler, type Segment } from './segments.js';
import type { DatabaseWarning } from '../warnings.js';

/**
 * Turns raw records into log entries (opening sealed ones) and feeds them to `assembler`. An entry that
 * passed its CRC but does not decrypt or decode (such as one an older version wrote with a key UTF-8 could
 * not hold) is skipped with a warning and reported unreadable (false): one bad entry never makes the
 * database unopenable.
 */
export function entryReader(cipher: EntryCipher | undefined, assembler: CommitAssembler): RecordHandler {
  return (seq, payload, segment) => {
    let entry: LogEntry | string;
    try {
      entry = decodeEntry(cipher === undefined ? payload : cipher.open(payload));
    } catch (error) {
      if (!(error instanceof DecryptionError)) throw error;
      entry = `it does not decrypt (${error.message})`;
    }
    if (typeof entry === 'string') {
      assembler.unreadable(seq, segment.path, entry);
      return false;
    }
    assembler.push(seq, entry);
    return true;
  };
}

/** Every segment on disk, live and retired, oldest first (a segment in both places counts once). */
export async function allSegments(fs: FileSystem, directory: string): Promise<Segment[]> {
  const retired = await listSegments(fs, path.join(directory, RETIRED_LOG_DIR));
  const live = await listSegments(fs, path.join(directory, LOG_DIR));
  const liveStarts = new Set(live.map((s) => s.start));
  return [...retired.filter((s) => !liveStarts.has(s.start)), ...live].sort((a, b) => a.start - b.start);
}

/**
 * The contiguous run of `segments` that holds every record after `afterSeq`, or undefined when the log no
 * longer reaches back that far (the segments were retired and deleted).
 */
export function segmentsAfter(segments: readonly Segment[], afterSeq: number): Segment[] | undefined {
  const from = segments.findIndex((_, i) => segmentEnd(segments, i) > afterSeq);
  const first = segments[from];
  if (first === undefined) return segments.length === 0 && afterSeq === 0 ? [] : undefined;
  if (first.start > afterSeq + 1) return undefined;
  return segments.slice(from);
}

/** The oldest sequence number the segments still hold changes after. */
export function oldestAvailableSeq(segments: readonly Segment[]): number {
  return (segments[0]?.start ?? 1) - 1;
}

/**
 * Reads the commits in `segments` (in order), calling `onCommit` for each. Transactions still open at the
 * end are left out silently: they are either being written right now or were discarded at open.
 */
export async function readCommits(
  fs: FileSystem,
  segments: readonly Segment[],
  cipher: EntryCipher | undefined,
  onCommit: (commit: Commit) => void,
  onWarning: (warning: DatabaseWarning) => void,
): Promise<void> {
  const assembler = new CommitAssembler(onCommit, onWarning, 'log');
  const read = entryReader(cipher, assembler);
  for (const segment of segments) await readSegment(fs, segment, read, onWarning);
}
