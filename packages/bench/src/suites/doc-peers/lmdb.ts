import type { LmdbModule } from '../../optional-peers.js';
import { docKey, type PeerDoc } from './docs.js';
import { INDEXED_FIELDS, MEMORY_PRELUDE, type DocPeer, type DocStore } from './store.js';

/**
 * A write's promise with `separateFlushed`: it settles once the write is committed (visible to readers), and
 * its `flushed` once that commit is flushed to disk.
 */
interface LmdbWrite extends Promise<boolean> {
  readonly flushed?: Promise<boolean>;
}

/** A key range of a read: `start` inclusive, `end` exclusive (or the reverse with `reverse`). */
interface LmdbRange {
  readonly start?: unknown;
  readonly end?: unknown;
  readonly offset?: number;
  readonly limit?: number;
  readonly reverse?: boolean;
}

/** The members of an lmdb-js database this suite uses, beyond those the shared loader types. */
interface LmdbDb {
  put(key: unknown, value: unknown): LmdbWrite;
  get(key: unknown): unknown;
  getKeys(range: LmdbRange): Iterable<unknown>;
}

/** The environment: its unnamed database's members this suite does not use are left out. */
interface LmdbRoot {
  openDB(name: string, options?: { encoding: 'binary' }): LmdbDb;
  transaction(action: () => void): Promise<unknown>;
  /** Settles once the last commit is flushed to disk. */
  readonly flushed: PromiseLike<unknown>;
  close(): Promise<void>;
}

interface LmdbOpener {
  open(options: { path: string; separateFlushed: boolean }): LmdbRoot;
}

export const LMDB = 'lmdb-js';

/** The documents' named database; each index database is named after its field. */
const DOCS_DB = 'docs';
/** An index entry's value: the key `[field value, document key]` holds all there is. */
const NO_VALUE = new Uint8Array(0);
/** Sorts after every document key (`k` and digits), so `[value, AFTER_KEYS]` ends the entries of `value`. */
const AFTER_KEYS = '\uffff';

/** The index databases, by field, opened as `binary` (their values are empty). */
type Indexes = ReadonlyMap<(typeof INDEXED_FIELDS)[number], LmdbDb>;

/**
 * lmdb-js with its defaults (msgpack values, overlappingSync on), its writes awaited until durable. With
 * overlappingSync a write's promise settles at commit, before the commit is flushed to disk; the flush
 * follows in the background. So a durable put awaits the write's `flushed` promise (`separateFlushed`), and
 * a batch awaits the store's `flushed` after its transaction, as lmdb-js's README describes.
 *
 * lmdb-js has no secondary indexes of its own, so an indexed store keeps them as a developer would: a database
 * per field whose keys are `[value, document key]` (ordered-binary sorts them by value, then key). A document
 * and its three entries are written in the same event turn, which lmdb-js commits as one transaction
 * (`eventTurnBatching`, on by default); a batch writes them inside its transaction. Measured here, this layout
 * took 35k documents/s at 64 writers against 30k for `dupSort` databases of document keys per value. Puts are
 * inserts, as SQLite's are: no read of an old document to remove its stale entries.
 */
