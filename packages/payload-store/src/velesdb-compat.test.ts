/**
 * VelesDB compatibility, with every byte built by hand here (DataView and zlib.crc32, not wal-format or the
 * snapshot package): directories as VelesDB leaves them open to the expected state, and the files KilnDB
 * writes are read back by a minimal independent parser of the layout in wal-format's FORMAT.md.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PayloadStore } from './payload-store.js';
import type { PayloadStoreWarning } from './warnings.js';
import { LOG_FILE, SNAPSHOT_FILE } from './store-files.js';
import { tempDir } from './test-support/temp-dir.js';
import { layRecords } from './test-support/log-bytes.js';

// ---- hand-built records -------------------------------------------------------------------------------

function bytes(size: number, fill: (view: DataView, raw: Uint8Array) => void): Uint8Array {
  const raw = new Uint8Array(size);
  fill(new DataView(raw.buffer), raw);
  return raw;
}

const json = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

/** 0x01 · id u64 · len u32 · payload */
function legacyStore(id: bigint, value: unknown): Uint8Array {
  const payload = json(value);
  return bytes(13 + payload.length, (view, raw) => {
    view.setUint8(0, 0x01);
    view.setBigUint64(1, id, true);
    view.setUint32(9, payload.length, true);
    raw.set(payload, 13);
  });
}

/** 0x02 · id u64 */
function legacyDelete(id: bigint): Uint8Array {
  return bytes(9, (view) => {
    view.setUint8(0, 0x02);
    view.setBigUint64(1, id, true);
  });
}

/** 0xC3 · id u64 · len u32 · payload · crc32 */
function crcStore(id: bigint, value: unknown): Uint8Array {
  const payload = json(value);
  return bytes(17 + payload.length, (view, raw) => {
    view.setUint8(0, 0xc3);
    view.setBigUint64(1, id, true);
    view.setUint32(9, payload.length, true);
    raw.set(payload, 13);
    view.setUint32(13 + payload.length, crc32(raw.subarray(0, 13 + payload.length)), true);
  });
}

/** 0xC4 · id u64 · crc32 */
function crcDelete(id: bigint): Uint8Array {
  return bytes(13, (view, raw) => {
    view.setUint8(0, 0xc4);
    view.setBigUint64(1, id, true);
    view.setUint32(9, crc32(raw.subarray(0, 9)), true);
  });
}

/** "VSNP" · version 1 · wal_pos u64 · count u64 · (id u64, offset u64)* · crc32 */
function vsnp(walPosition: number, entries: readonly (readonly [bigint, number])[]): Uint8Array {
  const size = 21 + 16 * entries.length + 4;
  return bytes(size, (view, raw) => {
    raw.set(new TextEncoder().encode('VSNP'), 0);
    view.setUint8(4, 1);
    view.setBigUint64(5, BigInt(walPosition), true);
    view.setBigUint64(13, BigInt(entries.length), true);
    entries.forEach(([id, offset], i) => {
      view.setBigUint64(21 + i * 16, id, true);
      view.setBigUint64(29 + i * 16, BigInt(offset), true);
    });
    view.setUint32(size - 4, crc32(raw.subarray(0, size - 4)), true);
  });
}


function velesDirectory(log: Uint8Array, snapshot?: Uint8Array): string {
  const dir = tempDir('veles');
  writeFileSync(path.join(dir, LOG_FILE), log);
  if (snapshot !== undefined) writeFileSync(path.join(dir, SNAPSHOT_FILE), snapshot);
  return dir;
}

async function openState(
  dir: string,
): Promise<{ state: Map<number, unknown>; warnings: PayloadStoreWarning[]; store: PayloadStore }> {
  const warnings: PayloadStoreWarning[] = [];
  const store = await PayloadStore.open(dir, { onWarning: (w) => warnings.push(w) });
  const state = new Map<number, unknown>();
  for (const id of store.ids()) state.set(Number(id), store.retrieve(id));
  return { state, warnings, store };
}

