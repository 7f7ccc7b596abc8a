import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ABSENT, IdIndex, UNKNOWN_SIZE, type IndexKey } from './id-index.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const U64_MAX = 0xffff_ffff_ffff_ffffn;

function entries(index: IdIndex): [IndexKey, number, number][] {
  const out: [IndexKey, number, number][] = [];
  index.forEach((id, offset, size) => out.push([id, offset, size]));
  return out;
}

function find(index: IdIndex, id: IndexKey): { offset: number; size: number } | undefined {
  return index.lookup(id) ? { offset: index.foundOffset, size: index.foundSize } : undefined;
}

describe('IdIndex', () => {
  it('maps ids to offsets and sizes, replaces, and deletes', () => {
    const index = new IdIndex();
    expect(index.set(7, 100, 30)).toBe(ABSENT);
    expect(index.set(8, 200, 40)).toBe(ABSENT);
    expect(find(index, 7)).toEqual({ offset: 100, size: 30 });
    expect(index.set(7, 300, 50)).toBe(30);
    expect(find(index, 7)).toEqual({ offset: 300, size: 50 });
    expect(index.count).toBe(2);
    expect(index.delete(7)).toBe(50);
    expect(index.delete(7)).toBe(ABSENT);
    expect(index.has(7)).toBe(false);
    expect(find(index, 8)).toEqual({ offset: 200, size: 40 });
    expect(index.count).toBe(1);
  });

  it('keeps ids around 2^53 exact and puts ids above 2^53 - 1 in the side table', () => {
    const index = new IdIndex();
    const ids: IndexKey[] = [0, 1, MAX_SAFE - 1, MAX_SAFE, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n, U64_MAX];
    ids.forEach((id, i) => index.set(id, i * 1000 + 2 ** 40, i + 17));
    ids.forEach((id, i) => {
      expect(find(index, id)).toEqual({ offset: i * 1000 + 2 ** 40, size: i + 17 });
    });
    // MAX_SAFE and MAX_SAFE - 1 differ only in the lowest bit: they must not collide into one key.
    expect(index.count).toBe(ids.length);
    expect(index.has(MAX_SAFE - 2)).toBe(false);
    expect(index.has(2n ** 53n + 2n)).toBe(false);
    expect(entries(index).map(([id]) => id).sort((a, b) => (a < b ? -1 : 1))).toEqual(ids);
    expect(index.delete(U64_MAX)).toBe(ids.length - 1 + 17);
    expect(index.has(U64_MAX)).toBe(false);
  });

  it('stores offsets above 2^32 and the unknown-size marker', () => {
    const index = new IdIndex();
    index.set(1, 2 ** 52 + 3, UNKNOWN_SIZE);
    expect(find(index, 1)).toEqual({ offset: 2 ** 52 + 3, size: UNKNOWN_SIZE });
    index.setSize(1, 99);
    expect(find(index, 1)).toEqual({ offset: 2 ** 52 + 3, size: 99 });
  });

  it('grows by 1.5x at load 0.8 and stays within 25-38 bytes per id', () => {
    const index = new IdIndex();
    const perId: number[] = [];
    for (let id = 0; id < 200_000; id++) {
      index.set(id, id * 10, 10);
      if (id > 1000 && id % 997 === 0) perId.push(index.byteLength / index.count);
    }
    const misplaced: number[] = [];
    for (let id = 0; id < 200_000; id++) if (!index.lookup(id) || index.foundOffset !== id * 10) misplaced.push(id);
    expect(misplaced).toEqual([]);
    expect(Math.min(...perId)).toBeGreaterThanOrEqual(25);
    expect(Math.max(...perId)).toBeLessThanOrEqual(37.6);
    const presized = new IdIndex(1_000_000);
    expect(presized.byteLength / 1_000_000).toBeCloseTo(25, 1);
  });

  it('finds every remaining id after deletions shift runs back (no tombstones)', () => {
    // A small table with sequential and clustered ids forces long probe runs that wrap around the end.
    const index = new IdIndex(0);
    const live = new Map<number, number>();
    for (let id = 0; id < 12; id++) {
      index.set(id * 1_000_003, id, 1);
      live.set(id * 1_000_003, id);
    }
    for (const id of [0, 5 * 1_000_003, 11 * 1_000_003, 3 * 1_000_003]) {
      index.delete(id);
      live.delete(id);
      for (const [key, offset] of live) expect(find(index, key)?.offset).toBe(offset);
    }
    expect(index.count).toBe(live.size);
  });

  it('agrees with a Map under random sets and deletes', () => {
    const id = fc.oneof(
      fc.integer({ min: 0, max: 300 }),
      fc.constantFrom(MAX_SAFE, MAX_SAFE - 1, 2 ** 32, 2 ** 32 - 1),
      fc.bigInt({ min: 2n ** 53n, max: U64_MAX }),
    );
    const op = fc.tuple(fc.boolean(), id, fc.integer({ min: 0, max: 2 ** 40 }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const index = new IdIndex();
        const model = new Map<IndexKey, number>();
        for (const [isSet, key, offset] of ops) {
          if (isSet) {
            expect(index.set(key, offset, offset % 1000)).toBe(model.has(key) ? (model.get(key)! % 1000) : ABSENT);
            model.set(key, offset);
          } else {
            expect(index.delete(key)).toBe(model.has(key) ? model.get(key)! % 1000 : ABSENT);
            model.delete(key);
          }
        }
        expect(index.count).toBe(model.size);
        for (const [key, offset] of model) expect(find(index, key)).toEqual({ offset, size: offset % 1000 });
        expect(new Map(entries(index).map(([key, offset]) => [key, offset]))).toEqual(model);
      }),
      { numRuns: 300 },
    );
  });

  it('inserts snapshot entries in bulk, shifting offsets, and reports the first duplicate', () => {
    const ids: bigint[] = [0n, 5n, BigInt(MAX_SAFE), 2n ** 53n, U64_MAX, ...Array.from({ length: 5000 }, (_, i) => BigInt(1000 + i * 7))];
    const pairs = new Uint32Array(ids.length * 4);
    const view = new DataView(pairs.buffer);
    ids.forEach((id, i) => {
      view.setBigUint64(i * 16, id, true);
      view.setBigUint64(i * 16 + 8, BigInt(i * 100 + 9), true);
    });
    const index = new IdIndex();
    index.set(999_999_999, 1, 1);
    expect(index.insertMany(pairs, -9, UNKNOWN_SIZE)).toBe(-1);
    expect(index.count).toBe(ids.length + 1);
    ids.forEach((id, i) => {
      const key = id > BigInt(MAX_SAFE) ? id : Number(id);
      expect(find(index, key)).toEqual({ offset: i * 100, size: UNKNOWN_SIZE });
    });
    expect(find(index, 999_999_999)).toEqual({ offset: 1, size: 1 });

    const again = new IdIndex();
    const twice = new Uint32Array([...pairs.subarray(0, 12), ...pairs.subarray(4, 8)]);
    expect(again.insertMany(twice, 0, 1)).toBe(3);
    const bigTwice = new Uint32Array([...pairs.subarray(12, 20), ...pairs.subarray(16, 20)]);
    expect(new IdIndex().insertMany(bigTwice, 0, 1)).toBe(2);
  });

  it('relocates every entry', () => {
    const index = new IdIndex();
    for (let id = 0; id < 100; id++) index.set(id, id * 10, 5);
    index.set(2n ** 60n, 5000, 5);
    index.relocate((offset, size, to) => {
      to.offset = offset + 1;
      to.size = size + 1;
    });
    for (let id = 0; id < 100; id++) expect(find(index, id)).toEqual({ offset: id * 10 + 1, size: 6 });
    expect(find(index, 2n ** 60n)).toEqual({ offset: 5001, size: 6 });
  });
});
