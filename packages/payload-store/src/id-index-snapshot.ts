import {
  IndexSnapshot,
  readIndexSnapshot,
  SnapshotFormatError,
  type FileSystem,
} from '@kilndb/snapshot';
import { LEGACY_STORE_MARKER, LEGACY_STORE_OVERHEAD, LENGTH_FIELD_OFFSET, STORE_MARKER, TWO_POW_32, u64High, u64Low } from '@kilndb/wal-format';
import { IdIndex, UNKNOWN_SIZE } from './id-index.js';
import type { PayloadStoreWarning } from './warnings.js';

/** Entries whose records are read back at open to check that the snapshot belongs to this log. */
const SPOT_CHECKS = 16;

export interface LoadedSnapshot {
  readonly walPosition: number;
  /** The snapshot's entries; record sizes are unknown (VSNP keeps offsets only). */
  readonly index: IdIndex;
}

/**
 * Reads `payloads.snapshot` and builds an index from it, or returns `undefined` (with a warning) when the
 * snapshot cannot be trusted: unreadable, a wal_pos past the log's end, an offset outside [0, wal_pos), an
 * id listed twice, or sampled entries that do not point at a store record of their id. The caller still
 * has to learn whether wal_pos is a record boundary (replay from it fails with ReplayStartError if not).
 */
export async function loadIndexSnapshot(
  fs: FileSystem,
  snapshotPath: string,
  logPath: string,
  warn: (warning: PayloadStoreWarning) => void,
): Promise<LoadedSnapshot | undefined> {
  const reject = (reason: string): LoadedSnapshot | undefined => {
    warn({ code: 'snapshot-rejected', path: snapshotPath, message: `${snapshotPath} ignored (full replay): ${reason}` });
    return undefined;
  };
  let snapshot: IndexSnapshot | undefined;
  try {
    snapshot = await readIndexSnapshot(fs, snapshotPath);
  } catch (error) {
    if (error instanceof SnapshotFormatError) return reject(error.message);
    throw error;
  }
  if (snapshot === undefined) return undefined;
  const walPosition = snapshot.walPosition;
  const logSize = (await fs.stat(logPath))?.size ?? 0;
  if (walPosition > logSize) return reject(`its wal_pos ${walPosition} is past the end of the log (${logSize} bytes)`);
  const words = snapshot.words;
  // VSNP offsets point at the length field; the index keeps record starts.
  const lowest = LENGTH_FIELD_OFFSET;
  const highest = walPosition - LEGACY_STORE_OVERHEAD + LENGTH_FIELD_OFFSET;
  for (let at = 0; at < words.length; at += 4) {
    const offset = (words[at + 2] ?? 0) + (words[at + 3] ?? 0) * TWO_POW_32;
    if (offset < lowest || offset > highest) {
      const i = at / 4;
      return reject(`entry ${i} (id ${snapshot.id(i)}) points at offset ${offset}, outside the log before wal_pos ${walPosition}`);
    }
  }
  const index = new IdIndex(snapshot.count);
  const duplicate = index.insertMany(words, -LENGTH_FIELD_OFFSET, UNKNOWN_SIZE);
  if (duplicate !== -1) return reject(`id ${snapshot.id(duplicate)} is listed twice`);
  const mismatch = await spotCheck(fs, logPath, snapshot);
  if (mismatch !== undefined) return reject(mismatch);
  return { walPosition, index };
}

/** Reads the record headers of a few entries spread over the snapshot; says what is wrong, if anything. */
async function spotCheck(fs: FileSystem, logPath: string, snapshot: IndexSnapshot): Promise<string | undefined> {
  const count = snapshot.count;
  if (count === 0) return undefined;
  const handle = await fs.open(logPath, 'read');
  try {
    const header = new Uint8Array(LEGACY_STORE_OVERHEAD);
    const view = new DataView(header.buffer);
    const step = Math.max(1, Math.floor(count / SPOT_CHECKS));
    for (let i = 0; i < count; i += step) {
      const offset = snapshot.offset(i) - LENGTH_FIELD_OFFSET;
      const read = await handle.read(header, offset);
      const marker = header[0];
      const idLow = view.getUint32(1, true);
      const idHigh = view.getUint32(5, true);
      const isStore = read === header.length && (marker === STORE_MARKER || marker === LEGACY_STORE_MARKER);
      if (!isStore || idLow !== snapshot.words[i * 4] || idHigh !== snapshot.words[i * 4 + 1]) {
        return `entry ${i} (id ${snapshot.id(i)}) does not point at a store record of that id (offset ${offset + LENGTH_FIELD_OFFSET})`;
      }
    }
    return undefined;
  } finally {
    await handle.close();
  }
}

/** Copies the index into VSNP entry form (offsets of the length field), in table order. */
export function captureIndexSnapshot(index: IdIndex, walPosition: number): IndexSnapshot {
  const words = new Uint32Array(index.count * 4);
  let at = 0;
  index.forEach((id, offset) => {
    const target = offset + LENGTH_FIELD_OFFSET;
    words[at] = u64Low(id);
    words[at + 1] = u64High(id);
    words[at + 2] = u64Low(target);
    words[at + 3] = u64High(target);
    at += 4;
  });
  return new IndexSnapshot(walPosition, words);
}
