import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@kilndb/snapshot/testing';
import { encodeDelete, encodeStore, storeRecordSize, type ScanEntry } from '@kilndb/wal-format';
import { AppendLog } from './append-log.js';
import { layRecords } from '../test-support/log-bytes.js';
import { openLog as open } from '../test-support/open-log.js';
import { SIMULATION_BASE, tempDir } from '../test-support/temp-dir.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A log of stores of `payloads` with ids 1, 2, ...; returns the file and each record's start. */
function logOf(payloads: readonly string[]): { file: Uint8Array; starts: number[] } {
  return layRecords(payloads.map((payload, i) => encodeStore(i + 1, text(payload))));
}

function quarantined(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.includes('.quarantine-'));
}

const TEN = Array.from({ length: 10 }, (_, i) => `record number ${i + 1}`);

describe('replay after damage in the middle of the log', () => {
  it('steps over a zeroed marker to the records after it, quarantines and zeroes only the damaged record', async () => {
    const dir = tempDir('zeroed-marker');
    const logPath = path.join(dir, 'test.log');
    const { file, starts } = logOf(TEN);
    const original = file.slice();
    file[starts[4]!] = 0;
    writeFileSync(logPath, file);

    const { log, ids, warnings } = await open(logPath);
    expect(ids).toEqual([1, 2, 3, 4, 6, 7, 8, 9, 10]);
    const damaged = starts[5]! - starts[4]!;
    expect(log.replay).toMatchObject({ truncatedBytes: 0, corruptBytes: damaged, quarantinePath: undefined });
    expect(log.replay.end.stop).toBe('end');
    expect(log.replay.damage).toMatchObject([{ offset: starts[4], length: damaged }]);
    expect(typeof log.replay.damage[0]?.quarantinePath).toBe('string');
    expect(warnings).toEqual([expect.objectContaining({ code: 'damaged-range', offset: starts[4] })]);
    // The quarantine holds the bytes as they were found; the log holds zeros there now, and nothing else changed.
    const saved = new Uint8Array(readFileSync(log.replay.damage[0]!.quarantinePath!));
    expect(saved).toEqual(file.subarray(starts[4], starts[5]));
    const after = new Uint8Array(readFileSync(logPath));
    expect(after.subarray(starts[4], starts[5]).every((byte) => byte === 0)).toBe(true);
    expect(after.subarray(0, starts[4])).toEqual(original.subarray(0, starts[4]));
    expect(after.subarray(starts[5])).toEqual(original.subarray(starts[5]));
    // Appends go after the last record and survive the next open.
    const appended = encodeStore(11, text('after the repair'));
    await log.appendBytes(appended);
    await log.close();

    const again = await open(logPath);
    expect(again.ids).toEqual([1, 2, 3, 4, 6, 7, 8, 9, 10, 11]);
    expect(again.log.replay).toMatchObject({ truncatedBytes: 0, corruptBytes: damaged });
    expect(again.log.replay.damage).toEqual([{ offset: starts[4], length: damaged, quarantinePath: undefined }]);
    expect(again.warnings.map((w) => w.code)).toEqual(['damaged-range']);
    await again.log.close();
    expect(quarantined(dir)).toHaveLength(1);
  });

  it.each([
    ['a length past the end of the file', 12, 0x80],
    ['a length a little too long', 9, 0x10],
    ['a length too short', 9, 0x08],
  ])('steps over a record with %s', async (_, byte, mask) => {
    const dir = tempDir('length');
    const logPath = path.join(dir, 'test.log');
    const { file, starts } = logOf(TEN);
    // The length field is the u32 at bytes 9..12 of a record.
    const at = starts[3]! + byte;
    file[at] = file[at]! ^ mask;
    writeFileSync(logPath, file);
    const { log, ids, warnings } = await open(logPath);
    expect(ids).toEqual([1, 2, 3, 5, 6, 7, 8, 9, 10]);
    expect(log.replay.truncatedBytes).toBe(0);
    expect(log.replay.damage).toEqual([expect.objectContaining({ offset: starts[3], length: starts[4]! - starts[3]! })]);
    expect(warnings.map((w) => w.code)).toEqual(['damaged-range']);
    expect(log.size).toBe(file.length);
    await log.close();
  });

  it('keeps the records a damaged length jumps over when it lands exactly on a later record', async () => {
    const dir = tempDir('jump');
    const logPath = path.join(dir, 'test.log');
    // Equal records: growing record 3's length by two record sizes lands it on record 6.
    const { file, starts } = logOf(Array.from({ length: 8 }, () => 'same size'));
    const size = storeRecordSize('same size'.length);
    new DataView(file.buffer).setUint32(starts[2]! + 9, 'same size'.length + 2 * size, true);
    writeFileSync(logPath, file);
    const { log, ids } = await open(logPath);
    expect(ids).toEqual([1, 2, 4, 5, 6, 7, 8]);
    await log.close();
  });

  it('still reports a record whose CRC fails but whose framing holds as a corrupt record, and leaves it in place', async () => {
    const dir = tempDir('payload-flip');
    const logPath = path.join(dir, 'test.log');
    const { file, starts } = logOf(TEN);
    file[starts[6]! + 15] = file[starts[6]! + 15]! ^ 0x20;
    writeFileSync(logPath, file);
    const { log, ids, warnings } = await open(logPath);
    expect(ids).toEqual([1, 2, 3, 4, 5, 6, 8, 9, 10]);
    expect(log.replay).toMatchObject({ corruptRecords: 1, corruptBytes: starts[7]! - starts[6]!, damage: [] });
    expect(warnings.map((w) => w.code)).toEqual(['corrupt-record']);
    await log.close();
    expect(new Uint8Array(readFileSync(logPath))).toEqual(file);
    expect(quarantined(dir)).toEqual([]);
  });

  it('steps over damage read-only without changing a byte', async () => {
    const dir = tempDir('read-only');
    const logPath = path.join(dir, 'test.log');
    const { file, starts } = logOf(TEN);
    file.fill(0xee, starts[2]! + 3, starts[4]! + 20);
    writeFileSync(logPath, file);
    const { log, ids } = await open(logPath, { readOnly: true });
    expect(ids).toEqual([1, 2, 6, 7, 8, 9, 10]);
    expect(log.replay.damage).toEqual([{ offset: starts[2], length: starts[5]! - starts[2]!, quarantinePath: undefined }]);
    await log.close();
    expect(new Uint8Array(readFileSync(logPath))).toEqual(file);
    expect(quarantined(dir)).toEqual([]);
  });

  it('cuts damage with no valid record after it as a torn tail', async () => {
    const dir = tempDir('tail');
    const logPath = path.join(dir, 'test.log');
    const { file, starts } = logOf(TEN);
    file[starts[9]!] = 0;
    writeFileSync(logPath, file);
    const { log, ids, warnings } = await open(logPath);
    expect(ids).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(log.replay).toMatchObject({ truncatedBytes: file.length - starts[9]!, damage: [] });
    expect(warnings.map((w) => w.code)).toEqual(['torn-tail']);
    await log.close();
  });

  it('resumes only at a record acceptResync takes', async () => {
    const dir = tempDir('accept');
    const logPath = path.join(dir, 'test.log');
    const { file, starts } = logOf(TEN);
    file[starts[2]!] = 0;
    writeFileSync(logPath, file);
    const { log, ids } = await open(logPath, { readOnly: true, acceptResync: (id) => id >= 6n });
    expect(ids).toEqual([1, 2, 6, 7, 8, 9, 10]);
    expect(log.replay.damage).toEqual([expect.objectContaining({ offset: starts[2], length: starts[5]! - starts[2]! })]);
    await log.close();
  });

  it('checks a record larger than a replay chunk without reading it whole, whether it is damage or data', async () => {
    const dir = tempDir('large');
    const logPath = path.join(dir, 'test.log');
    const large = 'x'.repeat(5000);
    const { file, starts } = logOf(['a', large, 'b', large, 'c', large, 'd']);
    file[starts[1]! + 100] = file[starts[1]! + 100]! ^ 1;
    file[starts[3]!] = 0;
    writeFileSync(logPath, file);
    const { log, ids } = await open(logPath, { readOnly: true, replayChunkBytes: 256 });
    expect(ids).toEqual([1, 3, 5, 6, 7]);
    expect(log.replay.corruptRecords).toBe(1);
    expect(log.replay.damage).toEqual([expect.objectContaining({ offset: starts[3], length: starts[4]! - starts[3]! })]);
    await log.close();
  });
});

