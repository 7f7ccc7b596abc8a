import { Database } from '@kilndb/doc-engine';
import { docKey, type PeerDoc } from './docs.js';
import { COLLECTION, INDEXED_FIELDS, MEMORY_PRELUDE, type DocPeer, type DocStore } from './store.js';

/** KilnDB through @kilndb/doc-engine's public API, default options (durability 'fsync'). */
export const kilnPeer: DocPeer = {
  name: 'KilnDB',
  async open(dir, indexed): Promise<DocStore> {
    const db = await Database.open(dir);
    const docs = db.collection<PeerDoc>(COLLECTION);
    if (indexed) for (const field of INDEXED_FIELDS) if (!docs.indexes().includes(field)) await docs.createIndex(field);
    return {
      put: (key, doc) => docs.set(key, doc),
      insertBatch: async (batch) => {
        // Documents carrying their keys: one atomic, durable transaction. (Not a map of key to document:
        // Object.fromEntries of 1,000 keys cost the harness 0.4–3 µs per document, more than the insert's parse.)
        await docs.insert(batch.map(([key, doc]) => ({ _key: key, ...doc })));
      },
      settle: async () => {
        await db.compact();
      },
      get: (key) => docs.get(key),
      cityEquals: (city, count) => docs.find({ where: { city }, count }),
      ageRangeByAge: (low, high, offset, count) =>
        docs.find({ where: { age: { $gte: low, $lte: high } }, sort: [{ field: 'age', order: 'asc' }], offset, count }),
      ageRangeByScore: (low, high, count) =>
        docs.find({ where: { age: { $gte: low, $lte: high } }, sort: [{ field: 'score', order: 'desc' }], count }),
      close: () => db.close(),
    };
  },
  coldOpenScript(dir, count) {
    const url = import.meta.resolve('@kilndb/doc-engine');
    return `
      ${MEMORY_PRELUDE}
      const { Database } = await import(${JSON.stringify(url)});
      const before = usage();
      const start = process.hrtime.bigint();
      const db = await Database.open(${JSON.stringify(dir)}, { readOnly: true });
      const docs = db.collection(${JSON.stringify(COLLECTION)});
      if (docs.get(${JSON.stringify(docKey(count - 1))}) === undefined) throw new Error('last document missing');
      const firstReadMs = elapsed(start);
      if (docs.find({ where: { city: 'city-07' }, count: 10 }).length === 0) throw new Error('no city-07 documents');
      const firstQueryMs = elapsed(start);
      const found = docs.count();
      if (found !== ${String(count)}) throw new Error('expected ${String(count)} documents, found ' + found);
      for (const key of docs.keys()) docs.get(key);
      // Every index in use, as in a database that has served each kind of query: indexes are built on first use.
      docs.find({ where: { age: { $gte: 30, $lte: 31 } }, sort: [{ field: 'age' }], count: 1 });
      docs.find({ where: { score: { $gte: 0 } }, sort: [{ field: 'score', order: 'desc' }], count: 1 });
      const memoryBytes = usage() - before;
      process.stdout.write(JSON.stringify({ firstReadMs, firstQueryMs, memoryBytes }));
      await db.close();
    `;
  },
};
