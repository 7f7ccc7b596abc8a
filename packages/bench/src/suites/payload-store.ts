import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import * as path from 'node:path';
import { LOG_FILE, PayloadStore, SNAPSHOT_FILE } from '@kilndb/payload-store';
import { markdownTable, tempDir, timeMs, type Cell, type Suite } from '../harness.js';
import {
  loadClassicLevel,
  loadLmdb,
  loadSqlite,
  type ClassicLevelModule,
  type LmdbModule,
  type Loaded,
  type SqliteModule,
} from '../optional-peers.js';
import { getFloor, putCpuFloor } from './payload-floors.js';

/** A ~1 KiB JSON document; `id` varies so no two values are identical. */
function makeValue(id: number): Record<string, unknown> {
  return {
    id,
    name: `user-${id}`,
    email: `user${id}-at-mailhost`,
    active: id % 3 !== 0,
    score: (id * 7919) % 1000,
    tags: ['alpha', 'beta', 'gamma', `t${id % 17}`],
    address: { street: `${id % 500} Main Street`, city: 'Springfield', zip: String(10000 + (id % 89999)) },
    bio: 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. '.repeat(6),
  };
}

const VALUE_BYTES = Buffer.byteLength(JSON.stringify(makeValue(123456)));

/** What every store under test offers; each adapter uses that store's own durable path. */
interface Adapter {
  /** Durable put: settles once the write would survive power loss. */
  put(id: number, value: unknown): Promise<void>;
  /** The store's fastest bulk path that ends durable. */
  bulk(ids: readonly number[]): Promise<void>;
  get(id: number): unknown;
  close(): Promise<void>;
}

interface Peer {
  readonly name: string;
  open(dir: string): Promise<Adapter>;
}

const BULK_CHUNK = 10_000;

const kiln: Peer = {
  name: 'KilnDB',
  async open(dir) {
    const store = await PayloadStore.open(dir, { snapshotThresholdBytes: Infinity });
    return {
      put: (id, value) => store.store(id, value),
      async bulk(ids) {
        // Deferred batches (no fsync), then one flush: durable at the end, like the peers' bulk paths.
        for (let at = 0; at < ids.length; at += BULK_CHUNK) {
          await store.storeBatchDeferred(ids.slice(at, at + BULK_CHUNK).map((id) => [id, makeValue(id)] as const));
        }
        await store.flush();
      },
      get: (id) => store.retrieve(id),
      close: () => store.close(),
    };
  },
};

const LMDB = 'lmdb';
const CLASSIC_LEVEL = 'classic-level';

const lmdbPeer = (lmdb: LmdbModule): Peer => ({
  name: LMDB,
  open(dir) {
    // overlappingSync off: a put's promise then settles after the commit is flushed to disk.
    const db = lmdb.open({ path: dir, overlappingSync: false });
    return Promise.resolve({
      put: async (id, value) => {
        await db.put(id, value);
      },
      async bulk(ids) {
        for (let at = 0; at < ids.length; at += BULK_CHUNK) {
          await db.batch(() => {
            for (const id of ids.slice(at, at + BULK_CHUNK)) void db.put(id, makeValue(id));
          });
        }
      },
      get: (id) => db.get(id),
      close: () => db.close(),
    });
  },
});

const levelKey = (id: number): string => String(id).padStart(12, '0');

const classicLevelPeer = ({ ClassicLevel }: ClassicLevelModule): Peer => ({
  name: CLASSIC_LEVEL,
  async open(dir) {
    const db = new ClassicLevel(dir, { valueEncoding: 'json' });
    await db.open();
    return {
      put: (id, value) => db.put(levelKey(id), value, { sync: true }),
      async bulk(ids) {
        for (let at = 0; at < ids.length; at += BULK_CHUNK) {
          const chunk = ids.slice(at, at + BULK_CHUNK);
          // Only the last batch syncs; LevelDB's log is sequential, so it makes the earlier ones durable too.
          await db.batch(
            chunk.map((id) => ({ type: 'put' as const, key: levelKey(id), value: makeValue(id) })),
            { sync: at + BULK_CHUNK >= ids.length },
          );
        }
      },
      get: (id) => db.getSync(levelKey(id)),
      close: () => db.close(),
    };
  },
});

