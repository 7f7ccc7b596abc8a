import { describe, expect, it } from 'vitest';
import { applyChange } from './stats-change.js';

const stats = { collections: { laptops: { count: 6 }, memory: { count: 5 } }, total: 11 };
const change = (collection: string, key: string, new_v: number | null) => ({ event: 'change' as const, collection, key, new_v });

describe('applyChange', () => {
  it('counts a new document (version 1) and a new collection', () => {
    expect(applyChange(stats, change('laptops', 'lp7', 1))).toEqual({ collections: { laptops: { count: 7 }, memory: { count: 5 } }, total: 12 });
    expect(applyChange(stats, change('stores', 's1', 1)).collections.stores).toEqual({ count: 1 });
  });

  it('leaves the count alone for an overwrite', () => {
    expect(applyChange(stats, change('laptops', 'lp1', 4))).toEqual(stats);
  });

  it('subtracts a delete and removes a dropped collection', () => {
    expect(applyChange(stats, change('memory', 'mem1', null))).toEqual({ collections: { laptops: { count: 6 }, memory: { count: 4 } }, total: 10 });
    expect(applyChange(stats, change('laptops', '*', null))).toEqual({ collections: { memory: { count: 5 } }, total: 5 });
  });
});