// ---- a VelesDB log with everything in it ---------------------------------------------------------------

/** Legacy and CRC records mixed, overwrites and deletes of both kinds. Live at the end: 1, 3, 4, 5. */
function mixedRecords(): Uint8Array[] {
  return [
    legacyStore(1n, { v: 'legacy-1' }),
    legacyStore(2n, { v: 'legacy-2' }),
    crcStore(3n, { v: 'crc-3' }),
    legacyDelete(2n),
    crcStore(4n, { v: 'crc-4' }),
    crcStore(1n, { v: 'crc-1-overwrites-legacy' }),
    legacyStore(5n, { v: 'legacy-5' }),
    crcStore(6n, { v: 'crc-6' }),
    crcDelete(6n),
  ];
}

const mixedState = new Map<number, unknown>([
  [1, { v: 'crc-1-overwrites-legacy' }],
  [3, { v: 'crc-3' }],
  [4, { v: 'crc-4' }],
  [5, { v: 'legacy-5' }],
]);

describe('opening directories VelesDB wrote', () => {
  it('reads a log mixing legacy and CRC records without a snapshot', async () => {
    const { file } = layRecords(mixedRecords());
    const { state, warnings, store } = await openState(velesDirectory(file));
    expect(state).toEqual(mixedState);
    expect(warnings).toEqual([]);
    expect(store.stats()).toMatchObject({ openedFromSnapshot: false, recordsReplayed: 9, corruptRecordsSkipped: 0 });
    await store.close();
  });

  it('skips a CRC-corrupted record with a warning and keeps the records after it', async () => {
    const records = mixedRecords();
    const { file, starts } = layRecords(records);
    // Flip a payload byte of record 4 (crc-4): its framing is intact, its CRC is not.
    file[starts[4]! + 15] = file[starts[4]! + 15]! ^ 0x01;
    const { state, warnings, store } = await openState(velesDirectory(file));
    const expected = new Map(mixedState);
    expected.delete(4);
    expect(state).toEqual(expected);
    expect(warnings).toEqual([expect.objectContaining({ code: 'corrupt-record', offset: starts[4] })]);
    expect(store.stats().corruptRecordsSkipped).toBe(1);
    await store.close();
  });

  it('cuts a torn tail into a quarantine file and accepts writes after it', async () => {
    const records = [...mixedRecords(), crcStore(7n, { v: 'torn' })];
    const { file, starts } = layRecords(records);
    const torn = file.subarray(0, starts[9]! + 11);
    const dir = velesDirectory(torn);
    const { state, warnings, store } = await openState(dir);
    expect(state).toEqual(mixedState);
    expect(warnings.map((w) => w.code)).toEqual(['torn-tail']);
    const quarantine = store.stats().quarantinePath!;
    expect(new Uint8Array(readFileSync(quarantine))).toEqual(torn.subarray(starts[9]));
    await store.store(8, 'after-the-cut');
    await store.close();
    const { state: again, store: reopened } = await openState(dir);
    expect(again.get(8)).toBe('after-the-cut');
    expect(again.size).toBe(mixedState.size + 1);
    await reopened.close();
  });

  it('opens from a valid VSNP snapshot and replays only the records after wal_pos', async () => {
    const records = mixedRecords();
    const { file, starts } = layRecords(records);
    // The snapshot covers records 0..4: live then are 1 (legacy, at 0), 3 and 4. Offsets point at the length field.
    const walPosition = starts[5]!;
    const snapshot = vsnp(walPosition, [
      [1n, starts[0]! + 9],
      [3n, starts[2]! + 9],
      [4n, starts[4]! + 9],
    ]);
    const { state, warnings, store } = await openState(velesDirectory(file, snapshot));
    expect(state).toEqual(mixedState);
    expect(warnings).toEqual([]);
    expect(store.stats()).toMatchObject({ openedFromSnapshot: true, recordsReplayed: 4, lastSnapshotPosition: walPosition });
    await store.close();
  });

  it('replays the whole log when the snapshot is missing', async () => {
    const { file } = layRecords(mixedRecords());
    const dir = velesDirectory(file);
    expect(existsSync(path.join(dir, SNAPSHOT_FILE))).toBe(false);
    const { state, store } = await openState(dir);
    expect(state).toEqual(mixedState);
    expect(store.stats().openedFromSnapshot).toBe(false);
    await store.close();
  });

  describe('rejects a snapshot it cannot trust, warns, and replays the whole log', () => {
    const records = mixedRecords();
    const { file, starts } = layRecords(records);
    const goodEntries: [bigint, number][] = [
      [1n, starts[0]! + 9],
      [3n, starts[2]! + 9],
      [4n, starts[4]! + 9],
    ];
    const cases: [string, Uint8Array, RegExp][] = [
      [
        'a corrupt checksum',
        (() => {
          const snapshot = vsnp(starts[5]!, goodEntries);
          snapshot[25] = snapshot[25]! ^ 0xff;
          return snapshot;
        })(),
        /checksum/,
      ],
      ['a truncated file', vsnp(starts[5]!, goodEntries).subarray(0, 30), /entries|shorter/],
      ['wal_pos past the end of the log', vsnp(file.length + 100, goodEntries), /past the end of the log/],
      ['wal_pos off a record boundary', vsnp(starts[5]! + 3, goodEntries), /cannot replay from offset/],
      ['an offset past wal_pos', vsnp(starts[3]!, goodEntries), /outside the log before wal_pos/],
      ['an offset before the log start', vsnp(starts[5]!, [[1n, 2]]), /outside the log/],
      ['an entry pointing at another id', vsnp(starts[5]!, [[1n, starts[2]! + 9]]), /does not point at a store record of that id/],
      ['an id listed twice', vsnp(starts[5]!, [...goodEntries, [1n, starts[0]! + 9]]), /listed twice/],
    ];
    for (const [name, snapshot, reason] of cases) {
      it(name, async () => {
        const { state, warnings, store } = await openState(velesDirectory(file, snapshot));
        expect(state).toEqual(mixedState);
        expect(warnings).toEqual([expect.objectContaining({ code: 'snapshot-rejected', message: expect.stringMatching(reason) as unknown })]);
        expect(store.stats()).toMatchObject({ openedFromSnapshot: false, recordsReplayed: records.length });
        await store.close();
      });
    }
  });
});

