import { describe, expect, it } from 'vitest';
import { SnapshotFormatError } from './errors.js';
import { readMoltenSnapshot } from './molten-snapshot.js';

const fromHex = (hex: string) => Uint8Array.from(Buffer.from(hex.replace(/[\s|]/g, ''), 'hex'));
const asText = (bytes: Uint8Array) => Buffer.from(bytes).toString();

/** seq 5, two entries: `{"a":1}` (7 bytes) and `[]` (2 bytes). Written out by hand from MoltenDB's layout. */
const SNAPSHOT = fromHex(`
  4d4f4c54534e4150 | 0500000000000000 | 0200000000000000
  0700000000000000 7b2261223a317d
  0200000000000000 5b5d`);

function formatError(bytes: Uint8Array): SnapshotFormatError {
  try {
    readMoltenSnapshot(bytes, 'db.log.snapshot.bin');
  } catch (error) {
    if (error instanceof SnapshotFormatError) return error;
    throw error;
  }
  throw new Error('reading succeeded');
}

describe('readMoltenSnapshot', () => {
  it('reads seq and the entries’ bytes', () => {
    const snapshot = readMoltenSnapshot(SNAPSHOT);
    expect(snapshot.seq).toBe(5);
    expect(snapshot.entries.map(asText)).toEqual(['{"a":1}', '[]']);
  });

  it('ignores bytes after the last entry, as MoltenDB does', () => {
    const padded = new Uint8Array(SNAPSHOT.length + 3);
    padded.set(SNAPSHOT);
    expect(readMoltenSnapshot(padded).entries.map(asText)).toEqual(['{"a":1}', '[]']);
  });

  it('reads an empty snapshot', () => {
    expect(readMoltenSnapshot(SNAPSHOT.subarray(0, 24).map((byte, i) => (i >= 16 ? 0 : byte)))).toEqual({ seq: 5, entries: [] });
  });

  it('rejects other files by magic, and says when it is a later compressed MoltenDB snapshot', () => {
    expect(formatError(new TextEncoder().encode('KILNDOCS and more bytes here')).reason).toBe('magic');
    expect(formatError(new Uint8Array([0x4d, 0x00])).message).toBe('db.log.snapshot.bin: not a MoltenDB snapshot (starts with 0x4d00, expected "MOLTSNAP")');
    const later = formatError(new TextEncoder().encode('MOLTSNG3................'));
    expect(later.reason).toBe('version');
    expect(later.message).toContain('compressed snapshot of a later MoltenDB');
  });

  it('rejects a file cut anywhere inside its entries', () => {
    for (let length = 0; length < SNAPSHOT.length; length++) {
      expect(formatError(SNAPSHOT.subarray(0, length)).reason).toBe('truncated');
    }
  });

  it('checks a huge count and a huge entry length against the bytes there are', () => {
    const hugeCount = SNAPSHOT.slice();
    new DataView(hugeCount.buffer).setBigUint64(16, 2n ** 63n, true);
    expect(formatError(hugeCount).message).toContain(`header says ${2n ** 63n} entries but only 25 bytes follow the header`);
    const hugeLength = SNAPSHOT.slice();
    new DataView(hugeLength.buffer).setBigUint64(24, 2n ** 64n - 1n, true);
    expect(formatError(hugeLength).message).toMatch(/entry 0 of 2 \(at byte 24\) says 18446744073709551615 bytes but only 17 remain/);
  });

  it('rejects a seq above 2^53 - 1', () => {
    const bytes = SNAPSHOT.slice();
    new DataView(bytes.buffer).setBigUint64(8, 2n ** 60n, true);
    expect(formatError(bytes).reason).toBe('range');
  });
});
