import { checkBaseOffset, checkBuffer, decodeRecord } from './decode.js';
import type { ScanEnd, ScanEntry } from './scan.js';

/**
 * Decodes records from chunks pushed in order, such as the reads of a file, with the same results as
 * `scanBuffer` over their concatenation. Records may span chunks. A record's payload is a view into
 * the chunk that held it whole, or into the decoder's own copy when it spanned chunks. The decoder
 * copies whatever bytes it keeps between pushes, so a caller may reuse a chunk's memory once it is done
 * with the entries `push` returned.
 */
export class RecordStreamDecoder {
  /** Copied bytes of the record that starts at `pendingStart`, not yet complete. */
  private carry: Uint8Array[] = [];
  private carryBytes = 0;
  /** Absolute offset of the first byte not yet decoded. */
  private pendingStart: number;
  /** Bytes from `pendingStart` to gather before decoding can make progress. */
  private needed = 1;
  private validEnd: number;
  private totalEnd: number;
  private unknownAt: number | undefined;

  /** `baseOffset`: the file position of the first chunk's first byte. */
  constructor(baseOffset = 0) {
    checkBaseOffset(baseOffset);
    this.pendingStart = baseOffset;
    this.validEnd = baseOffset;
    this.totalEnd = baseOffset;
  }

  /** Adds the next chunk and returns the records it completes. */
  push(chunk: Uint8Array): ScanEntry[] {
    checkBuffer(chunk, 'chunk');
    this.totalEnd += chunk.length;
    const entries: ScanEntry[] = [];
    let from = 0;
    // First complete the carried record, copying only the bytes it still needs: never more than have
    // arrived, so a damaged 4 GiB length costs only the bytes actually pushed.
    while (this.carryBytes > 0 && this.unknownAt === undefined) {
      const take = Math.min(this.needed - this.carryBytes, chunk.length - from);
      if (take > 0) this.carry.push(copyOf(chunk.subarray(from, from + take)));
      this.carryBytes += take;
      from += take;
      if (this.carryBytes < this.needed) return entries;
      const joined = join(this.carry, this.carryBytes);
      // `joined` holds exactly `needed` bytes: one whole record, or a header that names a longer one.
      if (this.decodeRun(joined, 0, entries) === joined.length) {
        this.carry = [];
        this.carryBytes = 0;
      } else {
        this.carry = [joined];
      }
    }
    if (this.unknownAt !== undefined) return entries;
    const stop = this.decodeRun(chunk, from, entries);
    if (stop < chunk.length) this.keepPartialRecord(chunk.subarray(stop));
    return entries;
  }

  /** Copies the start of a record the next chunks will complete; after an unknown marker nothing is kept. */
  private keepPartialRecord(bytes: Uint8Array): void {
    if (this.unknownAt !== undefined) return;
    this.carry = [copyOf(bytes)];
    this.carryBytes = bytes.length;
  }

  /** Decodes the records of `buf` from `start` into `entries`; returns where it stopped. */
  private decodeRun(buf: Uint8Array, start: number, entries: ScanEntry[]): number {
    let at = start;
    this.needed = 1;
    while (at < buf.length) {
      const record = decodeRecord(buf, at);
      if (record.type === 'incomplete') {
        this.needed = record.needed;
        break;
      }
      if (record.type === 'unknown') {
        this.unknownAt = this.pendingStart;
        break;
      }
      entries.push({ offset: this.pendingStart, record });
      at += record.size;
      this.pendingStart += record.size;
      if (record.type !== 'corrupt') this.validEnd = this.pendingStart;
    }
    return at;
  }

  /** Says how the stream ended once every chunk was pushed. */
  finish(): ScanEnd {
    const tailBytes = this.totalEnd - this.validEnd;
    if (this.unknownAt !== undefined) {
      return { validEnd: this.validEnd, stopOffset: this.unknownAt, stop: 'unknown', tailBytes };
    }
    if (this.carryBytes > 0) {
      return { validEnd: this.validEnd, stopOffset: this.pendingStart, stop: 'incomplete', tailBytes };
    }
    return { validEnd: this.validEnd, stopOffset: this.totalEnd, stop: 'end', tailBytes };
  }
}

/** A plain Uint8Array copy; `slice` would not do, as on a Buffer it returns a view. */
function copyOf(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy;
}

function join(parts: readonly Uint8Array[], totalBytes: number): Uint8Array {
  const [only] = parts;
  if (parts.length === 1 && only !== undefined) return only;
  const joined = new Uint8Array(totalBytes);
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.length;
  }
  return joined;
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
