import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SecondaryIndex, type RangeBounds } from './secondary-index.js';
import type { SortOrder } from './types.js';

function indexOf(field: string, docs: Record<string, unknown>): SecondaryIndex {
  const index = new SecondaryIndex(field);
  for (const [key, doc] of Object.entries(docs)) index.add(key, doc);
  return index;
}

const sorted = (keys: Iterable<string>): string[] => [...keys].sort();

const sample = {
  n1: { v: 1 },
  n1b: { v: 1 },
  n2: { v: 2.5 },
  nNeg: { v: -3 },
  sA: { v: 'Apple' },
  sa: { v: 'apple' },
  sB: { v: 'banana' },
  t: { v: true },
  f: { v: false },
  nul: { v: null },
  arr: { v: [1] },
  obj: { v: { x: 1 } },
  none: {},
  deep: { v: 7, w: { x: 'y' } },
};

describe('SecondaryIndex lookups', () => {
  const index = indexOf('v', sample);

  it('counts every document, whatever its value', () => {
    expect(index.size).toBe(Object.keys(sample).length);
  });

  it('finds keys by equality, case-sensitively', () => {
    expect(sorted(index.lookup(1))).toEqual(['n1', 'n1b']);
    expect(sorted(index.lookup('apple'))).toEqual(['sa']);
    expect(sorted(index.lookup(true))).toEqual(['t']);
    expect(sorted(index.lookup(null))).toEqual(['nul']);
    expect(sorted(index.lookup(42))).toEqual([]);
    expect(index.countLookup(1)).toBe(2);
    expect(index.countLookup('nope')).toBe(0);
  });

  it('answers array/object equality with the unindexable keys, for re-checking', () => {
    expect(sorted(index.lookup([1]))).toEqual(['arr', 'obj']);
    expect(index.countLookup({ x: 1 })).toBe(2);
  });

  it('finds $in members, strings case-insensitively', () => {
    expect(sorted(index.lookupIn(['APPLE', 2.5, false]))).toEqual(['f', 'n2', 'sA', 'sa']);
    expect(index.countLookupIn(['APPLE', 2.5, false])).toBe(4);
    expect(sorted(index.lookupIn([null, { x: 1 }]))).toEqual(['arr', 'nul', 'obj']);
    expect(sorted(index.lookupIn([]))).toEqual([]);
  });

  it('keeps the case-insensitive lookup current after changes', () => {
    const local = indexOf('v', { a: { v: 'Kiwi' } });
    expect(sorted(local.lookupIn(['kiwi']))).toEqual(['a']);
    local.add('b', { v: 'KIWI' });
    local.remove('a', { v: 'Kiwi' });
    expect(sorted(local.lookupIn(['kiwi']))).toEqual(['b']);
    local.remove('b', { v: 'KIWI' });
    expect(sorted(local.lookupIn(['kiwi']))).toEqual([]);
  });

  it('indexes dot paths', () => {
    const nested = indexOf('w.x', sample);
    expect(sorted(nested.lookup('y'))).toEqual(['deep']);
    expect(nested.size).toBe(Object.keys(sample).length);
  });
});

describe('SecondaryIndex ranges', () => {
  const index = indexOf('v', sample);
  const range = (bounds: RangeBounds): string[] => [...index.range(bounds)];

  it('returns numbers in ascending order, honouring inclusive and exclusive bounds', () => {
    expect(range({ gt: 1 })).toEqual(['n2', 'deep']);
    expect(sorted(range({ gte: 1, lt: 7 }))).toEqual(['n1', 'n1b', 'n2']);
    expect(range({ lte: -3 })).toEqual(['nNeg']);
    expect(range({ lt: -3 })).toEqual([]);
  });

  it('returns strings in code-unit order and never mixes domains', () => {
    expect(range({ gte: 'A' })).toEqual(['sA', 'sa', 'sB']);
    expect(range({ gt: 'Apple', lt: 'banana' })).toEqual(['sa']);
    expect(range({ gt: 0, lt: 'z' })).toEqual([]);
  });

  it('uses the tighter of two bounds on the same side', () => {
    expect(range({ gt: 1, gte: 1 })).toEqual(['n2', 'deep']);
    expect(sorted(range({ gt: 0, gte: 1 }))).toEqual(['deep', 'n1', 'n1b', 'n2']);
    expect(sorted(range({ lt: 7, lte: 7 }))).toEqual(['n1', 'n1b', 'n2', 'nNeg']);
  });

  it('estimates range sizes from distinct values', () => {
    expect(index.estimateRange({ gte: 1 })).toBe(4);
    expect(index.estimateRange({ gt: 100 })).toBe(0);
    expect(index.estimateRange({ gt: 1, lt: 'z' })).toBe(0);
  });
});

