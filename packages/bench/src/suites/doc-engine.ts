import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { Database, type DatabaseOptions } from '@kilndb/doc-engine';
import { markdownTable, tempDir, timeMs, type Cell, type Suite } from '../harness.js';

/** A small document (~70 bytes of JSON), the kind MoltenDB's and NeDB's published numbers use. */
function makeDoc(i: number): { name: string; age: number; active: boolean; tags: string[] } {
  return { name: `user-${i}`, age: i % 90, active: i % 3 === 0, tags: ['alpha', `t${i % 17}`] };
}

// NeDB is CommonJS whose typings declare an ES default export; require gives the class itself.
const require = createRequire(import.meta.url);
const Nedb = require('@seald-io/nedb') as typeof import('@seald-io/nedb').default;

const DOC_BYTES = Buffer.byteLength(JSON.stringify(makeDoc(123456)));
const BATCH = 1000;
const COLLECTION = 'users';

interface Row {
  readonly store: string;
  readonly value: number;
  readonly note?: string;
}

/** ops/s (or ms) per store for one scenario, with KilnDB's first row as the reference for the ratio column. */
function printTable(title: string, unit: 'ops/s' | 'ms', rows: readonly Row[]): void {
  const ours = rows[0]?.value ?? 0;
  const ratio = (theirs: number): string => {
    if (theirs === 0 || ours === 0) return '–';
    return `${(unit === 'ops/s' ? ours / theirs : theirs / ours).toFixed(2)}×`;
  };
  console.log(`### ${title}\n`);
  const cells: Cell[][] = rows.map((row) => [row.store, Math.round(row.value), ratio(row.value), row.note ?? '']);
  console.log(markdownTable(['store', unit, unit === 'ops/s' ? 'first row ÷ this' : 'this ÷ first row', 'note'], cells));
  console.log('');
}

async function kilnInsert(dir: string, count: number, durability: NonNullable<DatabaseOptions['durability']>): Promise<number> {
  const db = await Database.open(dir, { durability, compactThresholdBytes: Infinity });
  const users = db.collection(COLLECTION);
  const ms = await timeMs(async () => {
    for (let at = 0; at < count; at += BATCH) {
      const batch = [];
      for (let i = at; i < Math.min(count, at + BATCH); i++) batch.push(makeDoc(i));
      await users.insert(batch);
    }
    await db.close();
  });
  return (count / ms) * 1000;
}

async function nedbInsert(file: string, count: number): Promise<number> {
  const db = new Nedb({ filename: file });
  await db.loadDatabaseAsync();
  const ms = await timeMs(async () => {
    for (let at = 0; at < count; at += BATCH) {
      const batch = [];
      for (let i = at; i < Math.min(count, at + BATCH); i++) batch.push(makeDoc(i));
      await db.insertAsync(batch);
    }
  });
  return (count / ms) * 1000;
}

let sink = 0;

async function kilnGets(dir: string, count: number): Promise<number> {
  const db = await Database.open(dir, { readOnly: true });
  const users = db.collection(COLLECTION);
  const keys = users.keys();
  for (let i = 0; i < Math.min(count, 20_000); i++) sink += users.get(keys[(i * 7919) % keys.length] as string)?._v ?? 0;
  const ms = await timeMs(() => {
    for (let i = 0; i < count; i++) sink += users.get(keys[(i * 2_654_435_761) % keys.length] as string)?._v ?? 0;
  });
  await db.close();
  return (count / ms) * 1000;
}

async function nedbGets(file: string, count: number): Promise<number> {
  const db = new Nedb({ filename: file });
  await db.loadDatabaseAsync();
  const ids = db.getAllData().map((doc) => doc._id);
  const ms = await timeMs(async () => {
    for (let i = 0; i < count; i++) {
      const doc = (await db.findOneAsync({ _id: ids[(i * 2_654_435_761) % ids.length] })) as { age?: number } | null;
      sink += doc?.age ?? 0;
    }
  });
  return (count / ms) * 1000;
}

/** Single-document durable inserts from `writers` concurrent loops. */
async function kilnConcurrent(dir: string, count: number, writers: number): Promise<number> {
  const db = await Database.open(dir, { durability: 'fsync' });
  const users = db.collection(COLLECTION);
  const ms = await timeMs(() =>
    Promise.all(
      Array.from({ length: writers }, async (_, writer) => {
        for (let i = writer; i < count; i += writers) await users.set(`u${i}`, makeDoc(i));
      }),
    ),
  );
  await db.close();
  return (count / ms) * 1000;
}

async function nedbConcurrent(file: string, count: number, writers: number): Promise<number> {
  const db = new Nedb({ filename: file });
  await db.loadDatabaseAsync();
  const ms = await timeMs(() =>
    Promise.all(
      Array.from({ length: writers }, async (_, writer) => {
        for (let i = writer; i < count; i += writers) await db.insertAsync({ _id: `u${i}`, ...makeDoc(i) });
      }),
    ),
  );
  return (count / ms) * 1000;
}

async function kilnCompact(dir: string): Promise<number> {
  const db = await Database.open(dir, { compactThresholdBytes: Infinity });
  const ms = await timeMs(() => db.compact());
  await db.close();
  return ms;
}

async function nedbCompact(file: string): Promise<number> {
  const db = new Nedb({ filename: file });
  await db.loadDatabaseAsync();
  return timeMs(() => db.compactDatafileAsync());
}

/** Opens in a fresh process, so neither the heap nor the page cache of the writer's process is reused. */
function coldOpenInChild(script: string): number {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', maxBuffer: 1024 * 1024 });
  return Number(out.trim());
}

