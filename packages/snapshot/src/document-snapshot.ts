import { crc32 as zlibCrc32 } from 'node:zlib';
import { writeFileAtomic } from './atomic-write.js';
import { hex32, hexBytes, isSafeU64, plainBytes, readSafeU64, writeU64 } from './binary.js';
import { SnapshotEncodeError, SnapshotFormatError } from './errors.js';
import type { FileSystem } from './file-system.js';
import { openIfExists } from './read-if-exists.js';

/** The first eight bytes of a KilnDB document snapshot. */
export const KILNDOCS_MAGIC = 'KILNDOCS';
export const KILNDOCS_VERSION = 1;
/** Flag bit 0: the entries are encrypted (opaque ciphertexts the snapshot layer does not look into). */
export const KILNDOCS_FLAG_ENCRYPTED = 0x01;
/** magic 8 · version 1 · flags 1 · reserved 2 · seq 8 · count 8. */
export const KILNDOCS_HEADER_SIZE = 28;
export const KILNDOCS_LENGTH_SIZE = 4;
export const KILNDOCS_CRC_SIZE = 4;
/** The largest entry a u32 length can frame. */
export const KILNDOCS_MAX_ENTRY_LENGTH = 0xffff_ffff;

const magicBytes = new TextEncoder().encode(KILNDOCS_MAGIC);
const KNOWN_FLAGS = KILNDOCS_FLAG_ENCRYPTED;
/** Small entries are gathered into chunks of this size, so a snapshot is not one write per entry. */
const WRITE_CHUNK_SIZE = 64 * 1024;

export interface DocumentSnapshotInput {
  /** The last log sequence number the snapshot covers. */
  readonly seq: number;
  /** Flag bits; only `KILNDOCS_FLAG_ENCRYPTED` is defined. Default 0. */
  readonly flags?: number;
  /** How many entries `entries` yields; the write fails if it yields a different number. */
  readonly count: number;
  /** The entries, written as they come (opaque bytes here). */
  readonly entries: Iterable<Uint8Array> | AsyncIterable<Uint8Array>;
}

export interface DocumentSnapshot {
  readonly seq: number;
  readonly flags: number;
  readonly encrypted: boolean;
  readonly count: number;
  /** Views into the file's bytes, in file order; checked by framing and CRC before they are handed out. */
  readonly entries: Uint8Array[];
}

/**
 * Writes a KILNDOCS snapshot through `writeFileAtomic`, streaming: entries are framed and checksummed as
 * they come (the CRC is carried forward chunk by chunk), never joined into one buffer. Fails with a
 * `SnapshotEncodeError` (and leaves any previous snapshot in place) when `entries` yields a number other
 * than `count`, a non-Uint8Array, or an entry longer than 2^32 - 1 bytes.
 */
export async function writeDocumentSnapshot(fs: FileSystem, filePath: string, input: DocumentSnapshotInput): Promise<void> {
  const header = encodeHeader(input);
  await writeFileAtomic(fs, filePath, frameEntries(header, input.count, input.entries, filePath));
}

function encodeHeader(input: DocumentSnapshotInput): Uint8Array {
  const flags = input.flags ?? 0;
  if (!isSafeU64(input.seq)) {
    throw new SnapshotEncodeError('seq', `document snapshot seq ${String(input.seq)} is not a non-negative safe integer`);
  }
  if (!isSafeU64(input.count)) {
    throw new SnapshotEncodeError('count', `document snapshot count ${String(input.count)} is not a non-negative safe integer`);
  }
  if (!Number.isInteger(flags) || (flags & ~KNOWN_FLAGS) !== 0 || flags < 0 || flags > 0xff) {
    throw new SnapshotEncodeError('flags', `document snapshot flags ${String(flags)} set bits other than bit 0 (encrypted)`);
  }
  const header = new Uint8Array(KILNDOCS_HEADER_SIZE);
  const view = new DataView(header.buffer);
  header.set(magicBytes, 0);
  header[8] = KILNDOCS_VERSION;
  header[9] = flags;
  writeU64(view, 12, input.seq);
  writeU64(view, 20, input.count);
  return header;
}

async function* frameEntries(
  header: Uint8Array,
  count: number,
  entries: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  filePath: string,
): AsyncGenerator<Uint8Array> {
  const framer = new EntryFramer(header, count, filePath);
  // A plain loop for synchronous iterables: `for await` would cost a promise hop per entry.
  if (Symbol.asyncIterator in entries) {
    for await (const entry of entries) for (const piece of framer.add(entry)) yield piece;
  } else {
    for (const entry of entries) for (const piece of framer.add(entry)) yield piece;
  }
  yield* framer.finish();
}

