import { hexBytes, plainBytes, readSafeU64 } from './binary.js';
import { SnapshotFormatError } from './errors.js';

/** The first eight bytes of a MoltenDB 0.x snapshot. */
export const MOLTSNAP_MAGIC = 'MOLTSNAP';
/** magic 8 · seq u64 · count u64. */
export const MOLTSNAP_HEADER_SIZE = 24;
export const MOLTSNAP_LENGTH_SIZE = 8;

const magicBytes = new TextEncoder().encode(MOLTSNAP_MAGIC);
/** Magics of later, compressed MoltenDB snapshots: recognised so the error can say what they are. */
const laterMagics = ['MOLTSNG2', 'MOLTSNG3'];

export interface MoltenSnapshot {
  /** MoltenDB's sequence number: how many log lines the snapshot covers. */
  readonly seq: number;
  /** The JSON LogEntry bytes of each entry, as views into the input, in file order. */
  readonly entries: Uint8Array[];
}

/**
 * Reads the framing of a MoltenDB 0.x snapshot: `"MOLTSNAP"` · seq u64 LE · count u64 LE ·
 * count × (len u64 LE · JSON LogEntry of len bytes). The format has no checksum; every count and length is
 * checked against the bytes there are before anything is allocated for it. Bytes after the last entry are
 * ignored, as MoltenDB itself does. Parsing the JSON is the importer's job. Throws `SnapshotFormatError`
 * naming `source`.
 */
export function readMoltenSnapshot(input: Uint8Array, source = 'MoltenDB snapshot'): MoltenSnapshot {
  const bytes = plainBytes(input);
  const length = bytes.length;
  const start = new TextDecoder('latin1').decode(bytes.subarray(0, 8));
  if (laterMagics.includes(start)) {
    throw new SnapshotFormatError('version', source, `"${start}" is a compressed snapshot of a later MoltenDB; only 0.x "MOLTSNAP" snapshots are read`);
  }
  for (let i = 0; i < Math.min(length, magicBytes.length); i++) {
    if (bytes[i] !== magicBytes[i]) {
      throw new SnapshotFormatError('magic', source, `not a MoltenDB snapshot (starts with ${hexBytes(bytes.subarray(0, 8))}, expected "MOLTSNAP")`);
    }
  }
  if (length < MOLTSNAP_HEADER_SIZE) {
    throw new SnapshotFormatError('truncated', source, `${length} bytes is shorter than the ${MOLTSNAP_HEADER_SIZE}-byte MOLTSNAP header`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, length);
  const count = view.getBigUint64(16, true);
  const room = length - MOLTSNAP_HEADER_SIZE;
  if (count * BigInt(MOLTSNAP_LENGTH_SIZE) > BigInt(room)) {
    throw new SnapshotFormatError('truncated', source, `header says ${count} entries but only ${room} bytes follow the header`);
  }
  const seq = readSafeU64(view, 8, source, 'seq');
  const entryCount = Number(count);
  const entries = new Array<Uint8Array>(entryCount);
  let at = MOLTSNAP_HEADER_SIZE;
  for (let i = 0; i < entryCount; i++) {
    if (at + MOLTSNAP_LENGTH_SIZE > length) {
      throw new SnapshotFormatError('truncated', source, `the file ends inside the length of entry ${i} of ${entryCount} (at byte ${at})`);
    }
    const entryLength = view.getBigUint64(at, true);
    at += MOLTSNAP_LENGTH_SIZE;
    if (entryLength > BigInt(length - at)) {
      throw new SnapshotFormatError(
        'truncated',
        source,
        `entry ${i} of ${entryCount} (at byte ${at - MOLTSNAP_LENGTH_SIZE}) says ${entryLength} bytes but only ${length - at} remain`,
      );
    }
    entries[i] = bytes.subarray(at, at + Number(entryLength));
    at += Number(entryLength);
  }
  return { seq, entries };
}