describe('SecondaryIndex ordered iteration', () => {
  const index = indexOf('v', sample);
  const groups = (order: SortOrder): string[][] => [...index.groups(order)].map((group) => sorted(group));

  it('walks ascending: numbers, strings, false, true, then the unordered group', () => {
    expect(groups('asc')).toEqual([
      ['nNeg'],
      ['n1', 'n1b'],
      ['n2'],
      ['deep'],
      ['sA'],
      ['sa'],
      ['sB'],
      ['f'],
      ['t'],
      ['arr', 'none', 'nul', 'obj'],
    ]);
  });

  it('walks descending with the unordered group still last', () => {
    expect(groups('desc')).toEqual([
      ['t'],
      ['f'],
      ['sB'],
      ['sa'],
      ['sA'],
      ['deep'],
      ['n2'],
      ['n1', 'n1b'],
      ['nNeg'],
      ['arr', 'none', 'nul', 'obj'],
    ]);
    expect([...index.keys('desc')]).toHaveLength(Object.keys(sample).length);
  });
});

describe('SecondaryIndex maintenance', () => {
  it('removes and updates keys, ignoring pairs it does not hold', () => {
    const index = indexOf('v', { a: { v: 1 }, b: { v: 1 }, c: { v: 'x' }, d: {} });
    index.remove('a', { v: 1 });
    index.remove('a', { v: 1 });
    index.remove('zz', { v: 1 });
    expect(sorted(index.lookup(1))).toEqual(['b']);
    index.update('b', { v: 1 }, { v: 'x' });
    index.update('d', {}, { v: [2] });
    index.update('c', { v: 'x' }, { v: 'x' });
    expect(sorted(index.lookup(1))).toEqual([]);
    expect(sorted(index.lookup('x'))).toEqual(['b', 'c']);
    expect(sorted(index.lookup([2]))).toEqual(['d']);
    expect([...index.range({ gte: 0 })]).toEqual([]);
    expect(index.size).toBe(3);
    index.add('c', { v: 'x' });
    expect(index.size).toBe(3);
  });

  it('stays ordered through thousands of interleaved inserts, deletes and reads (chunk splits)', () => {
    const index = new SecondaryIndex('v');
    const live = new Set<number>();
    let state = 12345;
    const random = (): number => (state = (state * 1103515245 + 12345) % 2147483648);
    for (let step = 0; step < 12_000; step++) {
      const value = random() % 6000;
      if (live.has(value)) {
        index.remove(`k${value}`, { v: value });
        live.delete(value);
      } else {
        index.add(`k${value}`, { v: value });
        live.add(value);
      }
      if (step % 97 === 0) {
        const low = random() % 6000;
        const expected = [...live].filter((v) => v > low && v <= low + 300).sort((a, b) => a - b);
        expect([...index.range({ gt: low, lte: low + 300 })]).toEqual(expected.map((v) => `k${v}`));
      }
    }
    const all = [...live].sort((a, b) => a - b).map((v) => `k${v}`);
    expect([...index.keys('asc')]).toEqual(all);
    expect([...index.keys('desc')]).toEqual(all.reverse());
  });

  it('matches a naive model under random add/remove/update sequences', () => {
    const value = fc.oneof(
      fc.integer({ min: -5, max: 5 }),
      fc.constantFrom('a', 'A', 'b', 'B', 'ab', ''),
      fc.boolean(),
      fc.constant(null),
      fc.constant([1]),
      fc.constant(undefined),
    );
    const op = fc.record({ key: fc.integer({ min: 0, max: 15 }).map((n) => `k${n}`), value });
    const probe = fc.oneof(fc.integer({ min: -6, max: 6 }), fc.constantFrom('a', 'B', 'ab', 'zz', ''));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), probe, probe, (ops, low, high) => {
        const index = new SecondaryIndex('v');
        const model = new Map<string, { v?: unknown }>();
        for (const { key, value: v } of ops) {
          const doc = v === undefined ? {} : { v };
          const old = model.get(key);
          if (old === undefined) index.add(key, doc);
          else index.update(key, old, doc);
          model.set(key, doc);
        }
        const keysWhere = (test: (v: unknown) => boolean): string[] =>
          sorted([...model].filter(([, doc]) => Object.hasOwn(doc, 'v') && test(doc.v)).map(([key]) => key));
        expect(index.size).toBe(model.size);
        expect(sorted(index.lookup(low))).toEqual(keysWhere((v) => v === low));
        const folded = (v: unknown): unknown => (typeof v === 'string' ? v.toLowerCase() : v);
        expect(sorted(index.lookupIn([low, high]))).toEqual(keysWhere((v) => folded(v) === folded(low) || folded(v) === folded(high)));
        const inRange = (v: unknown): boolean =>
          typeof v === typeof low && typeof v === typeof high && (v as number) >= (low as number) && (v as number) < (high as number);
        expect(sorted(index.range({ gte: low, lt: high }))).toEqual(keysWhere(inRange));
        const walked = [...index.keys('asc')];
        expect(sorted(walked)).toEqual(sorted(model.keys()));
      }),
    );
  });
});