const NOTHING: readonly Uint8Array[] = [];

/** Gathers framed entries into 64 KiB pieces for the writer, with the CRC of every byte handed out. */
class EntryFramer {
  private crc = 0;
  private chunk = new Uint8Array(WRITE_CHUNK_SIZE);
  private used: number;
  private written = 0;
  private readonly lengthField = new DataView(new ArrayBuffer(KILNDOCS_LENGTH_SIZE));
  private readonly lengthBytes = new Uint8Array(this.lengthField.buffer);

  constructor(
    header: Uint8Array,
    private readonly count: number,
    private readonly filePath: string,
  ) {
    this.chunk.set(header);
    this.used = header.length;
  }

  /** Frames one entry; returns the pieces now ready to write (usually none). */
  add(entry: Uint8Array): readonly Uint8Array[] {
    const { filePath } = this;
    if (this.written === this.count) {
      throw new SnapshotEncodeError('count', `${filePath}: document snapshot entries yielded more than the announced count of ${this.count}`);
    }
    if (!(entry instanceof Uint8Array)) {
      throw new SnapshotEncodeError('entry', `${filePath}: document snapshot entry ${this.written} is not a Uint8Array`);
    }
    if (entry.length > KILNDOCS_MAX_ENTRY_LENGTH) {
      throw new SnapshotEncodeError('entry', `${filePath}: document snapshot entry ${this.written} is ${entry.length} bytes, above the u32 limit`);
    }
    this.written++;
    this.lengthField.setUint32(0, entry.length, true);
    const ready = this.used + KILNDOCS_LENGTH_SIZE > this.chunk.length ? [this.takeChunk()] : [];
    this.chunk.set(this.lengthBytes, this.used);
    this.used += KILNDOCS_LENGTH_SIZE;
    if (this.used + entry.length <= this.chunk.length) {
      this.chunk.set(entry, this.used);
      this.used += entry.length;
      return ready.length === 0 ? NOTHING : ready;
    }
    // Too big for what is left of the chunk: hand out the chunk, then the entry itself without copying it.
    ready.push(this.takeChunk(), this.checked(entry));
    return ready;
  }

  /** The last pieces: what is gathered, and the CRC. */
  finish(): Uint8Array[] {
    if (this.written !== this.count) {
      throw new SnapshotEncodeError(
        'count',
        `${this.filePath}: document snapshot entries yielded ${this.written} entries but the announced count is ${this.count}`,
      );
    }
    const last = this.takeChunk();
    const crc = new Uint8Array(KILNDOCS_CRC_SIZE);
    new DataView(crc.buffer).setUint32(0, this.crc, true);
    return [last, crc];
  }

  private takeChunk(): Uint8Array {
    const piece = this.checked(this.chunk.subarray(0, this.used));
    this.chunk = new Uint8Array(WRITE_CHUNK_SIZE);
    this.used = 0;
    return piece;
  }

  /** Adds a piece to the CRC as it is handed out; zlib.crc32 restarts at 0 for an empty buffer with no backing store. */
  private checked(piece: Uint8Array): Uint8Array {
    if (piece.length > 0) this.crc = zlibCrc32(piece, this.crc);
    return piece;
  }
}

/** The fixed fields of a KILNDOCS snapshot, read without its entries. */
export interface DocumentSnapshotHeader {
  readonly seq: number;
  readonly flags: number;
  readonly encrypted: boolean;
  readonly count: number;
}

/**
 * Checks and decodes the header of a KILNDOCS snapshot (magic, version, flags and reserved bits) from its
 * first bytes. Throws `SnapshotFormatError` naming `source`.
 */
export function decodeDocumentSnapshotHeader(input: Uint8Array, source = 'document snapshot'): DocumentSnapshotHeader {
  const bytes = plainBytes(input);
  const { flags, encrypted } = checkHeader(bytes, source);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  return { seq: readSafeU64(view, 12, source, 'seq'), flags, encrypted, count: readSafeU64(view, 20, source, 'count') };
}

