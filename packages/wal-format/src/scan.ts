import { checkBaseOffset, checkOffset, decodeRecord, type CorruptRecord, type ValidRecord } from './decode.js';

/** A record met by a scan, at its absolute byte offset. Corrupt records are reported and stepped over. */
export interface ScanEntry {
  readonly offset: number;
  readonly record: ValidRecord | CorruptRecord;
}

/** How a scan ended. */
export interface ScanEnd {
  /** Where the last valid record ends: a store truncates a torn tail here. */
  readonly validEnd: number;
  /** Where the scan stopped: the end of the data, or the start of the record it could not follow. */
  readonly stopOffset: number;
  /** `'end'`: every byte was framed; `'incomplete'`: the data ends inside a record; `'unknown'`: an unknown marker byte. */
  readonly stop: 'end' | 'incomplete' | 'unknown';
  /** Bytes after `validEnd` (trailing corrupt records and whatever could not be followed). */
  readonly tailBytes: number;
}

/**
 * Walks the records of `buf` from `start`; `baseOffset` is added to every reported offset
 * (the position of `buf[0]` in the file). Returns how the scan ended. A `buf` that is not a Uint8Array,
 * a `start` that is not an integer in 0..buf.length or a `baseOffset` that is not a non-negative integer
 * throws a RecordDecodeError (a RangeError) on the first `next()`.
 */
export function* scanRecords(buf: Uint8Array, start = 0, baseOffset = 0): Generator<ScanEntry, ScanEnd, undefined> {
  checkOffset(buf, start, 'start');
  checkBaseOffset(baseOffset);
  let at = start;
  let validEnd = start;
  while (at < buf.length) {
    const record = decodeRecord(buf, at);
    if (record.type === 'incomplete' || record.type === 'unknown') {
      return end(baseOffset, validEnd, at, record.type, buf.length);
    }
    yield { offset: baseOffset + at, record };
    at += record.size;
    if (record.type !== 'corrupt') validEnd = at;
  }
  return end(baseOffset, validEnd, at, 'end', buf.length);
}

function end(base: number, validEnd: number, stopAt: number, stop: ScanEnd['stop'], length: number): ScanEnd {
  return { validEnd: base + validEnd, stopOffset: base + stopAt, stop, tailBytes: length - validEnd };
}

/** Scans a whole buffer, collecting its records and how the scan ended. */
export function scanBuffer(buf: Uint8Array, start = 0, baseOffset = 0): { entries: ScanEntry[]; end: ScanEnd } {
  const entries: ScanEntry[] = [];
  const it = scanRecords(buf, start, baseOffset);
  for (;;) {
    const next = it.next();
    if (next.done === true) return { entries, end: next.value };
    entries.push(next.value);
  }
}