export function lmdbPeer(lmdb: LmdbModule): DocPeer {
  // The shared loader types numeric keys and batch(); the same module takes named databases and transaction().
  const opener = lmdb as unknown as LmdbOpener;
  return {
    name: LMDB,
    open(dir, indexed): Promise<DocStore> {
      const root = opener.open({ path: dir, separateFlushed: true });
      const docs = root.openDB(DOCS_DB);
      const indexes: Indexes = new Map(indexed ? INDEXED_FIELDS.map((field) => [field, root.openDB(field, { encoding: 'binary' })] as const) : []);
      const write = (key: string, doc: PeerDoc): LmdbWrite => {
        const written = docs.put(key, doc);
        for (const [field, index] of indexes) void index.put([doc[field], key], NO_VALUE);
        return written;
      };
      const store: DocStore = {
        put: (key, doc) => flushedOf(write(key, doc)),
        insertBatch: async (batch) => {
          // One write transaction: atomic; durable once the store's last commit, this one, is flushed.
          await root.transaction(() => {
            for (const [key, doc] of batch) void write(key, doc);
          });
          await root.flushed;
        },
        get: (key) => docs.get(key),
        close: () => root.close(),
      };
      return Promise.resolve(indexed ? { ...store, ...queries(docs, indexes) } : store);
    },
    coldOpenScript(dir, count) {
      const url = import.meta.resolve('lmdb');
      return `
        ${MEMORY_PRELUDE}
        const { open } = await import(${JSON.stringify(url)});
        const before = usage();
        const start = process.hrtime.bigint();
        const root = open({ path: ${JSON.stringify(dir)}, readOnly: true });
        const docs = root.openDB(${JSON.stringify(DOCS_DB)});
        if (docs.get(${JSON.stringify(docKey(count - 1))}) === undefined) throw new Error('last document missing');
        const firstReadMs = elapsed(start);
        const city = root.openDB('city', { encoding: 'binary' });
        const first = [...city.getKeys({ start: ['city-07'], end: ['city-07', ${JSON.stringify(AFTER_KEYS)}], limit: 10 })].map(([, key]) => docs.get(key));
        if (first.length === 0 || first.some((doc) => doc === undefined)) throw new Error('no city-07 documents');
        const firstQueryMs = elapsed(start);
        let found = 0;
        for (const { value } of docs.getRange()) { if (value !== undefined) found++; }
        if (found !== ${String(count)}) throw new Error('expected ${String(count)} documents, found ' + found);
        const memoryBytes = usage() - before;
        process.stdout.write(JSON.stringify({ firstReadMs, firstQueryMs, memoryBytes }));
        await root.close();
      `;
    },
  };
}

/**
 * The suite's queries through the index databases, each planned as a developer who knows the data would:
 * equality and the range sorted by its own field read one index in order; the range sorted by `score` walks
 * the `score` index from the top and keeps documents whose `age` is in range (about 3 in 10 are), which
 * reads a few dozen documents where reading the whole `age` range and sorting it would read 3 in 10 of all.
 */
function queries(docs: LmdbDb, indexes: Indexes): Pick<DocStore, 'cityEquals' | 'ageRangeByAge' | 'ageRangeByScore'> {
  const index = (field: (typeof INDEXED_FIELDS)[number]): LmdbDb => indexes.get(field) as LmdbDb;
  const docsOf = (entries: Iterable<unknown>): unknown[] => {
    const out: unknown[] = [];
    for (const entry of entries) out.push(docs.get((entry as [unknown, string])[1]));
    return out;
  };
  return {
    cityEquals: (city, count) => docsOf(index('city').getKeys({ start: [city], end: [city, AFTER_KEYS], limit: count })),
    ageRangeByAge: (low, high, offset, count) => docsOf(index('age').getKeys({ start: [low], end: [high, AFTER_KEYS], offset, limit: count })),
    ageRangeByScore: (low, high, count) => {
      const out: unknown[] = [];
      for (const entry of index('score').getKeys({ reverse: true })) {
        const doc = docs.get((entry as [unknown, string])[1]) as PeerDoc;
        if (doc.age < low || doc.age > high) continue;
        out.push(doc);
        if (out.length === count) break;
      }
      return out;
    },
  };
}

/**
 * Settles once `write` is on disk, and rejects if its commit fails (lmdb-js documents `flushed` only as
 * settling once flushed). A write without `flushed` throws: timing it would time a commit not yet durable.
 */
function flushedOf(write: LmdbWrite): Promise<boolean> {
  const { flushed } = write;
  if (flushed === undefined) throw new Error('lmdb-js returned a write promise without `flushed`: separateFlushed is not supported');
  return write.then(() => flushed);
}
