import type { ScanEnd } from '@kilndb/wal-format';

/** A damaged stretch inside the log that replay stepped over to the next valid record. */
export interface DamageReport {
  readonly offset: number;
  readonly length: number;
  /** Where its bytes were copied before they were zeroed in the log; undefined when read-only or already all zero. */
  readonly quarantinePath: string | undefined;
}

/** What replay met while opening the log. */
export interface ReplaySummary {
  readonly from: number;
  readonly records: number;
  /** Records skipped because their CRC does not match (their framing held). */
  readonly corruptRecords: number;
  /** Bytes skipped inside the log: corrupt records and damaged ranges (a cut tail is `truncatedBytes`). */
  readonly corruptBytes: number;
  /** Stretches that could not be framed, each followed by a valid record, in log order. */
  readonly damage: readonly DamageReport[];
  /** Bytes cut from the end of the log (a torn tail or an unknown marker), saved to `quarantinePath`. */
  readonly truncatedBytes: number;
  readonly quarantinePath: string | undefined;
  /**
   * Zero bytes after the last record up to the end of the file: space a writer preallocated and never
   * wrote (the log's clean end, not data and not damage). 0 once a cut tail took them with it.
   */
  readonly zeroTailBytes: number;
  readonly end: ScanEnd;
}