interface Original {
  readonly offset: number;
  readonly size: number;
  readonly bytes: Uint8Array;
}

function entryKey(entry: ScanEntry): string {
  const { record } = entry;
  if (record.type === 'corrupt') return `corrupt@${entry.offset}`;
  const payload = record.type === 'store' ? Buffer.from(record.payload).toString('hex') : '';
  return `${record.type}:${record.id}:${payload}@${entry.offset}`;
}

describe('replay after random damage (seeded)', () => {
  it('replays every record the damage does not overlap, the same on every open, and quarantines once', async () => {
    const seed = 0x5eed_0011;
    const rng = new SeededRandom(seed);
    const random = (): number => rng.next();
    const int = (n: number): number => Math.floor(random() * n);
    const deadline = Date.now() + 60_000;
    let trials = 0;
    for (; trials < 300 && Date.now() < deadline; trials++) {
      const dir = tempDir('property', SIMULATION_BASE);
      const logPath = path.join(dir, 'test.log');
      // Random stores (random bytes: markers and CRC-like bytes included) and deletes, distinct ids.
      const originals: Original[] = [];
      let size = 0;
      const count = 5 + int(30);
      for (let i = 0; i < count; i++) {
        const payload = Uint8Array.from({ length: int(4) === 0 ? int(2000) : int(80) }, () => int(256));
        const bytes = int(6) === 0 ? encodeDelete(1000 + i) : encodeStore(i + 1, payload);
        originals.push({ offset: size, size: bytes.length, bytes });
        size += bytes.length;
      }
      const file = new Uint8Array(size);
      for (const record of originals) file.set(record.bytes, record.offset);
      const mode = int(5);
      const length = mode < 3 ? 1 : 2 + int(mode === 3 ? 16 : 300);
      const at = int(size);
      const end = Math.min(size, at + length);
      for (let i = at; i < end; i++) {
        const old = file[i]!;
        if (mode === 0) file[i] = old ^ (1 << int(8));
        else if (mode === 1) file[i] = 0;
        else file[i] = (old + 1 + int(255)) % 256;
      }
      writeFileSync(logPath, file);
      const context = `seed ${seed}, trial ${trials}: mode ${mode}, bytes ${at}..${end} of ${size}`;
      const overlaps = (r: Original): boolean => r.offset < end && at < r.offset + r.size;
      const hit = originals.filter(overlaps);
      const spanStart = hit[0]?.offset ?? at;
      const spanEnd = hit.length === 0 ? end : hit[hit.length - 1]!.offset + hit[hit.length - 1]!.size;
      const expected = originals.filter((r) => !overlaps(r));

      const seen: ScanEntry[] = [];
      const replayChunkBytes = [64, 1000, 1 << 22][int(3)]!;
      const first = await AppendLog.open(logPath, { replayChunkBytes, onRecord: (e) => seen.push(e) });
      const byOffset = new Map(seen.map((e) => [e.offset, e]));
      for (const record of expected) {
        const entry = byOffset.get(record.offset);
        expect(entry?.record.type, `${context}: record at ${record.offset}`).not.toBe(undefined);
        expect(entry && entryKey(entry), context).toBe(entryKey({ offset: record.offset, record: decodeOne(record.bytes) }));
      }
      // Anything else replayed comes from inside the damaged records (a legacy marker made by the damage).
      for (const entry of seen) {
        if (!expected.some((r) => r.offset === entry.offset)) {
          expect(entry.offset >= spanStart && entry.offset < spanEnd, `${context}: stray record at ${entry.offset}`).toBe(true);
        }
      }
      const lastKept = expected.at(-1);
      expect(first.size, context).toBeGreaterThanOrEqual(lastKept === undefined ? 0 : lastKept.offset + lastKept.size);
      const quarantineFiles = quarantined(dir).length;
      await first.close();

      const reseen: ScanEntry[] = [];
      const second = await AppendLog.open(logPath, { replayChunkBytes, onRecord: (e) => reseen.push(e) });
      expect(reseen.map(entryKey), context).toEqual(seen.map(entryKey));
      expect(second.replay.truncatedBytes, context).toBe(0);
      expect(second.replay.damage.every((d) => d.quarantinePath === undefined), context).toBe(true);
      await second.appendBytes(encodeStore(9999, text('appended')));
      await second.close();
      expect(quarantined(dir).length, context).toBe(quarantineFiles);

      const last: ScanEntry[] = [];
      const readOnly = await AppendLog.open(logPath, { readOnly: true, onRecord: (e) => last.push(e) });
      expect(last.map(entryKey).slice(0, -1), context).toEqual(seen.map(entryKey));
      expect(last.at(-1)?.record, context).toMatchObject({ type: 'store', id: 9999n });
      await readOnly.close();
    }
    expect(trials).toBeGreaterThanOrEqual(50);
  }, 120_000);
});

function decodeOne(bytes: Uint8Array): ScanEntry['record'] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const id = view.getBigUint64(1, true);
  if (bytes[0] === 0xc4) return { type: 'delete', id, legacy: false, size: bytes.length };
  return { type: 'store', id, payload: bytes.subarray(13, bytes.length - 4), legacy: false, size: bytes.length };
}