const sqlitePeer = ({ default: Database }: SqliteModule): Peer => ({
  name: 'SQLite (WAL, synchronous=FULL)',
  open(dir) {
    const db = new Database(path.join(dir, 'bench.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE IF NOT EXISTS kv (id INTEGER PRIMARY KEY, value TEXT NOT NULL)');
    const insert = db.prepare('INSERT OR REPLACE INTO kv (id, value) VALUES (?, ?)');
    const select = db.prepare('SELECT value FROM kv WHERE id = ?');
    const insertMany = db.transaction((ids: readonly number[]) => {
      for (const id of ids) insert.run(id, JSON.stringify(makeValue(id)));
    });
    return Promise.resolve({
      put: (id, value) => {
        insert.run(id, JSON.stringify(value));
        return Promise.resolve();
      },
      bulk(ids) {
        for (let at = 0; at < ids.length; at += BULK_CHUNK) insertMany(ids.slice(at, at + BULK_CHUNK));
        return Promise.resolve();
      },
      get: (id) => {
        const row = select.get(id) as { value: string } | undefined;
        return row === undefined ? undefined : (JSON.parse(row.value) as unknown);
      },
      close: () => {
        db.close();
        return Promise.resolve();
      },
    });
  },
});

/** KilnDB and every native peer that loads; prints a line for each one that does not. */
async function availablePeers(): Promise<Peer[]> {
  const peers = [kiln];
  const add = <T>(result: Loaded<T>, makePeer: (module: T) => Peer): void => {
    if ('module' in result) peers.push(makePeer(result.module));
    else console.log(`> ${result.missing}\n`);
  };
  add(await loadLmdb(), lmdbPeer);
  add(await loadClassicLevel(), classicLevelPeer);
  add(await loadSqlite(), sqlitePeer);
  return peers;
}

async function withStore<T>(peer: Peer, fn: (adapter: Adapter, dir: string) => Promise<T>): Promise<T> {
  const { dir, remove } = tempDir(`payload-${peer.name.split(' ')[0]!.toLowerCase()}`);
  const adapter = await peer.open(dir);
  try {
    return await fn(adapter, dir);
  } finally {
    await adapter.close();
    remove();
  }
}

async function durableSingle(adapter: Adapter, count: number): Promise<number> {
  const ms = await timeMs(async () => {
    for (let id = 0; id < count; id++) await adapter.put(id, makeValue(id));
  });
  return (count / ms) * 1000;
}

async function durableConcurrent(adapter: Adapter, count: number, writers: number): Promise<number> {
  const ms = await timeMs(() =>
    Promise.all(
      Array.from({ length: writers }, async (_, writer) => {
        for (let id = writer; id < count; id += writers) await adapter.put(id, makeValue(id));
      }),
    ),
  );
  return (count / ms) * 1000;
}

let sink = 0;

/** `count` ids spread over `0 … loaded - 1` in a scattered, repeatable order. */
function randomIds(loaded: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => (i * 2_654_435_761) % loaded);
}

function randomGets(adapter: Adapter, loaded: number, count: number): number {
  const ids = randomIds(loaded, count);
  const start = process.hrtime.bigint();
  for (const id of ids) {
    const value = adapter.get(id) as { id: number } | undefined;
    sink += value?.id ?? -1;
  }
  return (count / (Number(process.hrtime.bigint() - start) / 1e6)) * 1000;
}

/** A plain append loop of the same 1 KiB records: write + fdatasync each, or one fdatasync per `group`. */
async function rawAppend(count: number, group: number): Promise<number> {
  const { dir, remove } = tempDir('payload-raw');
  const handle = await openFile(path.join(dir, 'raw.log'), 'a');
  try {
    const record = Buffer.from(JSON.stringify(makeValue(1)));
    const grouped = Buffer.concat(Array.from({ length: group }, () => record));
    const ms = await timeMs(async () => {
      for (let done = 0; done < count; done += group) {
        await handle.write(grouped);
        await handle.datasync();
      }
    });
    return (count / ms) * 1000;
  } finally {
    await handle.close();
    remove();
  }
}

