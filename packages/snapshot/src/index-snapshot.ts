import { crc32, SAFE_HIGH_WORD_LIMIT, toRecordId, TWO_POW_32, u64High, u64Low } from '@kilndb/wal-format';
import { writeFileAtomic } from './atomic-write.js';
import { hex32, hexBytes, isSafeU64, readSafeU64, writeU64 } from './binary.js';
import { SnapshotEncodeError, SnapshotFormatError } from './errors.js';
import type { FileSystem } from './file-system.js';
import { readFileIfExists } from './read-if-exists.js';

/** The first four bytes of a VSNP index snapshot. */
export const VSNP_MAGIC = 'VSNP';
export const VSNP_VERSION = 1;
/** magic 4 · version 1 · wal_pos 8 · count 8. */
export const VSNP_HEADER_SIZE = 21;
/** id u64 · offset u64. */
export const VSNP_ENTRY_SIZE = 16;
export const VSNP_CRC_SIZE = 4;

const magicBytes = new TextEncoder().encode(VSNP_MAGIC);

/** Exact byte size of a VSNP snapshot of `count` entries: 25 + 16·count. */
export function indexSnapshotSize(count: number): number {
  return VSNP_HEADER_SIZE + VSNP_ENTRY_SIZE * count + VSNP_CRC_SIZE;
}

/** What an index snapshot is encoded from: a log position and a way to list the entries. */
export interface IndexSnapshotSource {
  /** Log byte position the snapshot covers up to (replay resumes there). */
  readonly walPosition: number;
  readonly count: number;
  /** Calls `emit` exactly `count` times, once per entry. */
  forEach(emit: (id: number | bigint, offset: number) => void): void;
}

/**
 * A decoded VSNP snapshot. The entries stay in one `Uint32Array`, four words each, in file order: id low,
 * id high, offset low, offset high, so decoding allocates nothing per entry. For building a hash index, loop
 * `for (let i = 0; i < s.count; i++) index.set(s.id(i), s.offset(i))`: `id(i)` is a number for every id up
 * to 2^53 - 1 (no bigint allocated), a bigint only above that. Callers that hash the two halves directly can
 * read `words` themselves.
 */
export class IndexSnapshot implements IndexSnapshotSource {
  constructor(
    readonly walPosition: number,
    readonly words: Uint32Array,
  ) {}

  /** A snapshot of the given (id, offset) pairs, for callers that have them as a list. */
  static fromEntries(walPosition: number, entries: Iterable<readonly [id: number | bigint, offset: number]>): IndexSnapshot {
    const list = [...entries];
    const words = new Uint32Array(list.length * 4);
    list.forEach(([id, offset], i) => {
      const valid = isSafeU64(id) ? id : toRecordId(id);
      words[i * 4] = u64Low(valid);
      words[i * 4 + 1] = u64High(valid);
      if (!isSafeU64(offset)) throw offsetError(offset);
      words[i * 4 + 2] = u64Low(offset);
      words[i * 4 + 3] = u64High(offset);
    });
    return new IndexSnapshot(walPosition, words);
  }

  get count(): number {
    return this.words.length >>> 2;
  }

  /** The i-th id: a number up to 2^53 - 1, a bigint above. */
  id(i: number): number | bigint {
    const low = this.words[i * 4] ?? 0;
    const high = this.words[i * 4 + 1] ?? 0;
    if (high < SAFE_HIGH_WORD_LIMIT) return low + high * TWO_POW_32;
    return (BigInt(high) << 32n) | BigInt(low);
  }

  offset(i: number): number {
    return (this.words[i * 4 + 2] ?? 0) + (this.words[i * 4 + 3] ?? 0) * TWO_POW_32;
  }

  forEach(emit: (id: number | bigint, offset: number) => void): void {
    const count = this.count;
    for (let i = 0; i < count; i++) emit(this.id(i), this.offset(i));
  }
}

/**
 * Encodes a VSNP snapshot: "VSNP" · version u8 · wal_pos u64 · count u64 · count × (id u64 · offset u64) ·
 * crc32 u32 of every byte before it, little-endian. Throws `SnapshotEncodeError` (or wal-format's
 * `RecordEncodeError` for an id outside u64) when a value does not fit or `forEach` emits a different count.
 */
