import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { crc32 as zlibCrc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SnapshotEncodeError, SnapshotFormatError } from './errors.js';
import { nodeFileSystem } from './file-system.js';
import {
  decodeIndexSnapshot,
  encodeIndexSnapshot,
  IndexSnapshot,
  indexSnapshotSize,
  readIndexSnapshot,
  writeIndexSnapshot,
} from './index-snapshot.js';
import { tempDir } from './test-support/temp-dir.js';
import { FaultyFileSystem } from './testing/faulty-file-system.js';

const fromHex = (hex: string) => Uint8Array.from(Buffer.from(hex.replace(/[\s·|]/g, ''), 'hex'));

/** wal_pos 258, entries (1 → 0) and (2^32 + 2 → 0x1234); CRC computed independently with Python's zlib.crc32. */
const GOLDEN = fromHex(`
  56534e50 | 01 | 0201000000000000 | 0200000000000000
  0100000000000000 | 0000000000000000
  0200000001000000 | 3412000000000000
  eea993e2`);
const GOLDEN_EMPTY = fromHex('56534e50 01 0000000000000000 0000000000000000 2cc456b8');

function formatError(bytes: Uint8Array): SnapshotFormatError {
  try {
    decodeIndexSnapshot(bytes, 'test.vsnp');
  } catch (error) {
    if (error instanceof SnapshotFormatError) return error;
    throw error;
  }
  throw new Error('decoding succeeded');
}

describe('VSNP encoding', () => {
  it('matches the hand-written golden bytes', () => {
    const snapshot = IndexSnapshot.fromEntries(258, [
      [1, 0],
      [0x1_0000_0002, 0x1234],
    ]);
    expect(encodeIndexSnapshot(snapshot)).toEqual(GOLDEN);
    expect(GOLDEN.length).toBe(indexSnapshotSize(2));
    expect(encodeIndexSnapshot(IndexSnapshot.fromEntries(0, []))).toEqual(GOLDEN_EMPTY);
  });

  it('decodes the golden bytes', () => {
    const snapshot = decodeIndexSnapshot(GOLDEN);
    expect(snapshot.walPosition).toBe(258);
    expect(snapshot.count).toBe(2);
    expect([snapshot.id(0), snapshot.offset(0), snapshot.id(1), snapshot.offset(1)]).toEqual([1, 0, 0x1_0000_0002, 0x1234]);
    expect(decodeIndexSnapshot(GOLDEN_EMPTY).count).toBe(0);
  });

  it('encodes from any source that lists its entries, and rejects a wrong count', () => {
    const source = (count: number, emitted: number) => ({
      walPosition: 258,
      count,
      forEach(emit: (id: number | bigint, offset: number) => void) {
        for (let i = 0; i < emitted; i++) emit(i === 0 ? 1n : 0x1_0000_0002, i === 0 ? 0 : 0x1234);
      },
    });
    expect(encodeIndexSnapshot(source(2, 2))).toEqual(GOLDEN);
    expect(() => encodeIndexSnapshot(source(2, 1))).toThrow(/emitted 1 entries but its count is 2/);
    expect(() => encodeIndexSnapshot(source(1, 2))).toThrow(/emitted more than its count of 1/);
  });

  it('round-trips ids across the whole u64 range, as numbers up to 2^53 - 1 and bigints above', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.maxSafeNat())),
        fc.maxSafeNat(),
        (pairs, walPosition) => {
          const entries = pairs.map(([id, offset]) => [id <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(id) : id, offset] as const);
          const decoded = decodeIndexSnapshot(encodeIndexSnapshot(IndexSnapshot.fromEntries(walPosition, entries)));
          const seen: (readonly [number | bigint, number])[] = [];
          decoded.forEach((id, offset) => seen.push([id, offset]));
          expect(seen).toEqual(entries);
          expect(decoded.walPosition).toBe(walPosition);
        },
      ),
    );
  });

  it('rejects values that do not fit, naming the field', () => {
    const bad = (walPosition: number, entries: [number | bigint, number][]) => () =>
      encodeIndexSnapshot({
        walPosition,
        count: entries.length,
        forEach: (emit) => {
          for (const [id, offset] of entries) emit(id, offset);
        },
      });
    expect(bad(-1, [])).toThrow(SnapshotEncodeError);
    expect(bad(2 ** 53, [])).toThrow(/walPosition 9007199254740992/);
    expect(bad(0, [[1, 1.5]])).toThrow(/offset 1.5/);
    expect(bad(0, [[-1, 0]])).toThrow(/record id -1/);
    expect(bad(0, [[2n ** 64n, 0]])).toThrow(/outside the u64 range/);
    expect(() => IndexSnapshot.fromEntries(0, [[1, -5]])).toThrow(/offset -5/);
  });
});

