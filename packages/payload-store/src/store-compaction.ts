import * as path from 'node:path';
import { isErrno, type FileHandle, type FileSystem } from '@kilndb/snapshot';
import { decodeRecord, encodeStoreInto, STORE_OVERHEAD } from '@kilndb/wal-format';
import type { AppendLog } from './log/index.js';
import { LogFailedError, PayloadCorruptError } from './errors.js';
import type { IdIndex } from './id-index.js';
import { fromRecordId } from './record-id.js';
import { COMPACTION_FILE, LOG_FILE, SNAPSHOT_FILE } from './store-files.js';

const CHUNK_BYTES = 4 * 1024 * 1024;

/** What compaction needs of the store it compacts. */
export interface CompactionTarget {
  readonly fs: FileSystem;
  readonly directory: string;
  readonly log: AppendLog;
  readonly index: IdIndex;
  /** Runs `fn` with the log quiet (`runExclusive`) and every record written so far applied to the index. */
  quiesce<T>(fn: () => Promise<T>): Promise<T>;
  /** `payloads.snapshot` was deleted (durably). */
  onSnapshotRemoved(): void;
  /** The new log is in place and the index points into it; called in the same synchronous step as the swap. */
  onSwapped(): void;
  /** The new log is in use but its name may not survive power loss: the store must refuse writes. */
  onUnrecoverable(failure: LogFailedError): void;
}

/**
 * Rewrites the live records of `target.log` into a new file and swaps it in.
 *
 * 1. With the log quiet for a moment, note its size P and the offsets of the live records (all below P).
 * 2. Copy those records, in file order, into `payloads.log.compact` and fdatasync it; writes go on meanwhile,
 *    after P.
 * 3. With the log quiet again: copy everything written after P as it is, fdatasync the new file, delete
 *    `payloads.snapshot` and fsync the directory (a snapshot of the old log must never meet the new one),
 *    rename the new file over `payloads.log`, fsync the directory, make the log append to the new file and
 *    move the index to the new offsets, in one synchronous step so no read sees a mix.
 *
 * A crash before the rename leaves the old log (and maybe no snapshot: a full replay); after it, the new
 * log, complete and synced. Reads are served from the old file until the swap.
 */
export async function compactLog(target: CompactionTarget): Promise<void> {
  const { fs, directory, log } = target;
  const compactPath = path.join(directory, COMPACTION_FILE);
  const logPath = path.join(directory, LOG_FILE);
  const captured = await target.quiesce(() => Promise.resolve({ start: log.size, offsets: liveOffsets(target.index) }));
  const start = captured.start;
  const oldOffsets = captured.offsets;
  const out = await fs.open(compactPath, 'truncate');
  // Set inside the exclusive section once the rename made the new file the log.
  const progress = { swapped: false };
  try {
    const copied = await copyLiveRecords(target, out, start, oldOffsets);
    // Sync the bulk now, while writes go on, so the sync that holds them back covers only the tail.
    await out.datasync();
    await target.quiesce(async () => {
      const end = log.size;
      const tailBase = copied.bytes;
      await copyRange(log, start, end, out, tailBase);
      const size = tailBase + (end - start);
      await out.datasync();
      await removeSnapshot(fs, directory);
      target.onSnapshotRemoved();
      await fs.rename(compactPath, logPath);
      progress.swapped = true;
      // From here the old file has no name: whatever happens, the log must move to the new one.
      let directoryError: Error | undefined;
      try {
        await fs.syncDirectory(directory);
      } catch (error) {
        directoryError = error instanceof Error ? error : new Error('syncDirectory failed');
      }
      const replacing = log.replaceFile(logPath, out, size);
      target.index.relocate((offset, recordSize, to) => {
        if (offset >= start) {
          to.offset = offset - start + tailBase;
          to.size = recordSize;
          return;
        }
        // Every entry below `start` was live when the offsets were noted (later writes land at or after it).
        const i = findOffset(oldOffsets, offset);
        to.offset = copied.offsets[i] ?? offset;
        to.size = copied.sizes[i] ?? recordSize;
      });
      target.onSwapped();
      await replacing;
      if (directoryError !== undefined) {
        const failure = new LogFailedError(
          logPath,
          'the compacted log is in use but its rename may not survive power loss',
          directoryError,
        );
        target.onUnrecoverable(failure);
        throw failure;
      }
    });
  } catch (error) {
    if (!progress.swapped) {
      await out.close().catch(() => undefined);
      await fs.unlink(compactPath).catch(() => undefined);
    }
    throw error;
  }
}

/** Offsets of the records the index points at, ascending. */
function liveOffsets(index: IdIndex): Float64Array {
  const offsets = new Float64Array(index.count);
  let i = 0;
  index.forEach((_key, offset) => {
    offsets[i++] = offset;
  });
  return offsets.sort();
}