// ---- reading what KilnDB writes with an independent parser -------------------------------------------

type ParsedRecord = { kind: 'store'; id: bigint; value: unknown; start: number } | { kind: 'delete'; id: bigint; start: number };

/** Reads a log per FORMAT.md: current records only (KilnDB never writes legacy ones), CRC checked, no tail. */
function parseLog(file: Uint8Array): ParsedRecord[] {
  const view = new DataView(file.buffer, file.byteOffset, file.length);
  const out: ParsedRecord[] = [];
  let at = 0;
  while (at < file.length) {
    const marker = file[at];
    const id = view.getBigUint64(at + 1, true);
    if (marker === 0xc3) {
      const len = view.getUint32(at + 9, true);
      const crcAt = at + 13 + len;
      expect(view.getUint32(crcAt, true)).toBe(crc32(file.subarray(at, crcAt)));
      const value: unknown = JSON.parse(new TextDecoder().decode(file.subarray(at + 13, crcAt)));
      out.push({ kind: 'store', id, value, start: at });
      at = crcAt + 4;
    } else if (marker === 0xc4) {
      expect(view.getUint32(at + 9, true)).toBe(crc32(file.subarray(at, at + 9)));
      out.push({ kind: 'delete', id, start: at });
      at += 13;
    } else {
      throw new Error(`unexpected marker ${marker} at ${at}`);
    }
  }
  return out;
}