describe('SecondaryIndex at scale', () => {
  it('bulk-builds over 100k documents and answers lookups and ordered walks', () => {
    const index = new SecondaryIndex('n');
    const count = 100_000;
    for (let i = 0; i < count; i++) index.add(`k${i}`, { n: count - 1 - i });
    expect(index.size).toBe(count);
    expect([...index.lookup(count - 1)]).toEqual(['k0']);
    const firstThree: string[] = [];
    for (const key of index.keys('asc')) {
      firstThree.push(key);
      if (firstThree.length === 3) break;
    }
    expect(firstThree).toEqual([`k${count - 1}`, `k${count - 2}`, `k${count - 3}`]);
    expect([...index.range({ gte: 10, lt: 13 })]).toEqual([`k${count - 11}`, `k${count - 12}`, `k${count - 13}`]);
  });
});

describe('SecondaryIndex walks within bounds, ties in sort order', () => {
  // Three values, with ties; `_seq` decides within a value (newest first), then the key.
  const index = indexOf('v', {
    a: { v: 1, _seq: 4 },
    b: { v: 1, _seq: 9 },
    c: { v: 2, _seq: 1 },
    d: { v: 3, _seq: 2 },
    e: { v: 3, _seq: 7 },
    f: { v: 3, _seq: 7 },
    g: { v: 'x', _seq: 3 },
    h: { _seq: 5 },
  });
  const walk = (order: SortOrder, bounds?: RangeBounds): [string[], boolean][] =>
    [...index.orderedGroups(order, bounds)].map((group) => [[...group.keys], group.tieOrdered]);

  it('starts and ends at the bounds in both directions, leaving out other types and the unordered group', () => {
    expect(walk('asc', { gt: 1, lte: 3 })).toEqual([
      [['c'], true],
      [['e', 'f', 'd'], true],
    ]);
    expect(walk('desc', { gte: 1, lt: 3 })).toEqual([
      [['c'], true],
      [['b', 'a'], true],
    ]);
    expect(walk('desc', { gte: 'a' })).toEqual([[['g'], true]]);
    expect(walk('asc', { gt: 3 })).toEqual([]);
    expect(walk('asc', { gt: 1, lt: 'z' })).toEqual([]);
  });

  it('walks everything without bounds, the unordered group last and marked as not in tie order, or none marked on request', () => {
    expect([...index.orderedGroups('asc', { gte: 1 }, false)].map((group) => [sorted(group.keys), group.tieOrdered])).toEqual([
      [['a', 'b'], false],
      [['c'], false],
      [['d', 'e', 'f'], false],
    ]);
    expect(walk('desc')).toEqual([
      [['g'], true],
      [['e', 'f', 'd'], true],
      [['c'], true],
      [['b', 'a'], true],
      [['h'], false],
    ]);
  });

  it('follows a changed _seq on update, and gives equality matches in _seq order', () => {
    index.update('a', { v: 1, _seq: 4 }, { v: 1, _seq: 12 });
    expect([...(index.lookupBySeq(1, 'desc') ?? [])]).toEqual(['a', 'b']);
    expect([...(index.lookupBySeq(1, 'asc') ?? [])]).toEqual(['b', 'a']);
    expect(index.lookupBySeq([1], 'asc')).toBeUndefined();
  });
});
