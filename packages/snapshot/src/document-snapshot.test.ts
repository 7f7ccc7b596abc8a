import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { crc32 as zlibCrc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeDocumentSnapshot,
  decodeDocumentSnapshotFrames,
  KILNDOCS_FLAG_ENCRYPTED,
  readDocumentSnapshot,
  readDocumentSnapshotFrames,
  readDocumentSnapshotHeader,
  writeDocumentSnapshot,
  type DocumentSnapshotInput,
} from './document-snapshot.js';
import { SnapshotEncodeError, SnapshotFormatError } from './errors.js';
import { nodeFileSystem, type FileSystem } from './file-system.js';
import { recordingWrites } from './test-support/recording-fs.js';
import { tempDir } from './test-support/temp-dir.js';
import { SimulatedCrashError } from './testing/errors.js';
import { FaultyFileSystem } from './testing/faulty-file-system.js';

const fromHex = (hex: string) => Uint8Array.from(Buffer.from(hex.replace(/[\s|]/g, ''), 'hex'));
const text = (s: string) => new TextEncoder().encode(s);

/** seq 7, encrypted, entries "a", "" and "xyz"; CRC computed independently with Python's zlib.crc32. */
const GOLDEN = fromHex(`
  4b494c4e444f4353 | 01 | 01 | 0000 | 0700000000000000 | 0300000000000000
  01000000 61 | 00000000 | 03000000 78797a
  ac19bd49`);
const GOLDEN_EMPTY = fromHex('4b494c4e444f4353 01 00 0000 0000000000000000 0000000000000000 7ccf13c5');

async function writeToBytes(input: DocumentSnapshotInput): Promise<Uint8Array> {
  const dir = tempDir();
  await writeDocumentSnapshot(nodeFileSystem, path.join(dir, 'docs.snapshot'), input);
  return new Uint8Array(readFileSync(path.join(dir, 'docs.snapshot')));
}

function formatError(bytes: Uint8Array): SnapshotFormatError {
  try {
    decodeDocumentSnapshot(bytes, 'docs.snapshot');
  } catch (error) {
    if (error instanceof SnapshotFormatError) return error;
    throw error;
  }
  throw new Error('decoding succeeded');
}

/** `body` followed by its CRC, so the decoder gets past the checksum. */
function withCrc(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 4);
  out.set(body);
  new DataView(out.buffer).setUint32(body.length, zlibCrc32(body), true);
  return out;
}

