import { tempDir, type Suite } from '../../harness.js';
import { loadLmdb, loadSqlite, type Loaded } from '../../optional-peers.js';
import { coldOpens } from './cold-open.js';
import { batchFloor } from './batch-floor.js';
import { appendFloor, overwriteFloor, pooledOverwriteFloor } from './disk-floors.js';
import { meanDocBytes, totalDocBytes, type PeerDoc } from './docs.js';
import { kilnPeer } from './kiln.js';
import { LMDB, lmdbPeer } from './lmdb.js';
import { goalsTable, plainTable, storesTable, versus, type Goal, type RowSpec } from './report.js';
import { Samples } from './samples.js';
import { SQLITE, sqlitePeer } from './sqlite.js';
import type { DocPeer, DocStore } from './store.js';
import { BATCH, ROW, WRITERS, bulkLoad, consumed, docsFor, durableWriters, queries, randomGets } from './workloads.js';

/**
 * Rounds of the timed workloads: on this shared VM one row moved by up to ±18 % within a run of 3 rounds, so
 * a median of 7 is what a verdict rests on. Cold opens, a child process each, stay at 3.
 */
const ROUNDS = 7;
const COLD_ROUNDS = 3;
/** A write row stops early after this long: on a busy disk the rate is known well before 20,000 fsyncs. */
const WRITE_BUDGET_MS = 5000;
const LARGE = 1_000_000;
/** Documents each write workload runs on, untimed, before the rounds, and for how long (see `warmUp`). */
const WARM_UP_DOCS = 10_000;
const WARM_UP_MS = 2000;
/** How long each timed write row's own workload runs, untimed, right before it (see `readyFor`). */
const ROW_WARM_MS = 300;
const FLOOR = 'disk floor';
const APPEND_FLOOR = 'disk: append + fdatasync';
const OVERWRITE_FLOOR = 'disk: overwrite preallocated space + fdatasync';
const POOLED_FLOOR = 'disk: the same, each fdatasync on the thread pool (fs.fdatasync, awaited)';
const BATCH_FLOOR = 'floor: batches of 1,000 held in a Map and logged (copy, stringify, CRC; one write + fdatasync)';

/** Document count from DOC_PEERS_DOCS (default 100,000; 10,000 with --quick); DOC_PEERS_LARGE=1 adds the 1,000,000 rows. */
function settings(quick: boolean): { docs: number; large: boolean } {
  const raw = process.env['DOC_PEERS_DOCS'];
  const docs = raw === undefined || raw === '' ? (quick ? 10_000 : 100_000) : Number(raw);
  if (!Number.isSafeInteger(docs) || docs < 1000) throw new RangeError(`DOC_PEERS_DOCS must be an integer ≥ 1000, got "${String(raw)}"`);
  return { docs, large: process.env['DOC_PEERS_LARGE'] === '1' };
}

async function withStore(peer: DocPeer, fn: (store: DocStore) => Promise<unknown>, indexed = true): Promise<void> {
  const { dir, remove } = tempDir(`doc-peers-${peer.name.split(/[^a-zA-Z]/)[0] ?? 'store'}`);
  try {
    const store = await peer.open(dir, indexed);
    try {
      await fn(store);
    } finally {
      await store.close();
    }
  } finally {
    remove();
  }
}

/** A timed write row: its label, whether the store keeps the three indexes, its writers and documents. */
interface WriteRow {
  readonly label: string;
  readonly indexed: boolean;
  readonly writers: number;
  readonly docs: number;
}

function writeRows(single: number, concurrent: number): WriteRow[] {
  return [
    { label: ROW.single, indexed: true, writers: 1, docs: single },
    { label: ROW.concurrent, indexed: true, writers: WRITERS, docs: concurrent },
    { label: ROW.concurrentPlain, indexed: false, writers: WRITERS, docs: concurrent },
  ];
}

/** Runs `run` in fresh stores, again and again, for `ms`. */
async function repeatFor(peer: DocPeer, indexed: boolean, ms: number, run: (store: DocStore) => Promise<unknown>): Promise<void> {
  const until = performance.now() + ms;
  while (performance.now() < until) await withStore(peer, run, indexed);
}

