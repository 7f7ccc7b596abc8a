import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Database } from './database.js';
import { internalsOf } from './internals.js';
import { parseQuery } from './query/parse-query.js';
import { findBodyArbitrary, INDEXED_PATHS, itemsArbitrary, NOW, othersArbitrary, rangeSortBodyArbitrary } from './query/test-support/arbitraries.js';
import { referenceFind } from './query/test-support/reference.js';
import type { StoredDoc } from './query/types.js';
import { SYSTEM_FIELDS } from './state/documents.js';
import { tempDir } from './test-support/temp-dir.js';

// Each run opens, reopens and compacts a real database, so runs are few; the pure executor has its own 400-run properties.
const RUNS = 60;
/** Writes happen before NOW, so the generated expiries (NOW - 1, NOW, NOW + 1) are judged at read time. */
const WRITE_TIME = NOW - 5_000;

function userFields(doc: StoredDoc): Record<string, unknown> {
  return Object.fromEntries(Object.entries(doc).filter(([name]) => !SYSTEM_FIELDS.has(name)));
}

async function write(db: Database, name: string, docs: readonly StoredDoc[]): Promise<void> {
  const collection = db.collection(name);
  for (const doc of docs) {
    await collection.set(doc._key, userFields(doc), doc._expiresAt === undefined ? {} : { expiresAt: doc._expiresAt });
  }
}

/** The documents as the engine stores them (what the reference evaluates). */
function stored(db: Database, name: string): StoredDoc[] {
  const state = internalsOf(db).state.collections.get(name);
  return [...(state?.docs.keys() ?? [])].map((key) => state?.get(key) as StoredDoc);
}

function checkQueries(db: Database, bodies: readonly Record<string, unknown>[]): void {
  const data = { items: stored(db, 'items'), others: stored(db, 'others') };
  for (const body of bodies) {
    expect(db.collection('items').find(body)).toStrictEqual(referenceFind(data, 'items', parseQuery(body), NOW));
  }
}

describe('Collection.find through a real database agrees with the naive reference', () => {
  it('with and without indexes, after rewrites and deletes, across reopen and compaction', async () => {
    await fc.assert(
      fc.asyncProperty(
        itemsArbitrary,
        itemsArbitrary,
        othersArbitrary,
        // Random bodies, and ranges sorted by the ranged field or another (the index walks and top-N heaps).
        fc.array(fc.oneof(findBodyArbitrary, rangeSortBodyArbitrary), { minLength: 1, maxLength: 4 }),
        fc.subarray(INDEXED_PATHS),
        fc.boolean(),
        async (before, after, others, bodies, indexed, indexFirst) => {
          const dir = tempDir('query-prop');
          let time = WRITE_TIME;
          const clock = (): number => time;
          let db = await Database.open(dir, { durability: 'none', clock });
          const items = db.collection('items');
          if (indexFirst) for (const field of indexed) await items.createIndex(field);
          await write(db, 'others', others);
          await write(db, 'items', before);
          if (!indexFirst) for (const field of indexed) await items.createIndex(field);
          // Rewrite: documents of `after` replace those of `before`; keys only in `before` are deleted.
          const afterKeys = new Set(after.map((doc) => doc._key));
          await items.deleteMany(before.filter((doc) => !afterKeys.has(doc._key)).map((doc) => doc._key));
          await write(db, 'items', after);
          expect(stored(db, 'items').map((doc) => doc._key).sort()).toEqual([...afterKeys].sort());
          time = NOW;
          checkQueries(db, bodies);

          await db.close();
          db = await Database.open(dir, { durability: 'none', clock });
          expect(db.collection('items').indexes().sort()).toEqual([...indexed].sort());
          checkQueries(db, bodies);
          await db.compact();
          await db.close();
          db = await Database.open(dir, { durability: 'none', clock });
          expect(db.collection('items').indexes().sort()).toEqual([...indexed].sort());
          checkQueries(db, bodies);
          await db.close();
        },
      ),
      { numRuns: RUNS },
    );
  }, 120_000);
});
