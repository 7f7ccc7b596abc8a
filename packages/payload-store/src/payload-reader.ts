import { decodeRecord, STORE_OVERHEAD } from '@kilndb/wal-format';
import type { AppendLog } from './log/index.js';
import { PayloadCorruptError } from './errors.js';
import { UNKNOWN_SIZE, type IdIndex, type IndexKey } from './id-index.js';
import type { LiveBytes } from './live-bytes.js';
import { fromRecordId } from './record-id.js';

/** First read of a record whose size is not known (loaded from a snapshot): enough for most payloads. */
const GUESS_READ_BYTES = 4096;

/** Reads the records the index points at, learning the sizes a snapshot did not carry as it goes. */
export class PayloadReader {
  /** Reused by every read; grown when a record is larger. */
  private readBuffer = new Uint8Array(64 * 1024);

  constructor(
    private readonly log: AppendLog,
    private readonly index: IdIndex,
    private readonly live: LiveBytes,
  ) {}

  /**
   * Reads the record of `key` at `offset` with one read (two when its size is not known and it is larger
   * than a first guess), checks its CRC and id, and returns a view of its payload (valid until the next read).
   */
  readPayload(key: IndexKey, offset: number, knownSize: number): Uint8Array {
    const sizeKnown = knownSize !== UNKNOWN_SIZE;
    let want = sizeKnown ? knownSize : GUESS_READ_BYTES;
    for (;;) {
      if (this.readBuffer.length < want) this.readBuffer = new Uint8Array(Math.max(want, 2 * this.readBuffer.length));
      const view = want === this.readBuffer.length ? this.readBuffer : this.readBuffer.subarray(0, want);
      const read = this.log.readSync(view, offset);
      const record = decodeRecord(read === want ? view : view.subarray(0, read));
      if (record.type === 'incomplete' && !sizeKnown && read === want && record.needed > want) {
        want = record.needed;
        continue;
      }
      if (record.type === 'store' && fromRecordId(record.id) === key) {
        if (!sizeKnown) {
          this.index.setSize(key, record.size);
          this.live.replace(UNKNOWN_SIZE, record.size);
        }
        return record.payload;
      }
      const corrupt = (reason: string): PayloadCorruptError => new PayloadCorruptError(key, offset, this.log.path, reason);
      switch (record.type) {
        case 'store':
          throw corrupt(`it holds id ${record.id}`);
        case 'corrupt':
          throw corrupt(`its CRC does not match (stored ${hex(record.storedCrc)}, computed ${hex(record.computedCrc)})`);
        case 'incomplete':
          throw corrupt(`the log ends inside it (${record.available} of ${record.needed} bytes)`);
        case 'delete':
          throw corrupt('it is a delete record');
        case 'unknown':
          throw corrupt(`unknown marker byte 0x${record.marker.toString(16).padStart(2, '0')}`);
      }
    }
  }

  /** Learns the size of every entry loaded from a snapshot (one small read each), for the byte accounting. */
  resolveUnknownSizes(): void {
    if (this.live.unknown === 0) return;
    const header = new Uint8Array(STORE_OVERHEAD);
    const found: [IndexKey, number][] = [];
    this.index.forEach((key, offset, size) => {
      if (size !== UNKNOWN_SIZE) return;
      const read = this.log.readSync(header, offset);
      const record = decodeRecord(header.subarray(0, read));
      if (record.type === 'incomplete' && record.needed > STORE_OVERHEAD) found.push([key, record.needed]);
      else if (record.type === 'store' || record.type === 'corrupt') found.push([key, record.size]);
    });
    for (const [key, size] of found) {
      this.index.setSize(key, size);
      this.live.replace(UNKNOWN_SIZE, size);
    }
  }
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
