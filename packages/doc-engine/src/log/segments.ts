import * as path from 'node:path';
import { readLog, type LogWarning, type ReplayOptions, type ReplaySummary } from '@kilndb/payload-store/log';
import type { FileSystem } from '@kilndb/snapshot';
import type { DatabaseWarning } from '../warnings.js';

/** Directory of the live log segments. */
export const LOG_DIR = 'log';
/** Where compaction moves the segments it retires when `retainLogSegments` is on (for `recover`). */
export const RETIRED_LOG_DIR = path.join('backup', 'log');

const SEGMENT_NAME = /^(\d{20})\.log$/;

/**
 * One log segment file. It is named by the first sequence number it may hold, so the segment covers
 * `start` up to the next segment's `start - 1` without being read.
 */
export interface Segment {
  readonly start: number;
  readonly path: string;
}

export function segmentName(start: number): string {
  return `${String(start).padStart(20, '0')}.log`;
}

/** The segments in `dir`, oldest first. Other files (quarantined tails) are left out. */
export async function listSegments(fs: FileSystem, dir: string): Promise<Segment[]> {
  const segments: Segment[] = [];
  for (const name of await fs.readdir(dir)) {
    const match = SEGMENT_NAME.exec(name);
    if (match?.[1] !== undefined) segments.push({ start: Number(match[1]), path: path.join(dir, name) });
  }
  return segments.sort((a, b) => a.start - b.start);
}

/** Last sequence number segment `i` of `segments` can hold (Infinity for the last). */
export function segmentEnd(segments: readonly Segment[], i: number): number {
  const next = segments[i + 1];
  return next === undefined ? Infinity : next.start - 1;
}

/** Handles one record's payload; returns false when its entry could not be read (it was skipped). */
export type RecordHandler = (seq: number, payload: Uint8Array, segment: Segment) => boolean;

/**
 * The replay options for a segment (the reader's and AppendLog's alike): records go to `onRecord` by sequence
 * number, and after damage replay resumes only at a record whose sequence number is above every one read before
 * it in the segment (a segment named S holds sequence numbers from S on), so a stray old record is never taken
 * for the resume point.
 */
export function segmentReplay(segment: Segment, onRecord: RecordHandler): Pick<ReplayOptions, 'onRecord' | 'acceptResync'> {
  let lastRead = BigInt(segment.start) - 1n;
  return {
    onRecord: ({ record }) => {
      if (record.type !== 'store') return;
      if (record.id > lastRead) lastRead = record.id;
      onRecord(Number(record.id), record.payload, segment);
    },
    acceptResync: (seq) => seq > lastRead && seq <= MAX_SEQ,
  };
}

/** Sequence numbers are JavaScript numbers. */
const MAX_SEQ = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Reads every valid record of a sealed (no longer appended) segment with the log's reader (the replay
 * AppendLog runs at open, without its repair). A segment that ends inside a record is reported, as its tail
 * was lost. Returns what the replay met.
 */
export async function readSegment(
  fs: FileSystem,
  segment: Segment,
  onRecord: RecordHandler,
  onWarning: (warning: DatabaseWarning) => void,
): Promise<ReplaySummary> {
  const replay = await readLog(segment.path, {
    fs,
    onWarning: (warning: LogWarning) => {
      onWarning(warning);
    },
    ...segmentReplay(segment, onRecord),
  });
  const end = replay.end;
  if (end.stop !== 'end') {
    onWarning({
      code: 'torn-tail',
      path: segment.path,
      offset: end.stopOffset,
      message: `${segment.path}: ${end.tailBytes} bytes after offset ${end.stopOffset} are not a whole record (${end.stop}); they were skipped`,
    });
  }
  return replay;
}
