import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ROW_MISSING, ROW_SKIP, ROW_UNINDEXABLE, type RowValue } from './index-rows.js';
import { SecondaryIndex } from './secondary-index.js';

/** A scalar the field holds, or a document without the field / with an array there. */
type Field = RowValue | { readonly special: 'missing' | 'array' };
interface Row {
  readonly key: string;
  readonly seq: number;
  readonly field: Field;
  readonly deleted: boolean;
}

// Few values and few `_seq`s, so groups are large and `_seq` ties common (the bulk path must sort those).
const fieldArb: fc.Arbitrary<Field> = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom('a', 'B', 'b', 'ä'),
  fc.boolean(),
  fc.constant(null),
  fc.constant({ special: 'missing' as const }),
  fc.constant({ special: 'array' as const }),
);
const rowsArb = fc
  .array(fc.record({ seq: fc.integer({ min: 0, max: 6 }), field: fieldArb, deleted: fc.integer({ min: 0, max: 9 }).map((n) => n === 0) }), { maxLength: 60 })
  .map((rows) => rows.map((row, i): Row => ({ ...row, key: `k${String((i * 37) % 101)}-${String(i)}` })));
const changesArb = fc.array(fc.record({ row: fc.nat(), seq: fc.integer({ min: 0, max: 8 }), field: fieldArb, remove: fc.boolean() }), { maxLength: 20 });

function docOf(key: string, seq: number, field: Field): Record<string, unknown> {
  if (field === null || typeof field !== 'object') return { _key: key, _seq: seq, v: field };
  return field.special === 'missing' ? { _key: key, _seq: seq } : { _key: key, _seq: seq, v: [1] };
}

function bySingleAdds(rows: readonly Row[]): SecondaryIndex {
  const index = new SecondaryIndex('v');
  for (const row of rows) if (!row.deleted) index.add(row.key, docOf(row.key, row.seq, row.field));
  return index;
}

function byBulkLoad(rows: readonly Row[]): SecondaryIndex {
  const values: RowValue[] = [];
  const refs = new Uint32Array(rows.length);
  rows.forEach((row, i) => {
    const { field } = row;
    if (row.deleted) refs[i] = ROW_SKIP;
    else if (field !== null && typeof field === 'object') refs[i] = field.special === 'missing' ? ROW_MISSING : ROW_UNINDEXABLE;
    else refs[i] = values.includes(field) ? values.indexOf(field) : values.push(field) - 1;
  });
  const index = new SecondaryIndex('v');
  index.loadRows({ values, refs, seqs: Float64Array.from(rows, (row) => row.seq), key: (row) => (rows[row] as Row).key });
  return index;
}

const sorted = (keys: Iterable<string>): string[] => [...keys].sort();

/** Everything a query can read from the index: orders where the index promises one, sets where it does not. */
function observe(index: SecondaryIndex): unknown {
  const probes: RowValue[] = [-3, 0, 3, 'a', 'B', 'b', 'ä', true, false, null, 42];
  return {
    size: index.size,
    lookups: probes.map((value) => [sorted(index.lookup(value)), index.countLookup(value), [...(index.lookupBySeq(value, 'asc') ?? [])], [...(index.lookupBySeq(value, 'desc') ?? [])]]),
    arrays: sorted(index.lookup([1])),
    lookupIn: [sorted(index.lookupIn(['A', 0, null])), index.countLookupIn(['A', 0, null])],
    groups: (['asc', 'desc'] as const).map((order) => [...index.orderedGroups(order)].map(({ keys, tieOrdered }) => (tieOrdered ? [...keys] : sorted(keys)))),
    ranges: [
      [...index.range({ gte: -1, lt: 3 })],
      index.estimateRange({ gte: -1, lt: 3 }),
      [...index.range({ gt: 'B' })],
      [...index.orderedGroups('desc', { lte: 'b' })].map(({ keys }) => [...keys]),
    ],
  };
}

describe('a bulk-built index', { timeout: 30_000 }, () => {
  it('equals one built by single adds, before and after further adds and removes', () => {
    fc.assert(
      fc.property(rowsArb, changesArb, (rows, changes) => {
        const single = bySingleAdds(rows);
        const bulk = byBulkLoad(rows);
        // Written to before any read, so the writes meet values whose keys are still undecoded rows.
        const unread = byBulkLoad(rows);
        expect(observe(bulk)).toEqual(observe(single));
        // Maintenance after the load: the same writes leave both indexes equal.
        const live = new Map(rows.filter((row) => !row.deleted).map((row) => [row.key, docOf(row.key, row.seq, row.field)]));
        for (const change of changes) {
          const key = rows.length === 0 ? `new-${String(change.row)}` : (rows[change.row % rows.length] as Row).key;
          const old = live.get(key);
          const next = docOf(key, change.seq, change.field);
          for (const index of [single, bulk, unread]) {
            if (change.remove) {
              if (old !== undefined) index.remove(key, old);
            } else if (old === undefined) index.add(key, next);
            else index.update(key, old, next);
          }
          if (change.remove) live.delete(key);
          else live.set(key, next);
        }
        const expected = observe(single);
        expect(observe(bulk)).toEqual(expected);
        expect(observe(unread)).toEqual(expected);
      }),
      { seed: 13_007, numRuns: 300 },
    );
  });

  it('refuses a non-empty index and a row referring past its values', () => {
    const index = new SecondaryIndex('v');
    index.add('a', { v: 1 });
    const rows = { values: [1], refs: Uint32Array.of(0), seqs: Float64Array.of(1), key: () => 'b' };
    expect(() => {
      index.loadRows(rows);
    }).toThrow(/must be empty/);
    expect(() => {
      new SecondaryIndex('v').loadRows({ ...rows, refs: Uint32Array.of(5) });
    }).toThrow(/refers to value 5 of 1/);
  });
});