describe('VSNP decoding checks', () => {
  it('rejects a wrong magic first', () => {
    const bytes = GOLDEN.slice();
    bytes[0] = 0x58;
    bytes[4] = 9;
    const error = formatError(bytes);
    expect(error.reason).toBe('magic');
    expect(error.message).toBe('test.vsnp: not a VSNP index snapshot (starts with 0x58534e50, expected "VSNP")');
    expect(formatError(fromHex('00')).reason).toBe('magic');
  });

  it('rejects an unknown version', () => {
    const bytes = GOLDEN.slice();
    bytes[4] = 2;
    const error = formatError(bytes);
    expect(error.reason).toBe('version');
    expect(error.message).toMatch(/^test\.vsnp: VSNP version 2 is not supported/);
  });

  it('rejects a file cut anywhere as truncated', () => {
    for (let length = 0; length < GOLDEN.length; length++) {
      const error = formatError(GOLDEN.subarray(0, length));
      expect(error.reason).toBe('truncated');
      expect(error.source).toBe('test.vsnp');
    }
  });

  it('checks a huge count against the file size before allocating', () => {
    const bytes = GOLDEN_EMPTY.slice();
    new DataView(bytes.buffer).setBigUint64(13, 2n ** 64n - 1n, true);
    const error = formatError(bytes);
    expect(error.reason).toBe('truncated');
    expect(error.message).toContain('header says 18446744073709551615 entries');
  });

  it('rejects trailing bytes', () => {
    const bytes = new Uint8Array(GOLDEN.length + 1);
    bytes.set(GOLDEN);
    expect(formatError(bytes).reason).toBe('size');
  });

  it('rejects a flipped bit anywhere but the magic, version and count with a crc error', () => {
    for (let at = 5; at < GOLDEN.length; at++) {
      if (at >= 13 && at < 21) continue;
      const bytes = GOLDEN.slice();
      bytes[at]! ^= 0x10;
      const error = formatError(bytes);
      expect(error.reason).toBe('crc');
      expect(error.message).toMatch(/checksum mismatch \(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\)/);
    }
  });

  it('rejects offsets and wal positions above 2^53 - 1 as out of range', () => {
    const tooLarge = fromHex(
      '56534e50 01 0000000000002000 0100000000000000 0100000000000000 0000000000000000',
    );
    expect(formatError(withCrc(tooLarge)).message).toContain('wal_pos is above 2^53 - 1');
    const badOffset = fromHex('56534e50 01 0000000000000000 0100000000000000 0100000000000000 0000000000002000');
    expect(formatError(withCrc(badOffset)).reason).toBe('range');
  });
});

/** `body` followed by its CRC, so the decoder gets past the checksum to the field checks. */
function withCrc(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 4);
  out.set(body);
  new DataView(out.buffer).setUint32(body.length, zlibCrc32(body), true);
  return out;
}

describe('VSNP files', () => {
  it('writes atomically and reads back; undefined when missing', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'payloads.snapshot');
    expect(await readIndexSnapshot(nodeFileSystem, file)).toBeUndefined();
    await writeIndexSnapshot(nodeFileSystem, file, IndexSnapshot.fromEntries(258, [
      [1, 0],
      [0x1_0000_0002, 0x1234],
    ]));
    expect(new Uint8Array(readFileSync(file))).toEqual(GOLDEN);
    expect(readdirSync(dir)).toEqual(['payloads.snapshot']);
    const read = await readIndexSnapshot(nodeFileSystem, file);
    expect(read?.offset(1)).toBe(0x1234);
  });

  it('names the file in a format error', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'payloads.snapshot');
    writeFileSync(file, 'garbage!');
    await expect(readIndexSnapshot(nodeFileSystem, file)).rejects.toThrow(`${file}: not a VSNP index snapshot`);
  });

  it('keeps the previous snapshot when a crash interrupts a new one', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'payloads.snapshot');
    writeFileSync(file, GOLDEN);
    for (let n = 0; n < 5; n++) {
      const fs = new FaultyFileSystem(dir, { seed: n });
      fs.crashAfter(n);
      await expect(writeIndexSnapshot(fs, file, IndexSnapshot.fromEntries(9, [[5, 5]]))).rejects.toThrow();
      const read = await readIndexSnapshot(nodeFileSystem, file);
      expect(read?.walPosition).toBe(258);
    }
  });
});