function parseVsnp(file: Uint8Array): { walPosition: number; entries: [bigint, number][] } {
  const view = new DataView(file.buffer, file.byteOffset, file.length);
  expect(new TextDecoder().decode(file.subarray(0, 4))).toBe('VSNP');
  expect(file[4]).toBe(1);
  const count = Number(view.getBigUint64(13, true));
  expect(file.length).toBe(21 + 16 * count + 4);
  expect(view.getUint32(file.length - 4, true)).toBe(crc32(file.subarray(0, file.length - 4)));
  const entries: [bigint, number][] = [];
  for (let i = 0; i < count; i++) {
    entries.push([view.getBigUint64(21 + 16 * i, true), Number(view.getBigUint64(29 + 16 * i, true))]);
  }
  return { walPosition: Number(view.getBigUint64(5, true)), entries };
}

describe('files KilnDB writes, read back by hand', () => {
  it('writes CRC store and delete records VelesDB can read, record by record', async () => {
    const dir = tempDir('kiln');
    const store = await PayloadStore.open(dir);
    await store.store(1, { a: 1 });
    await store.storeBatch([[2, 'two'], [2n ** 60n, [true, null]]]);
    await store.delete(1);
    await store.deleteBatch([2]);
    await store.close();
    expect(parseLog(readFileSync(path.join(dir, LOG_FILE)))).toEqual([
      { kind: 'store', id: 1n, value: { a: 1 }, start: 0 },
      { kind: 'store', id: 2n, value: 'two', start: 17 + 7 },
      { kind: 'store', id: 2n ** 60n, value: [true, null], start: 17 + 7 + 17 + 5 },
      { kind: 'delete', id: 1n, start: 17 + 7 + 17 + 5 + 17 + 11 },
      { kind: 'delete', id: 2n, start: 17 + 7 + 17 + 5 + 17 + 11 + 13 },
    ]);
  });

  it('writes a VSNP snapshot whose offsets point at the length field of each live record', async () => {
    const dir = tempDir('kiln');
    const store = await PayloadStore.open(dir);
    await store.storeBatch([[10, 'ten'], [11, 'eleven'], [12, 'twelve'], [2n ** 63n, 'big']]);
    await store.store(11, 'eleven again');
    await store.delete(12);
    await store.createSnapshot();
    await store.store(13, 'after the snapshot');
    await store.close();

    const log = readFileSync(path.join(dir, LOG_FILE));
    const records = parseLog(log);
    const { walPosition, entries } = parseVsnp(readFileSync(path.join(dir, SNAPSHOT_FILE)));
    expect(walPosition).toBe(records.at(-1)!.start);
    const starts = new Map(records.filter((r) => r.start < walPosition && r.kind === 'store').map((r) => [r.id, r.start]));
    expect(new Map(entries)).toEqual(
      new Map([
        [10n, starts.get(10n)! + 9],
        [11n, records.find((r) => r.kind === 'store' && r.id === 11n && r.value === 'eleven again')!.start + 9],
        [2n ** 63n, starts.get(2n ** 63n)! + 9],
      ]),
    );
    for (const [id, offset] of entries) {
      expect(log[offset - 9]).toBe(0xc3);
      expect(new DataView(log.buffer, log.byteOffset).getBigUint64(offset - 8, true)).toBe(id);
    }
  });

  it('writes a compacted log of CRC records only (legacy records upgraded) and a snapshot that matches it', async () => {
    const dir = velesDirectory(layRecords(mixedRecords()).file);
    const store = await PayloadStore.open(dir);
    await store.compact();
    await store.close();
    const records = parseLog(readFileSync(path.join(dir, LOG_FILE)));
    expect(records.every((r) => r.kind === 'store')).toBe(true);
    expect(new Map(records.map((r) => [Number(r.id), r.kind === 'store' ? r.value : undefined]))).toEqual(mixedState);
    const { walPosition, entries } = parseVsnp(readFileSync(path.join(dir, SNAPSHOT_FILE)));
    expect(walPosition).toBe(readFileSync(path.join(dir, LOG_FILE)).length);
    expect(new Map(entries)).toEqual(new Map(records.map((r) => [r.id, r.start + 9])));
  });
});