/**
 * Runs each write workload, untimed, in fresh stores of `count` documents, again and again for
 * `WARM_UP_MS`: the rounds then measure code the JIT has compiled, as in a process that has served for a
 * while (the server suite warms up too). A JavaScript store needed a few such runs here before its rate
 * settled; the native peers lose less to it.
 */
async function warmUp(peer: DocPeer, count: number): Promise<void> {
  const docs = docsFor(0, count);
  for (const row of writeRows(count / 10, count)) {
    await repeatFor(peer, row.indexed, WARM_UP_MS, (store) => durableWriters(store, docs.slice(0, row.docs), row.writers, WARM_UP_MS));
  }
  await repeatFor(peer, true, WARM_UP_MS, (store) => bulkLoad(store, count));
}

/**
 * Readies the process for one timed write row, for every store alike: collects the garbage the rows before
 * it left, then runs the row's own workload, untimed, for `ROW_WARM_MS`. A write row lasts a fraction of a
 * second; without this, a major GC left due by another store's bulk load, or code the JIT dropped or
 * re-specialised for the workloads in between, landed inside it. In a run that counted them, KilnDB's
 * 64-writer rows that met either ran at 91k–102k docs/s, the rows that met neither at 125k–127k/s.
 */
async function readyFor(peer: DocPeer, row: WriteRow, docs: readonly (readonly [string, PeerDoc])[]): Promise<void> {
  (globalThis as { gc?: () => void }).gc?.();
  await repeatFor(peer, row.indexed, ROW_WARM_MS, (store) => durableWriters(store, docs, row.writers, ROW_WARM_MS));
}

/** KilnDB and every native peer that loads; prints a line for each one that does not. */
async function availablePeers(): Promise<DocPeer[]> {
  const peers = [kilnPeer];
  const add = <T>(result: Loaded<T>, make: (module: T) => DocPeer): void => {
    if ('module' in result) peers.push(make(result.module));
    else console.log(`> ${result.missing}\n`);
  };
  add(await loadSqlite(), sqlitePeer);
  add(await loadLmdb(), lmdbPeer);
  return peers;
}

const coldRows = (count: number): { read: RowSpec; query: RowSpec; memory: RowSpec } => {
  const n = count.toLocaleString('en-US');
  return {
    read: { label: `cold open of ${n} docs to the first read`, unit: 'ms' },
    query: { label: `cold open of ${n} docs to the first indexed query`, unit: 'ms' },
    memory: { label: `heap + buffers per doc, ${n} docs all read once`, unit: 'B/doc' },
  };
};

