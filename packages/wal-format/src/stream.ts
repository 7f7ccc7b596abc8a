import { decodeRecord } from './decode.js';
import type { ScanEnd, ScanEntry } from './scan.js';

/**
 * Decodes records from chunks pushed in order, such as the reads of a file. Records may span chunks.
 * Payloads are views into the pushed chunks (or into a copy joining the bytes of a record that spans
 * chunks): do not overwrite a chunk while its records are in use.
 */
export class RecordStreamDecoder {
  private carry: Uint8Array[] = [];
  private carryBytes = 0;
  /** Absolute offset of the first carried byte. */
  private carryStart: number;
  /** Bytes to gather before decoding is worth another try. */
  private needed = 1;
  private validEnd: number;
  private totalEnd: number;
  private unknownAt: number | undefined;

  constructor(baseOffset = 0) {
    this.carryStart = baseOffset;
    this.validEnd = baseOffset;
    this.totalEnd = baseOffset;
  }

  /** Adds the next chunk and returns the records it completes. */
  push(chunk: Uint8Array): ScanEntry[] {
    this.totalEnd += chunk.length;
    if (this.unknownAt !== undefined || chunk.length === 0) return [];
    this.carry.push(chunk);
    this.carryBytes += chunk.length;
    if (this.carryBytes < this.needed) return [];

    const buf = this.carry.length === 1 ? chunk : Buffer.concat(this.carry, this.carryBytes);
    const entries: ScanEntry[] = [];
    let at = 0;
    while (at < buf.length) {
      const record = decodeRecord(buf, at);
      if (record.type === 'incomplete') {
        this.needed = record.needed;
        break;
      }
      if (record.type === 'unknown') {
        this.unknownAt = this.carryStart + at;
        break;
      }
      entries.push({ offset: this.carryStart + at, record });
      at += record.size;
      if (record.type !== 'corrupt') this.validEnd = this.carryStart + at;
    }
    if (at >= buf.length) this.needed = 1;
    const rest = buf.subarray(at);
    this.carry = rest.length > 0 ? [rest] : [];
    this.carryBytes = rest.length;
    this.carryStart += at;
    return entries;
  }

  /** Says how the stream ended once every chunk was pushed. */
  finish(): ScanEnd {
    const tailBytes = this.totalEnd - this.validEnd;
    if (this.unknownAt !== undefined) {
      return { validEnd: this.validEnd, stopOffset: this.unknownAt, stop: 'unknown', tailBytes };
    }
    if (this.carryBytes > 0) {
      return { validEnd: this.validEnd, stopOffset: this.carryStart, stop: 'incomplete', tailBytes };
    }
    return { validEnd: this.validEnd, stopOffset: this.totalEnd, stop: 'end', tailBytes };
  }
}

/**
 * Yields each record of an async iterable of chunks (a file stream, say) with its absolute offset,
 * and returns how the stream ended (the generator's return value).
 */
export async function* decodeRecordStream(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  baseOffset = 0,
): AsyncGenerator<ScanEntry, ScanEnd, undefined> {
  const decoder = new RecordStreamDecoder(baseOffset);
  for await (const chunk of chunks) yield* decoder.push(chunk);
  return decoder.finish();
}
