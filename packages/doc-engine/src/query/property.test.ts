import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { executeFind, planFind, selectForDelete } from './execute.js';
import { parseQuery, parseWhere } from './parse-query.js';
import { SecondaryIndex } from './secondary-index.js';
import {
  findBodyArbitrary,
  INDEXED_PATHS,
  indexFilterBodyArbitrary,
  itemsArbitrary,
  itemsSharingSeqsArbitrary,
  keysBodyArbitrary,
  NOW,
  othersArbitrary,
  rangeSortBodyArbitrary,
} from './test-support/arbitraries.js';
import { MemorySource } from './test-support/memory-source.js';
import { referenceFind, referenceMatches } from './test-support/reference.js';
import type { StoredDoc } from './types.js';

// 400 generated cases a property take about a second on a quiet machine; the describes allow 30 s for a loaded one.
const RUNS = 400;

function indexedSource(items: StoredDoc[], others: StoredDoc[], paths: readonly string[] = INDEXED_PATHS): MemorySource {
  const source = new MemorySource({ items, others });
  for (const path of paths) source.addIndex('items', path);
  return source;
}

/** Some of the indexes: without the `_seq` or sort-field index the planner picks filter indexes instead of order walks. */
const someIndexes = fc.subarray(INDEXED_PATHS);