export const docPeersSuite: Suite = {
  name: 'doc-peers',
  description: 'doc-engine vs better-sqlite3 (JSON rows, expression indexes) and lmdb-js: durable inserts, batches, gets, indexed queries, cold open, memory',
  async run({ quick }) {
    const { docs, large } = settings(quick);
    const single = quick ? 300 : 2000;
    const concurrent = quick ? 2000 : 20_000;
    const gets = quick ? 20_000 : 100_000;
    const docBytes = meanDocBytes();
    const peers = await availablePeers();
    const others = peers.slice(1).map((p) => p.name);
    const samples = new Samples();

    for (const peer of peers) await warmUp(peer, Math.min(docs, WARM_UP_DOCS));
    // The stores take turns within each round, so a noisy neighbour weighs on all of them alike.
    for (let round = 0; round < ROUNDS; round++) {
      for (const peer of peers) {
        for (const row of writeRows(single, concurrent)) {
          const rowDocs = docsFor(0, row.docs);
          await readyFor(peer, row, rowDocs);
          await withStore(
            peer,
            async (store) => {
              samples.add(row.label, peer.name, await durableWriters(store, rowDocs, row.writers, WRITE_BUDGET_MS));
            },
            row.indexed,
          );
        }
        await withStore(peer, async (store) => {
          samples.add(ROW.bulk, peer.name, await bulkLoad(store, docs));
          randomGets(store, docs, Math.min(gets, 10_000), 7 + round); // warm-up, untimed
          samples.add(ROW.get, peer.name, randomGets(store, docs, gets, round));
          for (const [row, rate] of Object.entries(queries(store, docs))) samples.add(ROW[row as keyof typeof ROW], peer.name, rate);
        });
        await withStore(
          peer,
          async (store) => {
            samples.add(ROW.bulkPlain, peer.name, await bulkLoad(store, docs));
          },
          false,
        );
      }
      samples.add(APPEND_FLOOR, FLOOR, appendFloor(single, Math.round(docBytes)));
      samples.add(OVERWRITE_FLOOR, FLOOR, overwriteFloor(single, Math.round(docBytes)));
      samples.add(POOLED_FLOOR, FLOOR, await pooledOverwriteFloor(single, Math.round(docBytes)));
      samples.add(BATCH_FLOOR, FLOOR, batchFloor(docs, BATCH));
    }

    const counts = large && docs !== LARGE ? [docs, LARGE] : [docs];
    for (const count of counts) {
      const rows = coldRows(count);
      for (const peer of peers) {
        for (const result of await coldOpens(peer, count, COLD_ROUNDS)) {
          samples.add(rows.read.label, peer.name, result.firstReadMs);
          if (result.firstQueryMs !== undefined) samples.add(rows.query.label, peer.name, result.firstQueryMs);
          samples.add(rows.memory.label, peer.name, result.memoryBytes / count);
        }
      }
    }

    const rate = (label: string): RowSpec => ({ label, unit: '/s' });
    const tableRows: RowSpec[] = [
      ...Object.values(ROW).map(rate),
      ...counts.flatMap((count) => {
        const { read, query } = coldRows(count);
        return [read, query];
      }),
      ...counts.map((count) => coldRows(count).memory),
    ];
    const short = (name: string): string => (name === SQLITE ? 'SQLite' : name);
    console.log(
      `### ${docs.toLocaleString('en-US')} documents of ~${Math.round(docBytes)} bytes of JSON; medians of ${ROUNDS} rounds (cold opens and memory: ${COLD_ROUNDS}), ± half the spread (max − min)\n`,
    );
    console.log(storesTable(samples, tableRows, kilnPeer.name, others, short, totalDocBytes(docs) / docs));
    console.log('\nLast column: above 1× KilnDB is ahead of the best peer on that row (rates: KilnDB ÷ peer; times: peer ÷ KilnDB).');
    const overwrite = samples.summary(OVERWRITE_FLOOR, FLOOR)?.median;
    const append = samples.summary(APPEND_FLOOR, FLOOR)?.median;
    const pooled = samples.summary(POOLED_FLOOR, FLOOR)?.median;
    const batchFloorRate = samples.summary(BATCH_FLOOR, FLOOR)?.median;
    const plainSqlite = samples.summary(ROW.bulkPlain, SQLITE)?.median;
    console.log(`\n### Floors in the same run (the disk: ${Math.round(docBytes)}-byte records, fs.writeSync + fdatasync)\n`);
    console.log(
      plainTable(samples, [rate(APPEND_FLOOR), rate(OVERWRITE_FLOOR), rate(POOLED_FLOOR), rate(BATCH_FLOOR)], FLOOR, (row) => {
        if (row.label === APPEND_FLOOR) return 'each write grows the file';
        if (row.label === BATCH_FLOOR) {
          return batchFloorRate !== undefined && plainSqlite !== undefined
            ? `${(batchFloorRate / plainSqlite).toFixed(2)}× SQLite's batches with no secondary indexes (the least a store that holds documents in memory, checked and copied, does per batch)`
            : '';
        }
        if (row.label === OVERWRITE_FLOOR) {
          return overwrite !== undefined && append !== undefined
            ? `${(overwrite / append).toFixed(2)}× append (the file's size never changes, so fdatasync has no size to commit)`
            : '';
        }
        return pooled !== undefined && overwrite !== undefined
          ? `${(pooled / overwrite).toFixed(2)}× the overwrite row (two thread wake-ups per commit)`
          : '';
      }),
    );

    const of = (row: RowSpec, peer: string): number | undefined => versus(samples, row, kilnPeer.name, peer);
    const largest = coldRows(counts[counts.length - 1] as number);
    const largestCount = counts[counts.length - 1] as number;
    const kilnMs = (row: RowSpec): number | undefined => samples.summary(row.label, kilnPeer.name)?.median;
    const kilnBytes = kilnMs(largest.memory);
    const jsonBytes = totalDocBytes(largestCount) / largestCount;
    const singleSqlite = samples.summary(ROW.single, SQLITE)?.median;
    const kilnIndexed = samples.summary(ROW.concurrent, kilnPeer.name)?.median;
    const lmdbPlain = samples.summary(ROW.concurrentPlain, LMDB)?.median;
    const handicapped = kilnIndexed === undefined || lmdbPlain === undefined ? undefined : kilnIndexed / lmdbPlain;
    const atScale = largestCount === LARGE ? '' : ` (at ${largestCount.toLocaleString('en-US')}; the goal is at 1,000,000: DOC_PEERS_LARGE=1)`;
    const goals: Goal[] = [
      {
        goal: '1. durable insert, 1 writer ÷ SQLite',
        measured: of(rate(ROW.single), SQLITE),
        target: 1,
        note:
          overwrite !== undefined && pooled !== undefined && singleSqlite !== undefined
            ? `floors ÷ SQLite: overwrite+fdatasync ${(overwrite / singleSqlite).toFixed(2)}×, on the thread pool ${(pooled / singleSqlite).toFixed(2)}×`
            : '',
      },
      {
        goal: '2. durable insert, 64 writers ÷ lmdb-js (both keep the three indexes, lmdb-js as index databases)',
        measured: of(rate(ROW.concurrent), LMDB),
        target: 1.2,
        note: handicapped === undefined ? '' : `KilnDB with its indexes ÷ lmdb-js with none: ${handicapped.toFixed(2)}× (the comparison before lmdb-js kept the indexes)`,
      },
      { goal: '2. the same with no secondary indexes on either ÷ lmdb-js', measured: of(rate(ROW.concurrentPlain), LMDB), target: 1.2 },
      { goal: '3. bulk insert, atomic batches ÷ SQLite (both with the three indexes)', measured: of(rate(ROW.bulk), SQLITE), target: 1 },
      {
        goal: '3. the same with no secondary indexes ÷ SQLite',
        measured: of(rate(ROW.bulkPlain), SQLITE),
        target: 1,
        note: batchFloorRate !== undefined && plainSqlite !== undefined ? `floor ÷ SQLite: ${(batchFloorRate / plainSqlite).toFixed(2)}× (batch floor row)` : '',
      },
      { goal: '4. random get ÷ lmdb-js', measured: of(rate(ROW.get), LMDB), target: 2 },
      { goal: '5. indexed equality ÷ SQLite', measured: of(rate(ROW.equality), SQLITE), target: 2 },
      { goal: '6. range sorted by its field, offset + top 10 ÷ SQLite', measured: of(rate(ROW.rangeSame), SQLITE), target: 1 },
      { goal: '6. range sorted by another field, top 10 ÷ SQLite', measured: of(rate(ROW.rangeOther), SQLITE), target: 1 },
      { goal: `7. cold open to the first read, ms${atScale}`, measured: kilnMs(largest.read), target: 1000, atMost: true },
      { goal: `7. cold open to the first indexed query, ms${atScale}`, measured: kilnMs(largest.query), target: 1000, atMost: true },
      {
        goal: `8. memory ÷ the documents' JSON bytes${atScale}`,
        measured: kilnBytes === undefined ? undefined : kilnBytes / jsonBytes,
        target: 2.5,
        atMost: true,
        note: kilnBytes === undefined ? '' : `${Math.round(kilnBytes)} B/doc held vs ${Math.round(jsonBytes)} B/doc of JSON`,
      },
    ];
    console.log('\n### Goals (issue 13), ratios from this run\n');
    console.log(goalsTable(goals));
    console.log(
      `\nWrites: up to ${single.toLocaleString('en-US')} docs (1 writer) and ${concurrent.toLocaleString('en-US')} (64 writers) or ${WRITE_BUDGET_MS / 1000} s, each store fresh with indexes on age, city, score ` +
        `(lmdb-js keeps them as index databases written in the document's transaction) except in the "no secondary indexes" rows. Gets: ${gets.toLocaleString('en-US')} random keys. Equality returns the 1% (at most 1,000) of matching docs. ` +
        `Cold opens run in a fresh \`node --expose-gc\` process each; KilnDB is compacted first (opens from its snapshot); memory is ` +
        `heapUsed + external (Node counts arrayBuffers inside external) after gc, minus before the open, with every document read and (KilnDB) each index used once (lmdb-js and SQLite keep documents on disk, mapped or cached, not counted).`,
    );
    if (consumed() === Number.MIN_VALUE) console.log('');
  },
};
