import { formatMoltenLogEntry, type MoltenLogEntry } from '../log-entry.js';
import type { MoltenDbSnapshot } from '../snapshot-reader.js';

/** A 0.x snapshot's bytes, laid out by hand the way MoltenDB writes them: "MOLTSNAP" · seq · count · (len · JSON)*. */
export function encodeMoltenDbSnapshot(snapshot: MoltenDbSnapshot): Uint8Array {
  const bodies = snapshot.entries.map((entry) => Buffer.from(formatMoltenLogEntry(entry), 'utf8'));
  const bytes = Buffer.alloc(24 + bodies.reduce((sum, body) => sum + 8 + body.length, 0));
  bytes.write('MOLTSNAP', 0, 'latin1');
  bytes.writeBigUInt64LE(BigInt(snapshot.seq), 8);
  bytes.writeBigUInt64LE(BigInt(bodies.length), 16);
  let offset = 24;
  for (const body of bodies) {
    bytes.writeBigUInt64LE(BigInt(body.length), offset);
    body.copy(bytes, offset + 8);
    offset += 8 + body.length;
  }
  return bytes;
}

let clock = 1_700_000_000_000;

/** A log entry with a made-up, increasing `_t`. */
export function entry(cmd: string, collection: string, key: string, value: unknown = null): MoltenLogEntry {
  clock += 1;
  return { cmd, collection, key, value, _t: clock };
}

/** Log text: one JSON line per entry (or the raw string given), each ended by a newline. */
export function logText(lines: readonly (MoltenLogEntry | string)[]): string {
  return lines.map((line) => (typeof line === 'string' ? line : formatMoltenLogEntry(line)) + '\n').join('');
}