function findOffset(sorted: Float64Array, offset: number): number {
  let low = 0;
  let high = sorted.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const value = sorted[mid] ?? 0;
    if (value === offset) return mid;
    if (value < offset) low = mid + 1;
    else high = mid - 1;
  }
  return -1;
}

/**
 * Copies the records at `offsets` (ascending, all below `start`) into `out` from position 0, reading the old
 * log in large chunks. Current records are copied byte for byte after their CRC checks out; legacy records
 * are re-encoded with a CRC. Returns each record's new offset and size.
 */
async function copyLiveRecords(
  target: CompactionTarget,
  out: FileHandle,
  start: number,
  offsets: Float64Array,
): Promise<{ offsets: Float64Array; sizes: Uint32Array; bytes: number }> {
  const { log, index } = target;
  const newOffsets = new Float64Array(offsets.length);
  const newSizes = new Uint32Array(offsets.length);
  // Every live record lies below `start`, so a small log needs no more than `start` bytes of buffer.
  const chunkBytes = Math.max(1, Math.min(CHUNK_BYTES, start));
  let window = new Uint8Array(chunkBytes);
  let view = window.subarray(0, 0);
  let windowStart = 0;
  let pending = new Uint8Array(chunkBytes);
  let pendingBytes = 0;
  let written = 0;
  const fill = (at: number, bytes: number): void => {
    if (window.length < bytes) window = new Uint8Array(bytes);
    view = window.subarray(0, log.readSync(window, at));
    windowStart = at;
  };
  for (const [i, offset] of offsets.entries()) {
    let relative = offset - windowStart;
    let record = relative >= 0 && relative < view.length ? decodeRecord(view, relative) : undefined;
    if (record === undefined || record.type === 'incomplete') {
      fill(offset, Math.max(chunkBytes, record?.type === 'incomplete' ? record.needed : 0));
      relative = 0;
      record = decodeRecord(view, 0);
      if (record.type === 'incomplete' && view.length === window.length) {
        fill(offset, record.needed);
        record = decodeRecord(view, 0);
      }
    }
    if (record.type !== 'store') {
      const id = record.type === 'corrupt' || record.type === 'delete' ? fromRecordId(record.id) : undefined;
      throw new PayloadCorruptError(id, offset, log.path, `compaction found ${describe(record)} where a live record should be`);
    }
    const key = fromRecordId(record.id);
    if (index.lookup(key) && index.foundOffset < start && index.foundOffset !== offset) {
      throw new PayloadCorruptError(key, offset, log.path, `the index points id ${key} at offset ${index.foundOffset}`);
    }
    const size = record.legacy ? STORE_OVERHEAD + record.payload.length : record.size;
    if (pendingBytes + size > pending.length) {
      await out.write(pending.subarray(0, pendingBytes), written);
      written += pendingBytes;
      pendingBytes = 0;
      if (size > pending.length) pending = new Uint8Array(size);
    }
    if (record.legacy) encodeStoreInto(pending, pendingBytes, key, record.payload);
    else pending.set(view.subarray(relative, relative + size), pendingBytes);
    newOffsets[i] = written + pendingBytes;
    newSizes[i] = size;
    pendingBytes += size;
  }
  await out.write(pending.subarray(0, pendingBytes), written);
  return { offsets: newOffsets, sizes: newSizes, bytes: written + pendingBytes };
}

function describe(record: ReturnType<typeof decodeRecord>): string {
  switch (record.type) {
    case 'corrupt':
      return 'a record whose CRC does not match';
    case 'incomplete':
      return 'the end of the log';
    case 'unknown':
      return `an unknown marker byte 0x${record.marker.toString(16).padStart(2, '0')}`;
    case 'delete':
      return 'a delete record';
    case 'store':
      return 'a store record';
  }
}

/** Copies the log's bytes [from, to) into `out` at `at`, unchanged. */
async function copyRange(log: AppendLog, from: number, to: number, out: FileHandle, at: number): Promise<void> {
  const chunk = new Uint8Array(Math.min(CHUNK_BYTES, Math.max(to - from, 1)));
  for (let position = from; position < to; ) {
    const read = log.readSync(chunk.subarray(0, Math.min(chunk.length, to - position)), position);
    if (read === 0) throw new Error(`${log.path}: the log ended at ${position} while compaction copied it up to ${to}`);
    await out.write(chunk.subarray(0, read), at + position - from);
    position += read;
  }
}

async function removeSnapshot(fs: FileSystem, directory: string): Promise<void> {
  try {
    await fs.unlink(path.join(directory, SNAPSHOT_FILE));
  } catch (error) {
    if (!isErrno(error, 'ENOENT')) throw error;
  }
  await fs.syncDirectory(directory);
}