/**
 * Builds a KilnDB store of `count` records and measures a cold open in a fresh process (`--expose-gc`):
 * open time, and heap plus array-buffer growth per id, with and without the snapshot.
 */
async function coldOpen(count: number): Promise<{ snapshot: OpenResult; replay: OpenResult }> {
  const { dir, remove } = tempDir('payload-open');
  try {
    const store = await PayloadStore.open(dir, { snapshotThresholdBytes: Infinity });
    const ids = Array.from({ length: count }, (_, i) => i);
    for (let at = 0; at < count; at += BULK_CHUNK) {
      await store.storeBatchDeferred(ids.slice(at, at + BULK_CHUNK).map((id) => [id, makeValue(id)] as const));
    }
    await store.createSnapshot();
    await store.close();
    const snapshot = openInChild(dir, count);
    rmSync(path.join(dir, SNAPSHOT_FILE));
    const replay = openInChild(dir, count);
    return { snapshot, replay };
  } finally {
    remove();
  }
}

interface OpenResult {
  readonly ms: number;
  readonly bytesPerId: number;
  readonly count: number;
}

function openInChild(dir: string, count: number): OpenResult {
  const storeUrl = import.meta.resolve('@kilndb/payload-store');
  const script = `
    const { PayloadStore } = await import(${JSON.stringify(storeUrl)});
    globalThis.gc(); globalThis.gc();
    const before = process.memoryUsage();
    const start = process.hrtime.bigint();
    const store = await PayloadStore.open(${JSON.stringify(dir)}, { readOnly: true });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    globalThis.gc(); globalThis.gc();
    const after = process.memoryUsage();
    const grown = after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers;
    if (store.count !== ${count}) throw new Error('expected ${count} ids, found ' + store.count);
    process.stdout.write(JSON.stringify({ ms, bytesPerId: grown / store.count, count: store.count }));
    await store.close();
  `;
  const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8' });
  return JSON.parse(out) as OpenResult;
}

const ROUNDS = 3;
const PUT_FLOOR = 'floor: the put path\'s CPU alone (JSON + UTF-8 + CRC + a promise), no I/O';
const GET_FLOOR = 'floor: pread + CRC + JSON.parse, offsets from an array';

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function ratio(ours: number, theirs: number | undefined): string {
  return theirs === undefined || theirs === 0 ? '–' : `${(ours / theirs).toFixed(2)}×`;
}

