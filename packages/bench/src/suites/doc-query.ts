import { createRequire } from 'node:module';
import * as path from 'node:path';
import { Database, type Collection, type QueryInput } from '@kilndb/doc-engine';
import { markdownTable, tempDir, type Cell, type Suite } from '../harness.js';

// NeDB is CommonJS whose typings declare an ES default export; require gives the class itself.
const require = createRequire(import.meta.url);
const Nedb = require('@seald-io/nedb') as typeof import('@seald-io/nedb').default;
type NedbStore = InstanceType<typeof Nedb>;

// A type alias, not an interface: documents must be assignable to Record<string, unknown>.
type Doc = { name: string; age: number; city: string };

function key(i: number): string {
  return `k${String(i).padStart(8, '0')}`;
}

function makeDoc(i: number): Doc {
  return { name: `user-${i}`, age: i % 90, city: `city-${i % 1000}` };
}

/** One query, as KilnDB's `find` body and as the equivalent NeDB cursor. */
interface Scenario {
  readonly name: string;
  readonly kiln: (users: Collection) => unknown;
  readonly nedb: (db: NedbStore) => Promise<unknown>;
}

function scenarios(count: number): Scenario[] {
  const pick = (i: number): number => Math.floor((i * 7919) % count);
  const keys = Array.from({ length: 100 }, (_, i) => key(pick(i + 1)));
  const names = Array.from({ length: 10 }, (_, i) => `user-${pick(i + 3)}`);
  const deep = Math.floor(count / 2);
  const find = (body: QueryInput) => (users: Collection) => users.find(body);
  return [
    { name: 'point get', kiln: (users) => users.get(key(pick(5))), nedb: (db) => db.findOneAsync({ _id: key(pick(5)) }) },
    { name: '100 keys', kiln: find({ keys }), nedb: (db) => db.findAsync({ _id: { $in: keys } }) },
    { name: 'where name = (1 match)', kiln: find({ where: { name: names[0] } }), nedb: (db) => db.findAsync({ name: names[0] }).limit(100) },
    {
      name: 'where city = (0.1%), count 100',
      kiln: find({ where: { city: 'city-7' } }),
      nedb: (db) => db.findAsync({ city: 'city-7' }).sort({ _seq: -1 }).limit(100),
    },
    {
      name: 'where age range (2.2%), count 100',
      kiln: find({ where: { age: { $gte: 40, $lt: 42 } } }),
      nedb: (db) => db.findAsync({ age: { $gte: 40, $lt: 42 } }).limit(100),
    },
    { name: 'where name $in (10 values)', kiln: find({ where: { name: { $in: names } } }), nedb: (db) => db.findAsync({ name: { $in: names } }) },
    {
      name: 'where $or of 2 names',
      kiln: find({ where: { $or: [{ name: names[1] }, { name: names[2] }] } }),
      nedb: (db) => db.findAsync({ $or: [{ name: names[1] }, { name: names[2] }] }),
    },
    {
      name: 'sort age desc, top 10',
      kiln: find({ sort: [{ field: 'age', order: 'desc' }], count: 10 }),
      nedb: (db) => db.findAsync({}).sort({ age: -1 }).limit(10),
    },
    {
      name: `offset ${deep.toLocaleString('en-US')}, count 10 (insertion order)`,
      kiln: find({ order: 'asc', offset: deep, count: 10 }),
      nedb: (db) => db.findAsync({}).sort({ _seq: 1 }).skip(deep).limit(10),
    },
  ];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Median ms of `fn` over repeats: more repeats for fast queries, few for full scans. */
async function medianMs(fn: () => unknown): Promise<number> {
  const times: number[] = [];
  let total = 0;
  while (times.length < 5 || (times.length < 101 && total < 1000)) {
    const start = process.hrtime.bigint();
    await fn();
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    times.push(ms);
    total += ms;
  }
  return median(times);
}

function heapMiB(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

export const docQuerySuite: Suite = {
  name: 'doc-query',
  description: 'Collection.find (point get, keys, where =/range/$in/$or, sort top-N, deep offset) with and without secondary indexes, side by side with NeDB',
  async run({ quick }) {
    const count = quick ? 50_000 : 1_000_000;
    // NeDB's unindexed queries scan and its cursor sorts the whole match set; a full million makes one run take minutes.
    const nedbCount = quick ? 50_000 : 200_000;
    const kilnDir = tempDir('doc-query');
    const nedbDir = tempDir('doc-query-nedb');
    try {
      const db = await Database.open(kilnDir.dir, { durability: 'none', compactThresholdBytes: Infinity });
      const users = db.collection('users');
      for (let at = 0; at < count; at += 10_000) {
        const batch: Record<string, Doc> = {};
        for (let i = at; i < Math.min(count, at + 10_000); i++) batch[key(i)] = makeDoc(i);
        await users.insert(batch);
      }
      const nedb = new Nedb({ filename: path.join(nedbDir.dir, 'users.db') });
      await nedb.loadDatabaseAsync();
      for (let at = 0; at < nedbCount; at += 10_000) {
        const batch = [];
        for (let i = at; i < Math.min(nedbCount, at + 10_000); i++) batch.push({ _id: key(i), _seq: i, ...makeDoc(i) });
        await nedb.insertAsync(batch);
      }

      const kilnList = scenarios(count);
      const nedbList = scenarios(nedbCount);
      const plain: number[][] = [];
      for (let i = 0; i < kilnList.length; i++) {
        const kiln = kilnList[i] as Scenario;
        plain.push([await medianMs(() => kiln.kiln(users)), await medianMs(() => (nedbList[i] as Scenario).nedb(nedb))]);
      }

      const before = heapMiB();
      await users.createIndex('_seq');
      const seqIndexMiB = heapMiB() - before;
      const buildMs: Record<string, number> = {};
      for (const field of ['name', 'age', 'city']) {
        const start = process.hrtime.bigint();
        await users.createIndex(field);
        buildMs[field] = Number(process.hrtime.bigint() - start) / 1e6;
      }
      for (const field of ['name', 'age', 'city', '_seq']) await nedb.ensureIndexAsync({ fieldName: field });

      const rows: Cell[][] = [];
      for (let i = 0; i < kilnList.length; i++) {
        const kiln = kilnList[i] as Scenario;
        const [kilnPlain, nedbPlain] = plain[i] as [number, number];
        rows.push([kiln.name, kilnPlain, await medianMs(() => kiln.kiln(users)), nedbPlain, await medianMs(() => (nedbList[i] as Scenario).nedb(nedb))]);
      }
      const fmt = (ms: number): string => (ms < 1 ? ms.toFixed(3) : ms < 100 ? ms.toFixed(1) : Math.round(ms).toLocaleString('en-US'));
      console.log(
        `### Median query latency (ms): KilnDB on ${count.toLocaleString('en-US')} documents, NeDB on ${nedbCount.toLocaleString('en-US')}` +
          `${nedbCount < count ? ' (fewer: its unindexed queries scan and sort the whole set)' : ''}\n`,
      );
      console.log(
        markdownTable(
          ['query', 'KilnDB, no index', 'KilnDB, indexes', 'NeDB, no index', 'NeDB, ensureIndex'],
          rows.map((row) => [row[0] as string, ...row.slice(1).map((ms) => fmt(ms as number))]),
        ),
      );
      console.log(
        `\nKilnDB indexes: name, age, city and _seq (the _seq index serves unsorted queries and deep offsets; it took ` +
          `${seqIndexMiB.toFixed(0)} MiB of heap at ${count.toLocaleString('en-US')} documents${(globalThis as { gc?: unknown }).gc === undefined ? ', measured without --expose-gc' : ''}). ` +
          `Index build: ${Object.entries(buildMs)
            .map(([field, ms]) => `${field} ${fmt(ms)} ms`)
            .join(', ')}. NeDB indexes: name, age, city, _seq. Both in memory; no query touches the disk.\n`,
      );
      await db.close();
    } finally {
      kilnDir.remove();
      nedbDir.remove();
    }
  },
};
