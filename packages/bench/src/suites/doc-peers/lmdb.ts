import type { LmdbModule } from '../../optional-peers.js';
import { docKey, type PeerDoc } from './docs.js';
import { MEMORY_PRELUDE, type DocPeer, type DocStore } from './store.js';

/**
 * A write's promise with `separateFlushed`: it settles once the write is committed (visible to readers), and
 * its `flushed` once that commit is flushed to disk.
 */
interface LmdbWrite extends Promise<boolean> {
  readonly flushed?: Promise<boolean>;
}

/** The members of lmdb-js this suite uses (string keys, transactions), beyond those the shared loader types. */
interface LmdbDb {
  put(key: string, value: unknown): LmdbWrite;
  transaction(action: () => void): Promise<unknown>;
  /** Settles once the last commit is flushed to disk. */
  readonly flushed: PromiseLike<unknown>;
  get(key: string): unknown;
  close(): Promise<void>;
}

interface LmdbOpener {
  open(options: { path: string; separateFlushed: boolean }): LmdbDb;
}

export const LMDB = 'lmdb-js';

/**
 * lmdb-js with its defaults (msgpack values, overlappingSync on), its writes awaited until durable. With
 * overlappingSync a write's promise settles at commit, before the commit is flushed to disk; the flush
 * follows in the background. So a durable put awaits the write's `flushed` promise (`separateFlushed`), and
 * a batch awaits the store's `flushed` after its transaction, as lmdb-js's README describes. No secondary
 * indexes, so no query rows.
 */
export function lmdbPeer(lmdb: LmdbModule): DocPeer {
  // The shared loader types numeric keys and batch(); the same module takes string keys and transaction().
  const opener = lmdb as unknown as LmdbOpener;
  return {
    name: LMDB,
    open(dir): Promise<DocStore> {
      // No secondary indexes either way: `indexed` changes nothing here.
      const db = opener.open({ path: dir, separateFlushed: true });
      return Promise.resolve({
        put: (key: string, doc: PeerDoc) => flushedOf(db.put(key, doc)),
        insertBatch: async (batch) => {
          // One write transaction: atomic; durable once the store's last commit, this one, is flushed.
          await db.transaction(() => {
            for (const [key, doc] of batch) void db.put(key, doc);
          });
          await db.flushed;
        },
        get: (key) => db.get(key),
        close: () => db.close(),
      });
    },
    coldOpenScript(dir, count) {
      const url = import.meta.resolve('lmdb');
      return `
        ${MEMORY_PRELUDE}
        const { open } = await import(${JSON.stringify(url)});
        const before = usage();
        const start = process.hrtime.bigint();
        const db = open({ path: ${JSON.stringify(dir)}, readOnly: true });
        if (db.get(${JSON.stringify(docKey(count - 1))}) === undefined) throw new Error('last document missing');
        const firstReadMs = elapsed(start);
        let found = 0;
        for (const { value } of db.getRange()) { if (value !== undefined) found++; }
        if (found !== ${String(count)}) throw new Error('expected ${String(count)} documents, found ' + found);
        const memoryBytes = usage() - before;
        process.stdout.write(JSON.stringify({ firstReadMs, memoryBytes }));
        await db.close();
      `;
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
