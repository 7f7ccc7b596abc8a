import { readMoltenSnapshot as readMoltenSnapshotFraming, SnapshotFormatError, type SnapshotFormatReason } from '@kilndb/snapshot';
import { MoltenDbInputError, type MoltenDbInputProblem } from './errors.js';
import { parseMoltenLogEntry, type MoltenLogEntry } from './log-entry.js';

/** A MoltenDB 0.x snapshot: the state as entries, and how many log lines it covers. */
export interface MoltenDbSnapshot {
  /** Log lines (counting unparsable ones) the snapshot already holds; replay skips that many. */
  readonly seq: number;
  readonly entries: readonly MoltenLogEntry[];
}

const problemFor: Record<SnapshotFormatReason, MoltenDbInputProblem> = {
  magic: 'not-moltendb',
  version: 'unsupported',
  truncated: 'truncated',
  flags: 'corrupt',
  size: 'corrupt',
  range: 'corrupt',
  crc: 'corrupt',
};

/**
 * Decodes a MoltenDB 0.x snapshot (`my_database.log.snapshot.bin`): the framing through @kilndb/snapshot's
 * bounds-checked `readMoltenSnapshot`, then each entry as a JSON LogEntry. Throws `MoltenDbInputError`
 * naming `path` and the problem.
 */
export function parseMoltenDbSnapshot(bytes: Uint8Array, path: string): MoltenDbSnapshot {
  let framing;
  try {
    framing = readMoltenSnapshotFraming(bytes, path);
  } catch (error) {
    if (!(error instanceof SnapshotFormatError)) throw error;
    const detail = error.message.startsWith(`${path}: `) ? error.message.slice(path.length + 2) : error.message;
    throw new MoltenDbInputError(path, problemFor[error.reason], detail, { cause: error });
  }
  const entries = framing.entries.map((body, index) => {
    const entry = parseMoltenLogEntry(body);
    if (entry === undefined) {
      throw new MoltenDbInputError(path, 'corrupt', `snapshot entry ${index} is not a JSON LogEntry (an early bincode snapshot, or damage)`);
    }
    return entry;
  });
  return { seq: framing.seq, entries };
}