export const payloadStoreSuite: Suite = {
  name: 'payload-store',
  description: `PayloadStore vs lmdb, classic-level and SQLite: durable puts, bulk load, random gets, cold open (${VALUE_BYTES}-byte JSON values)`,
  async run({ quick }) {
    const peers = await availablePeers();
    const scale = quick ? 0.1 : 1;
    const singleCount = Math.round(2000 * scale);
    const concurrentCount = Math.round(20_000 * scale);
    const bulkCount = Math.round(200_000 * scale);
    const getCount = Math.round(200_000 * scale);
    const openCount = Math.round(1_000_000 * scale);

    // Each rate is the median of ROUNDS runs, the stores taking turns within a round, so a noisy neighbour
    // on the machine weighs on every store alike rather than on whichever ran at the wrong moment.
    const samples = new Map<string, Map<string, number[]>>();
    const record = (scenario: string, name: string, opsPerSecond: number): void => {
      let row = samples.get(scenario);
      if (row === undefined) samples.set(scenario, (row = new Map<string, number[]>()));
      row.set(name, [...(row.get(name) ?? []), opsPerSecond]);
    };
    const single = 'durable put, 1 writer';
    const concurrent = 'durable put, 64 writers';
    const bulk = `bulk load of ${bulkCount.toLocaleString('en-US')}`;
    const gets = `random get of ${getCount.toLocaleString('en-US')}`;

    for (let round = 0; round < ROUNDS; round++) {
      for (const peer of peers) {
        await withStore(peer, async (adapter) => {
          record(single, peer.name, await durableSingle(adapter, singleCount));
        });
        await withStore(peer, async (adapter) => {
          record(concurrent, peer.name, await durableConcurrent(adapter, concurrentCount, 64));
        });
      }
      record(single, 'raw append + fdatasync each', await rawAppend(singleCount, 1));
      record(concurrent, 'raw append, one fdatasync per 64', await rawAppend(concurrentCount, 64));
      record(concurrent, PUT_FLOOR, await putCpuFloor(concurrentCount, 64, makeValue));
    }
    for (const peer of peers) {
      await withStore(peer, async (adapter, dir) => {
        const ids = Array.from({ length: bulkCount }, (_, i) => i);
        const ms = await timeMs(() => adapter.bulk(ids));
        record(bulk, peer.name, (bulkCount / ms) * 1000);
        randomGets(adapter, bulkCount, Math.min(getCount, 20_000));
        for (let round = 0; round < ROUNDS; round++) record(gets, peer.name, randomGets(adapter, bulkCount, getCount));
        if (peer === kiln) {
          for (let round = 0; round < ROUNDS; round++) {
            record(gets, GET_FLOOR, getFloor(path.join(dir, LOG_FILE), randomIds(bulkCount, getCount)));
          }
        }
      });
    }
    const results = new Map([...samples].map(([scenario, row]) => [scenario, new Map([...row].map(([name, values]) => [name, median(values)]))]));

    for (const [scenario, row] of results) {
      const ours = row.get(kiln.name) ?? 0;
      console.log(`### ${scenario}\n`);
      const rows: Cell[][] = [...row].map(([name, opsPerSecond]) => [name, Math.round(opsPerSecond), ratio(ours, opsPerSecond)]);
      console.log(markdownTable(['store', 'ops/s', 'KilnDB ÷ this'], rows));
      console.log('');
    }

    const open = await coldOpen(openCount);
    console.log(`### cold open of ${openCount.toLocaleString('en-US')} records (KilnDB, fresh process)\n`);
    console.log(
      markdownTable(
        ['open', 'ms', 'RAM per id (heap + array buffers)'],
        [
          ['with snapshot', open.snapshot.ms, `${open.snapshot.bytesPerId.toFixed(1)} B`],
          ['full replay (no snapshot)', open.replay.ms, `${open.replay.bytesPerId.toFixed(1)} B`],
        ],
      ),
    );
    console.log('');

    const get = (scenario: string, name: string): number | undefined =>
      [...results].find(([key]) => key.startsWith(scenario))?.[1].get(name);
    const goal = (label: string, measured: number | undefined, target: number | undefined, atMost = false, floor?: number): Cell[] => {
      const met = measured !== undefined && target !== undefined && (atMost ? measured <= target : measured >= target);
      return [
        label,
        measured === undefined ? '–' : Number(measured.toFixed(2)),
        target === undefined ? '–' : Number(target.toFixed(2)),
        floor === undefined ? '–' : Number(floor.toFixed(2)),
        measured === undefined ? 'not measured (peer skipped)' : met ? 'met' : 'missed',
      ];
    };
    const rate = (scenario: string, name: string, of: string = kiln.name): number | undefined => {
      const a = get(scenario, of);
      const b = get(scenario, name);
      return a === undefined || b === undefined ? undefined : a / b;
    };
    console.log('### goals\n');
    console.log(
      markdownTable(
        ['goal', 'measured', 'target', 'floor ÷ peer (best any such store could do)', ''],
        [
          goal('64-writer durable puts ÷ lmdb', rate('durable put, 64', LMDB), 2, false, rate('durable put, 64', LMDB, PUT_FLOOR)),
          goal('1-writer durable puts ÷ raw append+fdatasync', rate('durable put, 1', 'raw append + fdatasync each'), 0.9),
          goal('bulk load ÷ classic-level', rate('bulk load', CLASSIC_LEVEL), 1.5),
          goal('random get ÷ lmdb', rate('random get', LMDB), 1, false, rate('random get', LMDB, GET_FLOOR)),
          goal(`cold open of ${openCount.toLocaleString('en-US')} with snapshot, ms`, open.snapshot.ms, 300, true),
          goal('RAM per indexed id, bytes (snapshot open)', open.snapshot.bytesPerId, 40, true),
        ],
      ),
    );
    if (sink === Number.MIN_VALUE) console.log('');
  },
};