export function encodeIndexSnapshot(source: IndexSnapshotSource): Uint8Array {
  const { count, walPosition } = source;
  if (!isSafeU64(count)) {
    throw new SnapshotEncodeError('count', `index snapshot count ${String(count)} is not a non-negative safe integer`);
  }
  if (!isSafeU64(walPosition)) {
    throw new SnapshotEncodeError('walPosition', `index snapshot walPosition ${String(walPosition)} is not a non-negative safe integer`);
  }
  const out = new Uint8Array(indexSnapshotSize(count));
  const view = new DataView(out.buffer);
  out.set(magicBytes, 0);
  out[4] = VSNP_VERSION;
  writeU64(view, 5, walPosition);
  writeU64(view, 13, count);
  let at = VSNP_HEADER_SIZE;
  let emitted = 0;
  source.forEach((id, offset) => {
    if (emitted === count) throw new SnapshotEncodeError('count', `index snapshot source emitted more than its count of ${count} entries`);
    writeField(view, at, id, 'id');
    writeField(view, at + 8, offset, 'offset');
    at += VSNP_ENTRY_SIZE;
    emitted++;
  });
  if (emitted !== count) {
    throw new SnapshotEncodeError('count', `index snapshot source emitted ${emitted} entries but its count is ${count}`);
  }
  view.setUint32(at, crc32(out, 0, at), true);
  return out;
}

/**
 * Decodes a VSNP snapshot, checking in order: magic, version, the entry count against the byte length (before
 * allocating anything for the entries), exact size, CRC. Throws `SnapshotFormatError` naming `source`.
 */
export function decodeIndexSnapshot(bytes: Uint8Array, source = 'index snapshot'): IndexSnapshot {
  const length = bytes.length;
  const minimum = indexSnapshotSize(0);
  for (let i = 0; i < Math.min(length, magicBytes.length); i++) {
    if (bytes[i] !== magicBytes[i]) {
      throw new SnapshotFormatError('magic', source, `not a VSNP index snapshot (starts with ${hexBytes(bytes.subarray(0, 4))}, expected "VSNP")`);
    }
  }
  if (length > 4 && bytes[4] !== VSNP_VERSION) {
    throw new SnapshotFormatError('version', source, `VSNP version ${bytes[4] ?? 0} is not supported (this reader knows version ${VSNP_VERSION})`);
  }
  if (length < minimum) {
    throw new SnapshotFormatError('truncated', source, `${length} bytes is shorter than the ${minimum}-byte minimum of a VSNP snapshot`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, length);
  const count = view.getBigUint64(13, true);
  const expected = BigInt(minimum) + BigInt(VSNP_ENTRY_SIZE) * count;
  if (expected > BigInt(length)) {
    throw new SnapshotFormatError('truncated', source, `header says ${count} entries (${expected} bytes) but the file has ${length} bytes`);
  }
  if (expected < BigInt(length)) {
    throw new SnapshotFormatError('size', source, `header says ${count} entries (${expected} bytes) but the file has ${length} bytes`);
  }
  const crcAt = length - VSNP_CRC_SIZE;
  const stored = view.getUint32(crcAt, true);
  const computed = crc32(bytes, 0, crcAt);
  if (stored !== computed) {
    throw new SnapshotFormatError('crc', source, `checksum mismatch (stored ${hex32(stored)}, computed ${hex32(computed)})`);
  }
  const walPosition = readSafeU64(view, 5, source, 'wal_pos');
  const entries = Number(count);
  const words = new Uint32Array(entries * 4);
  for (let i = 0, at = VSNP_HEADER_SIZE; i < words.length; i += 4, at += VSNP_ENTRY_SIZE) {
    words[i] = view.getUint32(at, true);
    words[i + 1] = view.getUint32(at + 4, true);
    const offsetHigh = view.getUint32(at + 12, true);
    if (offsetHigh >= SAFE_HIGH_WORD_LIMIT) {
      throw new SnapshotFormatError('range', source, `entry ${i >>> 2} has an offset above 2^53 - 1`);
    }
    words[i + 2] = view.getUint32(at + 8, true);
    words[i + 3] = offsetHigh;
  }
  return new IndexSnapshot(walPosition, words);
}

/** Writes a VSNP snapshot to `filePath` through `writeFileAtomic`. */
export async function writeIndexSnapshot(fs: FileSystem, filePath: string, source: IndexSnapshotSource): Promise<void> {
  await writeFileAtomic(fs, filePath, encodeIndexSnapshot(source));
}

/** Reads and checks the VSNP snapshot at `filePath`; `undefined` when there is none. */
export async function readIndexSnapshot(fs: FileSystem, filePath: string): Promise<IndexSnapshot | undefined> {
  const bytes = await readFileIfExists(fs, filePath);
  if (bytes === undefined) return undefined;
  return decodeIndexSnapshot(bytes, filePath);
}

function writeField(view: DataView, at: number, value: number | bigint, field: 'id' | 'offset'): void {
  if (isSafeU64(value)) writeU64(view, at, value);
  else if (field === 'id') view.setBigUint64(at, toRecordId(value), true);
  else throw offsetError(value);
}

function offsetError(value: unknown): SnapshotEncodeError {
  return new SnapshotEncodeError('offset', `index snapshot offset ${String(value)} is not a non-negative safe integer`);
}