describe('executeFind agrees with the naive reference', { timeout: 30_000 }, () => {
  it('for random find queries, with no, all and some indexes', () => {
    fc.assert(
      fc.property(itemsArbitrary, othersArbitrary, findBodyArbitrary, someIndexes, (items, others, body, paths) => {
        const query = parseQuery(body);
        const expected = referenceFind({ items, others }, 'items', query, NOW);
        expect(executeFind(new MemorySource({ items, others }), 'items', query, NOW)).toStrictEqual(expected);
        expect(executeFind(indexedSource(items, others), 'items', query, NOW)).toStrictEqual(expected);
        expect(executeFind(indexedSource(items, others, paths), 'items', query, NOW)).toStrictEqual(expected);
      }),
      { numRuns: RUNS },
    );
  });

  it('for queries answered through filter indexes', () => {
    const filterIndexes = INDEXED_PATHS.filter((path) => path !== '_seq');
    fc.assert(
      fc.property(itemsArbitrary, indexFilterBodyArbitrary, (items, body) => {
        const query = parseQuery(body);
        const source = indexedSource(items, [], filterIndexes);
        expect(planFind(source, 'items', query).kind).toBe('index-lookup');
        expect(executeFind(source, 'items', query, NOW)).toStrictEqual(referenceFind({ items }, 'items', query, NOW));
      }),
      { numRuns: RUNS },
    );
  });

  it('for random key lookups', () => {
    fc.assert(
      fc.property(itemsArbitrary, othersArbitrary, keysBodyArbitrary, (items, others, body) => {
        const query = parseQuery(body);
        const expected = referenceFind({ items, others }, 'items', query, NOW);
        expect(executeFind(indexedSource(items, others), 'items', query, NOW)).toStrictEqual(expected);
      }),
      { numRuns: RUNS },
    );
  });

  it('with indexes maintained through inserts, updates and deletes', () => {
    fc.assert(
      fc.property(itemsArbitrary, itemsArbitrary, othersArbitrary, findBodyArbitrary, someIndexes, (before, after, others, body, paths) => {
        const source = maintainedSource(before, after, paths, others);
        const query = parseQuery(body);
        expect(executeFind(source, 'items', query, NOW)).toStrictEqual(referenceFind({ items: after, others }, 'items', query, NOW));
      }),
      { numRuns: RUNS },
    );
  });

  it('for delete selections', () => {
    fc.assert(
      fc.property(
        itemsArbitrary,
        findBodyArbitrary,
        fc.integer({ min: 1, max: 10 }),
        fc.constantFrom<'asc' | 'desc'>('asc', 'desc'),
        someIndexes,
        (items, body, count, order, paths) => {
          const where = parseWhere(body.where ?? {});
          const expected = items
            .filter((doc) => (doc._expiresAt === undefined || doc._expiresAt > NOW) && referenceMatches(doc, where))
            .sort((a, b) => (order === 'asc' ? a._seq - b._seq : b._seq - a._seq))
            .slice(0, count)
            .map((doc) => doc._key);
          const options = { count, order, now: NOW };
          expect(selectForDelete(new MemorySource({ items }), 'items', where, options)).toEqual(expected);
          expect(selectForDelete(indexedSource(items, [], paths), 'items', where, options)).toEqual(expected);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

/** Collections with unique `_seq` values (as the engine makes them) or shared ones (ties then reach `_key`). */
const anyItems = fc.oneof(itemsArbitrary, itemsSharingSeqsArbitrary);

/** Indexes `paths` over `before`, then turns it into `after` through removes, updates and adds. */
function maintainedSource(before: readonly StoredDoc[], after: StoredDoc[], paths: readonly string[], others: readonly StoredDoc[] = []): MemorySource {
  const source = new MemorySource({ items: after, others });
  const afterByKey = new Map(after.map((doc) => [doc._key, doc]));
  const beforeKeys = new Set(before.map((doc) => doc._key));
  for (const path of paths) {
    const index = new SecondaryIndex(path);
    for (const doc of before) index.add(doc._key, doc);
    for (const doc of before) {
      const next = afterByKey.get(doc._key);
      if (next === undefined) index.remove(doc._key, doc);
      else index.update(doc._key, doc, next);
    }
    for (const doc of after) if (!beforeKeys.has(doc._key)) index.add(doc._key, doc);
    source.attachIndex('items', index);
  }
  return source;
}

describe('ranges sorted through an index agree with the naive reference', { timeout: 30_000 }, () => {
  it('sorted by the ranged field or another, asc and desc, with offsets, ties, missing fields, mixed types and expired documents', () => {
    let boundedWalks = 0;
    fc.assert(
      fc.property(anyItems, rangeSortBodyArbitrary, someIndexes, (items, body, paths) => {
        const query = parseQuery(body);
        const expected = referenceFind({ items }, 'items', query, NOW);
        expect(executeFind(new MemorySource({ items }), 'items', query, NOW)).toStrictEqual(expected);
        expect(executeFind(indexedSource(items, [], paths), 'items', query, NOW)).toStrictEqual(expected);
        // With only the sort field indexed, the bounded walk is the plan whenever the field can be indexed.
        const sortField = query.sort[0]?.field.path as string;
        const walkOnly = indexedSource(items, [], [sortField]);
        const plan = planFind(walkOnly, 'items', query);
        if (plan.kind === 'index-order' && plan.bounds !== undefined) boundedWalks++;
        expect(executeFind(walkOnly, 'items', query, NOW)).toStrictEqual(expected);
      }),
      { numRuns: RUNS },
    );
    // Most bodies sort by the ranged field: the bounded walk must have answered a good share of them.
    expect(boundedWalks).toBeGreaterThan(RUNS / 4);
  });

  it('with the indexes maintained through deletes and updates between the writes and the query', () => {
    fc.assert(
      fc.property(anyItems, anyItems, rangeSortBodyArbitrary, someIndexes, (before, after, body, paths) => {
        const query = parseQuery(body);
        const source = maintainedSource(before, after, [...paths, query.sort[0]?.field.path as string]);
        expect(executeFind(source, 'items', query, NOW)).toStrictEqual(referenceFind({ items: after }, 'items', query, NOW));
      }),
      { numRuns: RUNS },
    );
  });

  it('for equality lookups read in `_seq` order, with `_seq` values shared by several documents', () => {
    // Two values of `n` over many documents, so matches share `_seq` values and their order falls to `_key`.
    const items = itemsSharingSeqsArbitrary.map((docs) => docs.map((doc) => ({ ...doc, n: Number(doc._key.slice(1)) % 2 })));
    const body = fc.record({
      where: fc.record({ n: fc.constantFrom(0, 1) }),
      order: fc.constantFrom('asc', 'desc'),
      count: fc.integer({ min: 1, max: 12 }),
      offset: fc.integer({ min: 0, max: 4 }),
    });
    fc.assert(
      fc.property(items, body, someIndexes, (docs, input, paths) => {
        const query = parseQuery(input);
        const source = indexedSource(docs, [], [...paths.filter((path) => path !== '_seq'), 'n']);
        expect(planFind(source, 'items', query).kind).toBe('index-lookup');
        expect(executeFind(source, 'items', query, NOW)).toStrictEqual(referenceFind({ items: docs }, 'items', query, NOW));
      }),
      { numRuns: RUNS },
    );
  });
});
