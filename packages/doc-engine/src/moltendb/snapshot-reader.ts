import { MoltenDbInputError } from './errors.js';
import { parseMoltenLogEntry, type MoltenLogEntry } from './log-entry.js';

/** A MoltenDB 0.x snapshot: the state as entries, and how many log lines it covers. */
export interface MoltenSnapshot {
  /** Log lines (counting unparsable ones) the snapshot already holds; replay skips that many. */
  readonly seq: number;
  readonly entries: readonly MoltenLogEntry[];
}

const SNAPSHOT_HEADER_SIZE = 24;
const LENGTH_SIZE = 8;
const magicOf = (text: string): bigint => new DataView(new TextEncoder().encode(text).buffer).getBigUint64(0, true);
const MOLTSNAP = magicOf('MOLTSNAP');
/** Later MoltenDB snapshots (JSON or MessagePack bodies, gzip-compressed): recognised, to say so instead of "not MoltenDB". */
const COMPRESSED_MAGICS = new Set([magicOf('MOLTSNG2'), magicOf('MOLTSNG3')]);

function safeCount(view: DataView, offset: number): number | undefined {
  const value = view.getBigUint64(offset, true);
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
}

/**
 * Decodes a MoltenDB 0.x snapshot (`my_database.log.snapshot.bin`):
 * `"MOLTSNAP"` · seq u64 LE · count u64 LE · count × (len u64 LE · JSON LogEntry of len bytes), every length
 * checked against the bytes there are. Bytes after the last entry are ignored, as MoltenDB does.
 * Throws `MoltenDbInputError` naming `path` for anything else.
 */
export function readMoltenSnapshot(bytes: Uint8Array, path: string): MoltenSnapshot {
  if (bytes.length < 8) {
    throw new MoltenDbInputError(path, bytes.length === 0 ? 'truncated' : 'not-moltendb', `snapshot is ${bytes.length} bytes, too short for its magic`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getBigUint64(0, true);
  if (COMPRESSED_MAGICS.has(magic)) {
    throw new MoltenDbInputError(path, 'unsupported', 'snapshot is a compressed format of a later MoltenDB; only 0.x "MOLTSNAP" snapshots are read');
  }
  if (magic !== MOLTSNAP) throw new MoltenDbInputError(path, 'not-moltendb', 'not a MoltenDB snapshot (magic is not "MOLTSNAP")');
  if (bytes.length < SNAPSHOT_HEADER_SIZE) {
    throw new MoltenDbInputError(path, 'truncated', `snapshot header is cut at ${bytes.length} of ${SNAPSHOT_HEADER_SIZE} bytes`);
  }
  const seq = safeCount(view, 8);
  const count = safeCount(view, 16);
  if (seq === undefined) throw new MoltenDbInputError(path, 'corrupt', 'snapshot seq is beyond 2^53');
  // Each entry needs at least its length field, so a count the file cannot hold is caught before any loop.
  if (count === undefined || count > (bytes.length - SNAPSHOT_HEADER_SIZE) / LENGTH_SIZE) {
    throw new MoltenDbInputError(
      path,
      'truncated',
      `snapshot announces ${view.getBigUint64(16, true)} entries but holds only ${bytes.length - SNAPSHOT_HEADER_SIZE} bytes after its header`,
    );
  }
  const entries: MoltenLogEntry[] = [];
  let offset = SNAPSHOT_HEADER_SIZE;
  for (let index = 0; index < count; index++) {
    if (offset + LENGTH_SIZE > bytes.length) {
      throw new MoltenDbInputError(path, 'truncated', `snapshot ends inside the length of entry ${index} of ${count} (at byte ${offset})`);
    }
    const length = safeCount(view, offset);
    offset += LENGTH_SIZE;
    if (length === undefined || length > bytes.length - offset) {
      throw new MoltenDbInputError(
        path,
        'truncated',
        `snapshot entry ${index} of ${count} announces ${view.getBigUint64(offset - LENGTH_SIZE, true)} bytes at byte ${offset}, but only ${bytes.length - offset} remain`,
      );
    }
    const entry = parseMoltenLogEntry(bytes.subarray(offset, offset + length));
    if (entry === undefined) {
      throw new MoltenDbInputError(
        path,
        'corrupt',
        `snapshot entry ${index} (at byte ${offset}) is not a JSON LogEntry (an early bincode snapshot, or damage)`,
      );
    }
    entries.push(entry);
    offset += length;
  }
  return { seq, entries };
}
