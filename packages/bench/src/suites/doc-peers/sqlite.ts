import * as path from 'node:path';
import type { SqliteModule } from '../../optional-peers.js';
import { docKey, type PeerDoc } from './docs.js';
import { MEMORY_PRELUDE, type DocPeer, type DocStore } from './store.js';

/** The members of better-sqlite3 this suite uses, beyond those the shared loader types. */
interface Statement {
  run(...params: unknown[]): unknown;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

interface SqliteDb {
  pragma(source: string): unknown;
  exec(source: string): unknown;
  prepare(source: string): Statement;
  transaction<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void;
  close(): unknown;
}

type SqliteConstructor = new (filename: string) => SqliteDb;

/** JSON text rows, an expression index per queried field: how a Node developer stores documents in SQLite. */
const TABLE = 'CREATE TABLE IF NOT EXISTS docs (key TEXT PRIMARY KEY, body TEXT NOT NULL)';
const INDEXES = `
  CREATE INDEX IF NOT EXISTS docs_age ON docs (json_extract(body, '$.age'));
  CREATE INDEX IF NOT EXISTS docs_city ON docs (json_extract(body, '$.city'));
  CREATE INDEX IF NOT EXISTS docs_score ON docs (json_extract(body, '$.score'));
`;
const CITY_EQUALS = "SELECT body FROM docs WHERE json_extract(body, '$.city') = ? LIMIT ?";
const AGE_BY_AGE =
  "SELECT body FROM docs WHERE json_extract(body, '$.age') BETWEEN ? AND ? ORDER BY json_extract(body, '$.age') LIMIT ? OFFSET ?";
const AGE_BY_SCORE =
  "SELECT body FROM docs WHERE json_extract(body, '$.age') BETWEEN ? AND ? ORDER BY json_extract(body, '$.score') DESC LIMIT ?";
const FILE = 'docs.sqlite';

const parseRows = (rows: unknown[]): unknown[] => rows.map((row) => JSON.parse((row as { body: string }).body) as unknown);

export const SQLITE = 'SQLite (WAL, synchronous=FULL)';

/** better-sqlite3 in WAL mode with synchronous=FULL: every commit is fsync'd before `run` returns. */
export function sqlitePeer(sqlite: SqliteModule): DocPeer {
  // The shared loader types only run/get on a statement; the same class also has `all`.
  const Database = sqlite.default as unknown as SqliteConstructor;
  return {
    name: SQLITE,
    open(dir, indexed): Promise<DocStore> {
      const db = new Database(path.join(dir, FILE));
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.exec(TABLE);
      if (indexed) db.exec(INDEXES);
      const insert = db.prepare('INSERT INTO docs (key, body) VALUES (?, ?)');
      const select = db.prepare('SELECT body FROM docs WHERE key = ?');
      const cityEquals = db.prepare(CITY_EQUALS);
      const ageByAge = db.prepare(AGE_BY_AGE);
      const ageByScore = db.prepare(AGE_BY_SCORE);
      const insertAll = db.transaction((batch: readonly (readonly [string, PeerDoc])[]) => {
        for (const [key, doc] of batch) insert.run(key, JSON.stringify(doc));
      });
      return Promise.resolve({
        // Synchronous: 64 "concurrent" writers are served one after another.
        put: (key, doc) => {
          insert.run(key, JSON.stringify(doc));
          return Promise.resolve();
        },
        insertBatch: (batch) => {
          insertAll(batch);
          return Promise.resolve();
        },
        get: (key) => {
          const row = select.get(key) as { body: string } | undefined;
          return row === undefined ? undefined : (JSON.parse(row.body) as unknown);
        },
        cityEquals: (city, count) => parseRows(cityEquals.all(city, count)),
        ageRangeByAge: (low, high, offset, count) => parseRows(ageByAge.all(low, high, count, offset)),
        ageRangeByScore: (low, high, count) => parseRows(ageByScore.all(low, high, count)),
        close: () => {
          db.close();
          return Promise.resolve();
        },
      });
    },
    coldOpenScript(dir, count) {
      const url = import.meta.resolve('better-sqlite3');
      return `
        ${MEMORY_PRELUDE}
        const { default: Database } = await import(${JSON.stringify(url)});
        const before = usage();
        const start = process.hrtime.bigint();
        const db = new Database(${JSON.stringify(path.join(dir, FILE))}, { readonly: true });
        const row = db.prepare('SELECT body FROM docs WHERE key = ?').get(${JSON.stringify(docKey(count - 1))});
        if (row === undefined) throw new Error('last document missing');
        JSON.parse(row.body);
        const firstReadMs = elapsed(start);
        const rows = db.prepare(${JSON.stringify(CITY_EQUALS)}).all('city-07', 10);
        if (rows.length === 0) throw new Error('no city-07 documents');
        rows.map((r) => JSON.parse(r.body));
        const firstQueryMs = elapsed(start);
        let found = 0;
        for (const r of db.prepare('SELECT body FROM docs').iterate()) { JSON.parse(r.body); found++; }
        if (found !== ${String(count)}) throw new Error('expected ${String(count)} documents, found ' + found);
        const memoryBytes = usage() - before;
        process.stdout.write(JSON.stringify({ firstReadMs, firstQueryMs, memoryBytes }));
        db.close();
      `;
    },
  };
}
