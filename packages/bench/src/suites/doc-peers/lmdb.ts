import type { LmdbModule } from '../../optional-peers.js';
import { docKey, type PeerDoc } from './docs.js';
import { MEMORY_PRELUDE, type DocPeer, type DocStore } from './store.js';

/** The members of lmdb-js this suite uses (string keys, transactions), beyond those the shared loader types. */
interface LmdbDb {
  put(key: string, value: unknown): Promise<boolean>;
  transaction(action: () => void): Promise<unknown>;
  get(key: string): unknown;
  close(): Promise<void>;
}

interface LmdbOpener {
  open(options: { path: string }): LmdbDb;
}

export const LMDB = 'lmdb-js';

/**
 * lmdb-js with its defaults: msgpack values, and overlappingSync on (a write's promise settles once its
 * commit is flushed to disk). No secondary indexes, so no query rows.
 */
export function lmdbPeer(lmdb: LmdbModule): DocPeer {
  // The shared loader types numeric keys and batch(); the same module takes string keys and transaction().
  const opener = lmdb as unknown as LmdbOpener;
  return {
    name: LMDB,
    open(dir): Promise<DocStore> {
      // No secondary indexes either way: `indexed` changes nothing here.
      const db = opener.open({ path: dir });
      return Promise.resolve({
        put: (key: string, doc: PeerDoc) => db.put(key, doc),
        insertBatch: async (batch) => {
          // One write transaction: atomic, and its promise settles once flushed.
          await db.transaction(() => {
            for (const [key, doc] of batch) void db.put(key, doc);
          });
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