/** Open time; with `readAll`, until every document has also been read once (parsed, for a snapshot open). */
function kilnColdOpen(dir: string, count: number, readAll = false): number {
  const url = import.meta.resolve('@kilndb/doc-engine');
  return coldOpenInChild(`
    const { Database } = await import(${JSON.stringify(url)});
    const start = process.hrtime.bigint();
    const db = await Database.open(${JSON.stringify(dir)}, { readOnly: true });
    const users = db.collection(${JSON.stringify(COLLECTION)});
    if (${String(readAll)}) for (const key of users.keys()) users.get(key);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const found = users.count();
    if (found !== ${count}) throw new Error('expected ${count} documents, found ' + found);
    process.stdout.write(String(ms));
  `);
}

function nedbColdOpen(file: string, count: number): number {
  const url = require.resolve('@seald-io/nedb');
  return coldOpenInChild(`
    const { default: Nedb } = await import(${JSON.stringify(url)});
    const start = process.hrtime.bigint();
    const db = new Nedb({ filename: ${JSON.stringify(file)} });
    await db.loadDatabaseAsync();
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const found = db.getAllData().length;
    if (found !== ${count}) throw new Error('expected ${count} documents, found ' + found);
    process.stdout.write(String(ms));
  `);
}

export const docEngineSuite: Suite = {
  name: 'doc-engine',
  description: `Database vs NeDB (@seald-io/nedb): batch inserts, get by key, cold open, durable concurrent inserts, compaction (${DOC_BYTES}-byte documents)`,
  async run({ quick }) {
    const count = quick ? 100_000 : 1_000_000;
    const nedbCount = count;
    const getCount = quick ? 100_000 : 1_000_000;
    const nedbGetCount = quick ? 20_000 : 100_000;
    const concurrentCount = quick ? 2_000 : 20_000;
    const label = count.toLocaleString('en-US');

    const fsyncDb = tempDir('docs-fsync');
    const flushDb = tempDir('docs-flush');
    const noneDb = tempDir('docs-none');
    const nedbDir = tempDir('docs-nedb');
    const nedbFile = path.join(nedbDir.dir, 'users.db');
    try {
      const inserts: Row[] = [
        { store: "KilnDB, durability 'flush'", value: await kilnInsert(flushDb.dir, count, 'flush'), note: 'each batch written to the OS before it resolves, like NeDB' },
        { store: "KilnDB, durability 'fsync'", value: await kilnInsert(fsyncDb.dir, count, 'fsync'), note: 'each batch fdatasync\'d' },
        { store: "KilnDB, durability 'none'", value: await kilnInsert(noneDb.dir, count, 'none'), note: 'written in the background within 50 ms' },
        { store: 'NeDB', value: await nedbInsert(nedbFile, nedbCount), note: `${nedbCount.toLocaleString('en-US')} documents; appends, never fsyncs` },
      ];
      printTable(`insert ${label} documents in batches of ${BATCH}`, 'ops/s', inserts);
      console.log(
        'Reference, not side by side: MoltenDB publishes 81k docs/s inserting 5M documents with its async log ' +
          '(no fsync) on a desktop Core i9.\n',
      );
      fsyncDb.remove();
      noneDb.remove();

      printTable(`get by key (${label} documents loaded)`, 'ops/s', [
        { store: 'KilnDB collection.get', value: await kilnGets(flushDb.dir, getCount), note: `${getCount.toLocaleString('en-US')} random keys` },
        { store: 'NeDB findOne({ _id })', value: await nedbGets(nedbFile, nedbGetCount), note: `${nedbGetCount.toLocaleString('en-US')} random keys` },
      ]);

      const replayOpen = kilnColdOpen(flushDb.dir, count);
      const compaction = await kilnCompact(flushDb.dir);
      const snapshotOpen = kilnColdOpen(flushDb.dir, count);
      const snapshotOpenReadAll = kilnColdOpen(flushDb.dir, count, true);
      const nedbOpen = nedbColdOpen(nedbFile, nedbCount);
      printTable(`cold open of ${label} documents (fresh process)`, 'ms', [
        { store: 'KilnDB from its snapshot', value: snapshotOpen, note: 'after compaction; documents are parsed on first read' },
        { store: 'KilnDB from its snapshot, then every document read', value: snapshotOpenReadAll, note: 'all parsed, as NeDB does at load' },
        { store: 'KilnDB from the log alone', value: replayOpen, note: 'never compacted: every entry replayed' },
        { store: 'NeDB loadDatabase', value: nedbOpen },
      ]);
      printTable(`compaction of ${label} documents`, 'ms', [
        { store: 'KilnDB compact()', value: compaction, note: 'snapshot written atomically, log segments retired' },
        { store: 'NeDB compactDatafile()', value: await nedbCompact(nedbFile), note: 'whole data file rewritten' },
      ]);
    } finally {
      flushDb.remove();
      fsyncDb.remove();
      noneDb.remove();
      nedbDir.remove();
    }

    const concurrentKiln = tempDir('docs-concurrent');
    const concurrentNedb = tempDir('docs-concurrent-nedb');
    try {
      printTable(`single-document inserts, 64 concurrent writers (${concurrentCount.toLocaleString('en-US')} documents)`, 'ops/s', [
        { store: "KilnDB set, durability 'fsync'", value: await kilnConcurrent(concurrentKiln.dir, concurrentCount, 64), note: 'durable: group commit, one fdatasync per group' },
        { store: 'NeDB insert', value: await nedbConcurrent(path.join(concurrentNedb.dir, 'users.db'), concurrentCount, 64), note: 'not durable: no fsync' },
      ]);
    } finally {
      concurrentKiln.remove();
      concurrentNedb.remove();
    }
    if (sink === -1) console.log('');
  },
};