/** Magic, version, length of the header, then flags and reserved bits; the u64 fields are left to the caller. */
function checkHeader(bytes: Uint8Array, source: string): { flags: number; encrypted: boolean } {
  const length = bytes.length;
  for (let i = 0; i < Math.min(length, magicBytes.length); i++) {
    if (bytes[i] !== magicBytes[i]) {
      throw new SnapshotFormatError('magic', source, `not a KilnDB document snapshot (starts with ${hexBytes(bytes.subarray(0, 8))}, expected "KILNDOCS")`);
    }
  }
  if (length > 8 && bytes[8] !== KILNDOCS_VERSION) {
    throw new SnapshotFormatError('version', source, `KILNDOCS version ${bytes[8] ?? 0} is not supported (this reader knows version ${KILNDOCS_VERSION})`);
  }
  if (length < KILNDOCS_HEADER_SIZE) {
    throw new SnapshotFormatError('truncated', source, `${length} bytes is shorter than the ${KILNDOCS_HEADER_SIZE}-byte KILNDOCS header`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, length);
  const flags = bytes[9] ?? 0;
  const reserved = view.getUint16(10, true);
  if ((flags & ~KNOWN_FLAGS) !== 0 || reserved !== 0) {
    throw new SnapshotFormatError('flags', source, `undefined flag bits or reserved field set (flags 0x${flags.toString(16)}, reserved 0x${reserved.toString(16)})`);
  }
  return { flags, encrypted: (flags & KILNDOCS_FLAG_ENCRYPTED) !== 0 };
}

/** Reads only the header of the KILNDOCS snapshot at `filePath`; `undefined` when there is none. */
export async function readDocumentSnapshotHeader(fs: FileSystem, filePath: string): Promise<DocumentSnapshotHeader | undefined> {
  const handle = await openIfExists(fs, filePath);
  if (handle === undefined) return undefined;
  try {
    const header = new Uint8Array(KILNDOCS_HEADER_SIZE);
    const read = await handle.read(header, 0);
    return decodeDocumentSnapshotHeader(header.subarray(0, read), filePath);
  } finally {
    await handle.close();
  }
}

/** A checked KILNDOCS snapshot whose entries are left in place: walk them with `forEachEntry`. */
export interface DocumentSnapshotFrames {
  readonly seq: number;
  readonly flags: number;
  readonly encrypted: boolean;
  readonly count: number;
  /** The whole file; entry `i` is `bytes[start, end)` as `forEachEntry` hands them out. */
  readonly bytes: Uint8Array;
  /** Calls `fn` with where each entry starts and ends in `bytes`, in file order. */
  forEachEntry(fn: (start: number, end: number, index: number) => void): void;
}

/**
 * Checks a KILNDOCS snapshot as `decodeDocumentSnapshot` does (every check passes before this returns) but
 * hands out entry positions instead of a view per entry, so a reader of a million entries allocates
 * nothing per entry. Throws `SnapshotFormatError` naming `source`.
 */
export function decodeDocumentSnapshotFrames(input: Uint8Array, source = 'document snapshot'): DocumentSnapshotFrames {
  return checkedFrames(input, source, undefined);
}

/** `decodeDocumentSnapshotFrames`, given the CRC of every byte before the stored one when the reader took it already. */
function checkedFrames(input: Uint8Array, source: string, crcBeforeTrailer: number | undefined): DocumentSnapshotFrames {
  const bytes = plainBytes(input);
  const length = bytes.length;
  const { flags, encrypted } = checkHeader(bytes, source);
  const minimum = KILNDOCS_HEADER_SIZE + KILNDOCS_CRC_SIZE;
  if (length < minimum) {
    throw new SnapshotFormatError('truncated', source, `${length} bytes is shorter than the ${minimum}-byte minimum of a KILNDOCS snapshot`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, length);
  const end = length - KILNDOCS_CRC_SIZE;
  const count = view.getBigUint64(20, true);
  if (count * BigInt(KILNDOCS_LENGTH_SIZE) > BigInt(end - KILNDOCS_HEADER_SIZE)) {
    throw new SnapshotFormatError('truncated', source, `header says ${count} entries but only ${end - KILNDOCS_HEADER_SIZE} bytes follow the header`);
  }
  const entryCount = Number(count);
  let at = KILNDOCS_HEADER_SIZE;
  for (let i = 0; i < entryCount; i++) {
    const entryLength = view.getUint32(at, true);
    if (at + KILNDOCS_LENGTH_SIZE + entryLength > end) {
      throw new SnapshotFormatError('truncated', source, `entry ${i} of ${entryCount} (at byte ${at}, ${entryLength} bytes) runs past the end of the file`);
    }
    at += KILNDOCS_LENGTH_SIZE + entryLength;
  }
  if (at !== end) {
    throw new SnapshotFormatError('size', source, `${end - at} unexpected bytes after entry ${entryCount - 1} (at byte ${at})`);
  }
  const stored = view.getUint32(end, true);
  const computed = crcBeforeTrailer ?? zlibCrc32(bytes.subarray(0, end));
  if (stored !== computed) {
    throw new SnapshotFormatError('crc', source, `checksum mismatch (stored ${hex32(stored)}, computed ${hex32(computed)})`);
  }
  const seq = readSafeU64(view, 12, source, 'seq');
  const forEachEntry = (fn: (start: number, end: number, index: number) => void): void => {
    let next = KILNDOCS_HEADER_SIZE;
    for (let i = 0; i < entryCount; i++) {
      const start = next + KILNDOCS_LENGTH_SIZE;
      next = start + view.getUint32(next, true);
      fn(start, next, i);
    }
  };
  return { seq, flags, encrypted, count: entryCount, bytes, forEachEntry };
}

/**
 * Decodes a KILNDOCS snapshot, checking in order: magic, version, flags and reserved bits, the header and
 * the entry count against the byte length (before allocating for entries), every entry's framing, the exact
 * size, then the CRC, and only then hands out the entries (as views into `bytes`). Throws
 * `SnapshotFormatError` naming `source`.
 */
export function decodeDocumentSnapshot(input: Uint8Array, source = 'document snapshot'): DocumentSnapshot {
  return withEntryViews(decodeDocumentSnapshotFrames(input, source));
}

/** Reads and checks the KILNDOCS snapshot at `filePath` as `readDocumentSnapshotFrames` does; `undefined` when there is none. */
export async function readDocumentSnapshot(fs: FileSystem, filePath: string): Promise<DocumentSnapshot | undefined> {
  const frames = await readDocumentSnapshotFrames(fs, filePath);
  return frames === undefined ? undefined : withEntryViews(frames);
}

/** The checked snapshot with a view into its bytes per entry. */
function withEntryViews(frames: DocumentSnapshotFrames): DocumentSnapshot {
  const entries = new Array<Uint8Array>(frames.count);
  frames.forEachEntry((start, end, i) => {
    entries[i] = frames.bytes.subarray(start, end);
  });
  return { seq: frames.seq, flags: frames.flags, encrypted: frames.encrypted, count: frames.count, entries };
}

/** How much of a snapshot one read takes: the CRC of a piece runs while the next piece is read. */
export const SNAPSHOT_READ_PIECE_BYTES = 8 * 1024 * 1024;

/**
 * Reads and checks the KILNDOCS snapshot at `filePath`, entries left in place; `undefined` when there is none.
 * It is read in pieces of `pieceBytes`, each added to the CRC while the next one is read, so the checksum of
 * a large snapshot (180 ms for 400 MB here) costs the open almost nothing beyond the read itself. The checks
 * and their order are `decodeDocumentSnapshotFrames`'s.
 */
export async function readDocumentSnapshotFrames(
  fs: FileSystem,
  filePath: string,
  pieceBytes = SNAPSHOT_READ_PIECE_BYTES,
): Promise<DocumentSnapshotFrames | undefined> {
  if (!Number.isSafeInteger(pieceBytes) || pieceBytes < 1) throw new RangeError(`pieceBytes must be a positive integer, got ${String(pieceBytes)}`);
  const handle = await openIfExists(fs, filePath);
  if (handle === undefined) return undefined;
  try {
    const size = await handle.size();
    const bytes = Buffer.allocUnsafe(size);
    // The CRC covers every byte before the stored one; a file too short for that fails the decode anyway.
    const crcEnd = Math.max(0, size - KILNDOCS_CRC_SIZE);
    let crc = 0;
    const readPiece = (at: number): Promise<number> => handle.read(bytes.subarray(at, Math.min(size, at + pieceBytes)), at);
    // Nothing between starting a read and awaiting it can throw, so no read is under way when the file closes.
    let reading = size > 0 ? readPiece(0) : undefined;
    for (let at = 0; at < size; at += pieceBytes) {
      const expected = Math.min(pieceBytes, size - at);
      const got = await (reading as Promise<number>);
      if (got !== expected) throw new SnapshotFormatError('truncated', filePath, `the file ended at byte ${at + got} while it was read (it had ${size} bytes)`);
      const next = at + expected;
      reading = next < size ? readPiece(next) : undefined;
      const crcTo = Math.min(next, crcEnd);
      if (crcTo > at) crc = zlibCrc32(bytes.subarray(at, crcTo), crc);
    }
    return checkedFrames(bytes, filePath, crcEnd > 0 ? crc : undefined);
  } finally {
    await handle.close();
  }
}
