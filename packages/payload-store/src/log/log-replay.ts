import type { FileHandle } from '@kilndb/snapshot';
import {
  DELETE_MARKER,
  DELETE_RECORD_SIZE,
  LEGACY_DELETE_MARKER,
  LEGACY_DELETE_RECORD_SIZE,
  LEGACY_STORE_MARKER,
  LEGACY_STORE_OVERHEAD,
  LENGTH_FIELD_OFFSET,
  STORE_MARKER,
  STORE_OVERHEAD,
  decodeRecord,
  isAllZero,
  type DecodeResult,
  type ScanEnd,
  type ScanEntry,
} from '@kilndb/wal-format';
import { ReplayStartError } from '../errors.js';
import { ReadWindow } from './read-window.js';
import { findResync } from './resync-search.js';

/** Bytes between the start of a store record and its payload: marker, id, length. */
const STORE_HEADER_BYTES = LENGTH_FIELD_OFFSET + 4;

/** A stretch of the log that could not be framed, with a whole valid record right after it. */
export interface DamagedRange {
  readonly offset: number;
  readonly length: number;
  /** What replay met at `offset`. */
  readonly reason: string;
  /** Every byte of it is zero (what a repaired range holds, so it is not quarantined again). */
  readonly allZero: boolean;
}

export interface ReplayScanOptions {
  readonly filePath: string;
  readonly from: number;
  readonly chunkBytes: number;
  readonly onRecord: ((entry: ScanEntry) => void) | undefined;
  readonly onCorrupt: (offset: number, id: bigint) => void;
  readonly acceptResync: ((id: bigint) => boolean) | undefined;
}

export interface ReplayScan {
  /** Zero bytes from the clean end of the log to the end of the file: space the writer preallocated, not data. */
  readonly zeroTailBytes: number;
  readonly records: number;
  readonly corruptRecords: number;
  readonly corruptRecordBytes: number;
  readonly damaged: readonly DamagedRange[];
  readonly end: ScanEnd;
}

/**
 * Replays the records of a log file from `from`. Where framing cannot be followed (an unknown marker, a
 * record whose CRC fails and whose length does not lead to the next record, a length running past the end),
 * it looks for the first later offset where a whole valid current record starts (known marker, length
 * within the file, CRC matching, and `acceptResync` agreeing) and resumes there: the bytes in between are a
 * damaged range. Only when no such record follows is the rest a tail, read by plain framing as before.
 */
export async function replayLogFile(handle: FileHandle | undefined, fileSize: number, options: ReplayScanOptions): Promise<ReplayScan> {
  const reader = new ReadWindow(handle, handle === undefined ? 0 : fileSize, options.chunkBytes);
  return new Replay(reader, options).run();
}

class Replay {
  private records = 0;
  private corruptRecords = 0;
  private corruptRecordBytes = 0;
  private readonly damaged: DamagedRange[] = [];
  private validEnd: number;
  private zeroTailBytes = 0;

  constructor(
    private readonly reader: ReadWindow,
    private readonly options: ReplayScanOptions,
  ) {
    this.validEnd = options.from;
  }

  async run(): Promise<ReplayScan> {
    const { from, filePath } = this.options;
    const reader = this.reader;
    if (from > reader.end) throw new ReplayStartError(filePath, from, `the log is only ${reader.end} bytes long`);
    // Legacy records carry no CRC, so one at the start proves little; the rest of the replay must then frame cleanly.
    let legacyHead = false;
    // A start at the preallocated zeros after the last record is the clean end, not a bad start.
    if (from > 0 && from < reader.end && !(await this.zeroToEnd(from))) {
      const head = await this.recordAt(from);
      if (head.type === 'corrupt' || head.type === 'unknown') {
        throw new ReplayStartError(filePath, from, `no valid record starts there (${head.type})`);
      }
      legacyHead = (head.type === 'store' || head.type === 'delete') && head.legacy;
    }
    let end: ScanEnd | undefined;
    let at = from;
    while (end === undefined) {
      if (at >= reader.end) {
        end = { validEnd: this.validEnd, stopOffset: reader.end, stop: 'end', tailBytes: reader.end - this.validEnd };
        break;
      }
      const record = this.bufferedRecordAt(at) ?? (await this.recordAt(at));
      if (record.type === 'store' || record.type === 'delete') {
        this.deliver(at, record);
        at += record.size;
        continue;
      }
      if (await this.zeroToEnd(at)) {
        end = this.cleanEnd(at);
        break;
      }
      const next = await findResync(this.reader, at + 1, this.options.acceptResync);
      if (next === undefined) {
        end = await this.readTail(at);
      } else if (await this.frames(at, next)) {
        // Corrupt records whose own lengths lead to the next valid record: damage inside them, not to the framing.
        await this.readFramed(at, next);
        at = next;
      } else {
        this.damaged.push({ offset: at, length: next - at, reason: describe(record, at), allZero: await this.allZero(at, next) });
        at = next;
      }
    }
    if (legacyHead && (end.stop !== 'end' || end.tailBytes > 0 || this.corruptRecords > 0 || this.damaged.length > 0)) {
      throw new ReplayStartError(filePath, from, 'a legacy record starts there but the records after it do not frame cleanly');
    }
    return {
      zeroTailBytes: this.zeroTailBytes,
      records: this.records,
      corruptRecords: this.corruptRecords,
      corruptRecordBytes: this.corruptRecordBytes,
      damaged: this.damaged,
      end,
    };
  }