describe('KILNDOCS writing', () => {
  it('matches the hand-written golden bytes', async () => {
    expect(await writeToBytes({ seq: 7, flags: KILNDOCS_FLAG_ENCRYPTED, count: 3, entries: [text('a'), text(''), text('xyz')] })).toEqual(GOLDEN);
    expect(await writeToBytes({ seq: 0, count: 0, entries: [] })).toEqual(GOLDEN_EMPTY);
  });

  it('round-trips entries of any size from sync and async iterables', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 30 }),
        fc.maxSafeNat(),
        fc.boolean(),
        async (entries, seq, encrypted) => {
          async function* stream(): AsyncGenerator<Uint8Array> {
            for (const entry of entries) yield await Promise.resolve(entry);
          }
          const flags = encrypted ? KILNDOCS_FLAG_ENCRYPTED : 0;
          const bytes = await writeToBytes({ seq, flags, count: entries.length, entries: encrypted ? stream() : entries });
          const decoded = decodeDocumentSnapshot(bytes);
          expect(decoded).toEqual({ seq, flags, encrypted, count: entries.length, entries });
        },
      ),
      { numRuns: 40 },
    );
  });

  it('gathers small entries into large writes and passes large entries through without copying them', async () => {
    const dir = tempDir();
    const { fs: recording, writes } = recordingWrites();
    const small = Array.from({ length: 10_000 }, (_, i) => text(`entry ${i}`));
    const big = new Uint8Array(300_000).fill(9);
    await writeDocumentSnapshot(recording, path.join(dir, 's'), { seq: 1, count: small.length + 1, entries: [...small, big] });
    expect(writes.length).toBeLessThan(10);
    expect(writes).toContain(300_000);
    const decoded = await readDocumentSnapshot(nodeFileSystem, path.join(dir, 's'));
    expect(Buffer.from(decoded!.entries[10_000]!).equals(big)).toBe(true);
    expect(Buffer.from(decoded!.entries[9_999]!).toString()).toBe('entry 9999');
  });

  it('fails when the entries do not match the announced count, keeping the previous snapshot', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'docs.snapshot');
    writeFileSync(file, GOLDEN);
    await expect(writeDocumentSnapshot(nodeFileSystem, file, { seq: 1, count: 2, entries: [text('only one')] })).rejects.toThrow(
      /yielded 1 entries but the announced count is 2/,
    );
    await expect(writeDocumentSnapshot(nodeFileSystem, file, { seq: 1, count: 1, entries: [text('one'), text('two')] })).rejects.toThrow(
      /yielded more than the announced count of 1/,
    );
    await expect(
      writeDocumentSnapshot(nodeFileSystem, file, { seq: 1, count: 1, entries: ['no'] as unknown as Uint8Array[] }),
    ).rejects.toThrow(/entry 0 is not a Uint8Array/);
    expect(readdirSync(dir)).toEqual(['docs.snapshot']);
    expect(new Uint8Array(readFileSync(file))).toEqual(GOLDEN);
  });

  it('rejects a bad seq, count or flags before writing anything', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'docs.snapshot');
    const attempt = (input: DocumentSnapshotInput) => writeDocumentSnapshot(nodeFileSystem, file, input);
    await expect(attempt({ seq: -1, count: 0, entries: [] })).rejects.toMatchObject({ field: 'seq' });
    await expect(attempt({ seq: 0, count: 0.5, entries: [] })).rejects.toMatchObject({ field: 'count' });
    await expect(attempt({ seq: 0, flags: 2, count: 0, entries: [] })).rejects.toThrow(SnapshotEncodeError);
    await expect(attempt({ seq: 0, flags: 256, count: 0, entries: [] })).rejects.toMatchObject({ field: 'flags' });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('leaves the old snapshot or the complete new one at every crash point', async () => {
    const newEntries = Array.from({ length: 5 }, (_, i) => new Uint8Array(30_000).fill(i));
    const write = (fs: FileSystem, dir: string) =>
      writeDocumentSnapshot(fs, path.join(dir, 'docs.snapshot'), { seq: 99, count: newEntries.length, entries: newEntries });
    const cleanDir = tempDir();
    writeFileSync(path.join(cleanDir, 'docs.snapshot'), GOLDEN);
    const clean = new FaultyFileSystem(cleanDir);
    await write(clean, cleanDir);
    const total = clean.mutationCount;
    const seqs = new Set<number>();
    for (let run = 0; run < total * 2; run++) {
      const n = run >> 1;
      const dir = tempDir();
      writeFileSync(path.join(dir, 'docs.snapshot'), GOLDEN);
      const fs = new FaultyFileSystem(dir, { seed: run });
      fs.crashAfter(n, { mode: run % 2 === 0 ? 'random' : 'keep-unsynced' });
      await expect(write(fs, dir)).rejects.toBeInstanceOf(SimulatedCrashError);
      const survivor = await readDocumentSnapshot(nodeFileSystem, path.join(dir, 'docs.snapshot'));
      seqs.add(survivor!.seq);
      if (survivor!.seq === 99) expect(survivor!.entries.map((entry, i) => Buffer.from(entry).equals(newEntries[i]!))).toEqual([true, true, true, true, true]);
      else expect(survivor!.seq).toBe(7);
    }
    expect(seqs).toEqual(new Set([7, 99]));
  });
});

