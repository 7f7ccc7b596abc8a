import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseQuery } from './parse-query.js';
import { compileSort, selectTop, TopN } from './sort.js';
import type { SortSpec, StoredDoc } from './types.js';

let nextSeq = 1;
function doc(fields: Record<string, unknown>, seq = nextSeq++): StoredDoc {
  return { _key: `k${seq}`, _v: 1, _seq: seq, _createdAt: 0, _modifiedAt: 0, ...fields };
}

function specs(sort: unknown): readonly SortSpec[] {
  return parseQuery({ sort }).sort;
}

function order(docs: StoredDoc[], sort: unknown, field = 'v'): unknown[] {
  return [...docs].sort(compileSort(specs(sort))).map((d) => (Object.hasOwn(d, field) ? d[field] : '<missing>'));
}

describe('compileSort', () => {
  const mixed = [
    doc({ v: 'b' }),
    doc({ v: 10 }),
    doc({}),
    doc({ v: true }),
    doc({ v: null }),
    doc({ v: 'B' }),
    doc({ v: 9 }),
    doc({ v: false }),
    doc({ v: -1.5 }),
    doc({ v: [1] }),
    doc({ v: { a: 1 } }),
  ];

  it('orders numbers numerically, then strings by code unit, then booleans; unordered values last', () => {
    // The unordered tail (null, array, object, missing) ties on v, so newest (_seq highest) comes first.
    expect(order(mixed, [{ field: 'v', order: 'asc' }])).toEqual([-1.5, 9, 10, 'B', 'b', false, true, { a: 1 }, [1], null, '<missing>']);
  });

  it('reverses ordered values for desc but keeps unordered values last', () => {
    expect(order(mixed, [{ field: 'v', order: 'desc' }])).toEqual([true, false, 'b', 'B', 10, 9, -1.5, { a: 1 }, [1], null, '<missing>']);
  });

  it('applies specs in priority order', () => {
    const docs = [doc({ v: 'x', w: 2 }), doc({ v: 'y', w: 1 }), doc({ v: 'x', w: 1 }), doc({ v: 'y' }), doc({ v: 'x', w: 3 })];
    const sort = [
      { field: 'v', order: 'desc' },
      { field: 'w', order: 'asc' },
    ];
    expect([...docs].sort(compileSort(specs(sort))).map((d) => [d.v, d.w])).toEqual([
      ['y', 1],
      ['y', undefined],
      ['x', 1],
      ['x', 2],
      ['x', 3],
    ]);
  });

  it('breaks ties by _seq descending (newest first), then by _key', () => {
    const docs = [doc({ v: 1 }, 5), doc({ v: 1 }, 7), doc({ v: 1 }, 6)];
    expect([...docs].sort(compileSort(specs([{ field: 'v', order: 'asc' }]))).map((d) => d._seq)).toEqual([7, 6, 5]);
    const sameSeq = [{ ...doc({}, 3), _key: 'b' }, { ...doc({}, 3), _key: 'a' }];
    expect([...sameSeq].sort(compileSort([])).map((d) => d._key)).toEqual(['a', 'b']);
  });

  it('sorts on nested paths', () => {
    const docs = [doc({ s: { p: 3 } }), doc({ s: { p: 1 } }), doc({ s: 5 }), doc({ s: { p: 2 } })];
    expect([...docs].sort(compileSort(specs([{ field: 's.p', order: 'asc' }]))).map((d) => d.s)).toEqual([{ p: 1 }, { p: 2 }, { p: 3 }, 5]);
  });
});

describe('TopN / selectTop', () => {
  it('keeps the best `limit` items in order, equal to sorting everything', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 })), fc.integer({ min: 1, max: 30 }), (values, limit) => {
        const compare = (a: number, b: number): number => a - b;
        expect(selectTop(values, limit, compare)).toEqual([...values].sort(compare).slice(0, limit));
      }),
    );
  });

  it('reports its size and never exceeds the limit', () => {
    const top = new TopN(3, (a: number, b: number) => b - a);
    for (const value of [5, 1, 9, 7, 3, 8]) top.push(value);
    expect(top.size).toBe(3);
    expect(top.sorted()).toEqual([9, 8, 7]);
  });
});