  private deliver(offset: number, record: ScanEntry['record']): void {
    if (record.type === 'corrupt') {
      this.corruptRecords++;
      this.corruptRecordBytes += record.size;
      this.options.onCorrupt(offset, record.id);
      return;
    }
    this.records++;
    this.validEnd = offset + record.size;
    this.options.onRecord?.({ offset, record });
  }

  /** The record at `at` when the window already holds it (the common case, without a turn of the event loop). */
  private bufferedRecordAt(at: number): DecodeResult | undefined {
    const reader = this.reader;
    if (!reader.covers(at, STORE_HEADER_BYTES)) return undefined;
    const size = this.sizeAt(at);
    if (size !== undefined && (size > this.options.chunkBytes || !reader.covers(at, size))) return undefined;
    const { buf, index } = reader.bytes(at);
    return decodeRecord(buf, index);
  }

  /**
   * Decodes the record at `at`, reading as much of it as needed. A store too large to hold just to check has
   * its CRC checked by streaming first, so a damaged length costs reads, not memory.
   */
  private async recordAt(at: number): Promise<DecodeResult> {
    const reader = this.reader;
    await reader.ensure(at, STORE_HEADER_BYTES);
    const size = this.sizeAt(at);
    if (size !== undefined && at + size <= reader.end) {
      if (size > this.options.chunkBytes && reader.byte(at) === STORE_MARKER) {
        const id = reader.u64(at + 1);
        const computedCrc = await reader.crcOf(at, size - 4);
        await reader.ensure(at + size - 4, 4);
        const storedCrc = reader.u32(at + size - 4);
        if (storedCrc !== computedCrc) return { type: 'corrupt', marker: STORE_MARKER, id, size, storedCrc, computedCrc };
      }
      await reader.ensure(at, size);
    }
    const { buf, index } = reader.bytes(at);
    return decodeRecord(buf, index);
  }

  /** Bytes the record at `at` says it takes, from its header alone; undefined for an unknown marker or a cut header. */
  private sizeAt(at: number): number | undefined {
    const reader = this.reader;
    const available = reader.end - at;
    switch (reader.byte(at)) {
      case STORE_MARKER:
        return available < STORE_HEADER_BYTES ? undefined : STORE_OVERHEAD + reader.u32(at + LENGTH_FIELD_OFFSET);
      case DELETE_MARKER:
        return DELETE_RECORD_SIZE;
      case LEGACY_STORE_MARKER:
        return available < LEGACY_STORE_OVERHEAD ? undefined : LEGACY_STORE_OVERHEAD + reader.u32(at + LENGTH_FIELD_OFFSET);
      case LEGACY_DELETE_MARKER:
        return LEGACY_DELETE_RECORD_SIZE;
      default:
        return undefined;
    }
  }

  /** Whether following the records' own lengths from `from` lands exactly on `to`. */
  private async frames(from: number, to: number): Promise<boolean> {
    let at = from;
    while (at < to) {
      await this.reader.ensure(at, STORE_HEADER_BYTES);
      const size = this.sizeAt(at);
      if (size === undefined) return false;
      at += size;
    }
    return at === to;
  }

  /** Replays `[from, to)`, which frames: its corrupt records are reported, any valid ones applied. */
  private async readFramed(from: number, to: number): Promise<void> {
    for (let at = from; at < to; ) {
      const record = await this.recordAt(at);
      if (record.type === 'incomplete' || record.type === 'unknown') return;
      this.deliver(at, record);
      at += record.size;
    }
  }

  /** Reads the tail from `from` by plain framing (no valid CRC record follows) and says how it ends. */
  private async readTail(from: number): Promise<ScanEnd> {
    const end = (): number => this.reader.end;
    let at = from;
    while (at < end()) {
      const record = await this.recordAt(at);
      if (record.type === 'unknown' && (await this.zeroToEnd(at))) return this.cleanEnd(at);
      if (record.type === 'incomplete' || record.type === 'unknown') {
        return { validEnd: this.validEnd, stopOffset: at, stop: record.type, tailBytes: end() - this.validEnd };
      }
      this.deliver(at, record);
      at += record.size;
    }
    return { validEnd: this.validEnd, stopOffset: end(), stop: 'end', tailBytes: end() - this.validEnd };
  }

  /**
   * Whether every byte from `at` to the end of the file is zero: what a writer preallocated and never wrote.
   * Zero is not a marker, so no record starts there; a zero run with any other byte after it is damage.
   */
  private async zeroToEnd(at: number): Promise<boolean> {
    await this.reader.ensure(at, 1);
    return this.reader.byte(at) === 0 && (await this.allZero(at, this.reader.end));
  }

  /** The end of a log whose data stops at `at`, with only preallocated zeros after it. */
  private cleanEnd(at: number): ScanEnd {
    this.zeroTailBytes = this.reader.end - at;
    return { validEnd: this.validEnd, stopOffset: at, stop: 'end', tailBytes: at - this.validEnd };
  }

  private async allZero(from: number, to: number): Promise<boolean> {
    for (let at = from; at < to; ) {
      const n = await this.reader.ensure(at, Math.min(to - at, this.options.chunkBytes));
      if (n === 0) break;
      const { buf, index } = this.reader.bytes(at);
      if (!isAllZero(buf.subarray(index, index + n))) return false;
      at += n;
    }
    return true;
  }
}

function describe(record: DecodeResult, at: number): string {
  switch (record.type) {
    case 'unknown':
      return `unknown marker byte 0x${record.marker.toString(16).padStart(2, '0')} at offset ${at}`;
    case 'incomplete':
      return `the record at offset ${at} runs past the end of the file`;
    case 'corrupt':
      return `the record at offset ${at} fails its CRC and its length does not lead to the next record`;
    default:
      return `a record at offset ${at}`;
  }
}
