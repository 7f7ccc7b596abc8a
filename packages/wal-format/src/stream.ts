import { decodeRecord } from './decode.js';
import type { ScanEnd, ScanEntry } from './scan.js';

/**
 * Decodes records from chunks pushed in order, such as the reads of a file, with the same results as
 * `scanBuffer` over their concatenation. Records may span chunks. A record's payload is a view into
 * the chunk that held it whole, or into the decoder's own copy when it spanned chunks. The decoder
 * copies whatever bytes it keeps between pushes, so a caller may reuse a chunk's memory once it is done
 * with the entries `push` returned.
 */
export class RecordStreamDecoder {
  /** Bytes of a record not yet complete, owned by the decoder; joined once `needed` bytes are here. */
  private carry: Uint8Array[] = [];
  private carryBytes = 0;
  /** Absolute offset of the first carried byte. */
  private carryStart: number;
  /** Bytes from `carryStart` to gather before decoding can make progress. */
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
    if (this.carryBytes + chunk.length < this.needed) {
      // Still short of a header or a whole record: keep a copy and wait. The length field is never
      // used to size an allocation, so a damaged 4 GiB length costs only the bytes actually pushed.
      this.carry.push(copyOf(chunk));
      this.carryBytes += chunk.length;
      return [];
    }
    const buf = this.carryBytes === 0 ? chunk : join(this.carry, this.carryBytes, chunk);
    const entries: ScanEntry[] = [];
    let at = 0;
    this.needed = 1;
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
    // After an unknown marker nothing more is decoded, so nothing needs keeping.
    const rest = this.unknownAt === undefined && at < buf.length ? copyOf(buf.subarray(at)) : undefined;
    this.carry = rest === undefined ? [] : [rest];
    this.carryBytes = rest?.length ?? 0;
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

/** A plain Uint8Array copy; `slice` would not do, as on a Buffer it returns a view. */
function copyOf(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy;
}

function join(parts: readonly Uint8Array[], partBytes: number, last: Uint8Array): Uint8Array {
  const joined = new Uint8Array(partBytes + last.length);
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.length;
  }
  joined.set(last, at);
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