describe('KILNDOCS reading checks', () => {
  it('decodes the golden bytes', () => {
    const decoded = decodeDocumentSnapshot(GOLDEN);
    expect(decoded.seq).toBe(7);
    expect(decoded.encrypted).toBe(true);
    expect(decoded.entries.map((entry) => Buffer.from(entry).toString())).toEqual(['a', '', 'xyz']);
  });

  it('rejects a wrong magic, then an unknown version, then undefined flags', () => {
    const wrongMagic = GOLDEN.slice();
    wrongMagic[7] = 0x21;
    expect(formatError(wrongMagic).message).toBe('docs.snapshot: not a KilnDB document snapshot (starts with 0x4b494c4e444f4321, expected "KILNDOCS")');
    expect(formatError(text('MOLTSNAP')).reason).toBe('magic');
    const newerVersion = GOLDEN.slice();
    newerVersion[8] = 2;
    expect(formatError(newerVersion).reason).toBe('version');
    const badFlags = GOLDEN.slice();
    badFlags[9] = 0x03;
    expect(formatError(badFlags).reason).toBe('flags');
    const badReserved = GOLDEN.slice();
    badReserved[11] = 1;
    expect(formatError(badReserved).reason).toBe('flags');
  });

  it('rejects a file cut anywhere as truncated', () => {
    for (let length = 0; length < GOLDEN.length; length++) {
      const reason = formatError(GOLDEN.subarray(0, length)).reason;
      expect(['truncated', 'size', 'crc']).toContain(reason);
      if (length < 32) expect(reason).toBe('truncated');
    }
  });

  it('checks a huge count against the file size before allocating', () => {
    const bytes = GOLDEN_EMPTY.slice();
    new DataView(bytes.buffer).setBigUint64(20, 2n ** 62n, true);
    const error = formatError(bytes);
    expect(error.reason).toBe('truncated');
    expect(error.message).toContain(`header says ${2n ** 62n} entries but only 0 bytes follow the header`);
  });

  it('rejects an entry length that runs past the end, and bytes after the last entry', () => {
    const longEntry = GOLDEN.slice(0, -4);
    new DataView(longEntry.buffer).setUint32(28, 1000, true);
    expect(formatError(withCrc(longEntry)).message).toMatch(/entry 0 of 3 \(at byte 28, 1000 bytes\) runs past the end/);
    const extra = new Uint8Array(GOLDEN.length + 2);
    extra.set(GOLDEN.subarray(0, -4));
    const error = formatError(withCrc(extra.subarray(0, -4)));
    expect(error.reason).toBe('size');
    expect(error.message).toContain('2 unexpected bytes after entry 2');
  });

  it('rejects a flipped bit in seq, an entry or the CRC with a crc error', () => {
    for (const at of [12, 19, 32, 43, GOLDEN.length - 1]) {
      const bytes = GOLDEN.slice();
      bytes[at]! ^= 0x04;
      expect(formatError(bytes).reason).toBe('crc');
    }
  });

  it('rejects a seq above 2^53 - 1 as out of range', () => {
    const body = GOLDEN_EMPTY.slice(0, -4);
    new DataView(body.buffer).setBigUint64(12, 2n ** 60n, true);
    expect(formatError(withCrc(body)).reason).toBe('range');
  });

  it('hands out entry positions in file order after the same checks, without a view per entry', async () => {
    const frames = decodeDocumentSnapshotFrames(GOLDEN);
    expect({ seq: frames.seq, encrypted: frames.encrypted, count: frames.count }).toEqual({ seq: 7, encrypted: true, count: 3 });
    const seen: [number, number, number][] = [];
    frames.forEachEntry((start, end, i) => seen.push([start, end, i]));
    // "a" at 32, "" at 37, "xyz" at 41: each after its 4-byte length field.
    expect(seen).toEqual([[32, 33, 0], [37, 37, 1], [41, 44, 2]]);
    expect(Buffer.from(frames.bytes.subarray(41, 44)).toString()).toBe('xyz');
    const flipped = GOLDEN.slice();
    flipped[43]! ^= 0x01;
    expect(() => decodeDocumentSnapshotFrames(flipped, 'x')).toThrow(SnapshotFormatError);
    const dir = tempDir();
    const file = path.join(dir, 'docs.snapshot');
    expect(await readDocumentSnapshotFrames(nodeFileSystem, file)).toBeUndefined();
    writeFileSync(file, GOLDEN);
    expect((await readDocumentSnapshotFrames(nodeFileSystem, file))?.count).toBe(3);
  });

  it('reads a snapshot in pieces, the CRC taken as they come, with the same checks as a decode of the whole', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'docs.snapshot');
    writeFileSync(file, GOLDEN);
    const whole = decodeDocumentSnapshotFrames(GOLDEN);
    const positions = (frames: { forEachEntry(fn: (start: number, end: number, i: number) => void): void }) => {
      const seen: number[][] = [];
      frames.forEachEntry((start, end, i) => seen.push([start, end, i]));
      return seen;
    };
    // Pieces that split the header, a length field, an entry and the stored CRC.
    for (const piece of [1, 3, 7, 16, 29, 43, 44, 45, 1024]) {
      const frames = await readDocumentSnapshotFrames(nodeFileSystem, file, piece);
      expect(frames && { seq: frames.seq, count: frames.count, encrypted: frames.encrypted }).toEqual({ seq: 7, count: 3, encrypted: true });
      expect(Buffer.from(frames!.bytes)).toEqual(Buffer.from(GOLDEN));
      expect(positions(frames!)).toEqual(positions(whole));
    }
    // A flipped byte of the header, an entry or the stored CRC, in any piece, is a checksum mismatch.
    for (const at of [12, 32, 42, 45]) {
      const flipped = GOLDEN.slice();
      flipped[at]! ^= 0x10;
      writeFileSync(file, flipped);
      for (const piece of [5, 16, 1024]) {
        await expect(readDocumentSnapshotFrames(nodeFileSystem, file, piece)).rejects.toMatchObject({ reason: 'crc' });
      }
    }
    writeFileSync(file, GOLDEN_EMPTY);
    expect((await readDocumentSnapshotFrames(nodeFileSystem, file, 4))?.count).toBe(0);
    writeFileSync(file, GOLDEN.subarray(0, 3));
    await expect(readDocumentSnapshotFrames(nodeFileSystem, file, 2)).rejects.toMatchObject({ reason: 'truncated' });
  });

  it('fails a piecewise read that comes up short or fails, and closes the file either way', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'docs.snapshot');
    writeFileSync(file, GOLDEN);
    const closed: string[] = [];
    /** nodeFileSystem, but the read at `failAt` returns `short` bytes fewer (or fails with EIO when `short` is undefined). */
    const failing = (failAt: number, short: number | undefined): FileSystem => ({
      ...nodeFileSystem,
      async open(filePath, mode) {
        const handle = await nodeFileSystem.open(filePath, mode);
        return Object.assign(Object.create(handle) as typeof handle, {
          async read(into: Uint8Array, position: number): Promise<number> {
            if (position !== failAt) return handle.read(into, position);
            if (short === undefined) throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
            return handle.read(into.subarray(0, into.length - short), position);
          },
          async close(): Promise<void> {
            closed.push(filePath);
            await handle.close();
          },
        });
      },
    });
    await expect(readDocumentSnapshotFrames(failing(16, 2), file, 16)).rejects.toMatchObject({ reason: 'truncated' });
    await expect(readDocumentSnapshotFrames(failing(32, undefined), file, 16)).rejects.toMatchObject({ code: 'EIO' });
    expect(closed).toEqual([file, file]);
    expect((await readDocumentSnapshotFrames(failing(-1, undefined), file, 16))?.count).toBe(3);
  });

  it('returns undefined for a missing file and names the file in errors', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'docs.snapshot');
    expect(await readDocumentSnapshot(nodeFileSystem, file)).toBeUndefined();
    writeFileSync(file, GOLDEN.subarray(0, 40));
    await expect(readDocumentSnapshot(nodeFileSystem, file)).rejects.toThrow(`${file}: `);
  });

  it('reads the header alone: seq, flags and count, with the same checks', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'docs.snapshot');
    expect(await readDocumentSnapshotHeader(nodeFileSystem, file)).toBeUndefined();
    writeFileSync(file, GOLDEN);
    expect(await readDocumentSnapshotHeader(nodeFileSystem, file)).toEqual({ seq: 7, flags: 1, encrypted: true, count: 3 });
    writeFileSync(file, GOLDEN.subarray(0, 20));
    await expect(readDocumentSnapshotHeader(nodeFileSystem, file)).rejects.toMatchObject({ reason: 'truncated' });
    const wrongVersion = GOLDEN.slice();
    wrongVersion[8] = 9;
    writeFileSync(file, wrongVersion);
    await expect(readDocumentSnapshotHeader(nodeFileSystem, file)).rejects.toMatchObject({ reason: 'version' });
  });
});
