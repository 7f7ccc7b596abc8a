/*
 * The native peers (lmdb, classic-level, better-sqlite3) are optional dependencies: on a machine that
 * cannot build one, `pnpm install` goes on without it (pnpm leaves a failed optional package in place,
 * unbuilt, or leaves it out), and the bench compares with the peers it has. So each is imported
 * dynamically by a name the compiler does not resolve (the bench must build without them too), typed by
 * the few members used here, and probed once, since a package without its binding may import fine and
 * fail at first use.
 */
import { tempDir } from './harness.js';

export interface LmdbDatabase {
  put(key: number, value: unknown): Promise<boolean>;
  batch(action: () => void): Promise<unknown>;
  get(key: number): unknown;
  close(): Promise<void>;
}

export interface LmdbModule {
  open(options: { path: string; overlappingSync: boolean }): LmdbDatabase;
}

export interface LevelBatchPut {
  readonly type: 'put';
  readonly key: string;
  readonly value: unknown;
}

export interface ClassicLevelDatabase {
  open(): Promise<void>;
  put(key: string, value: unknown, options: { sync: boolean }): Promise<void>;
  batch(operations: readonly LevelBatchPut[], options: { sync: boolean }): Promise<void>;
  getSync(key: string): unknown;
  close(): Promise<void>;
}

export interface ClassicLevelModule {
  ClassicLevel: new (location: string, options: { valueEncoding: 'json' }) => ClassicLevelDatabase;
}

export interface SqliteStatement {
  run(...params: unknown[]): unknown;
  get(...params: unknown[]): unknown;
}

export interface SqliteDatabase {
  pragma(source: string): unknown;
  exec(source: string): unknown;
  prepare(source: string): SqliteStatement;
  transaction<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void;
  close(): unknown;
}

export interface SqliteModule {
  default: new (filename: string) => SqliteDatabase;
}

export type Loaded<T> = { readonly module: T } | { readonly missing: string };

/** Imports package `name` and runs `probe` on it; a failure of either is the reason it is missing. */
async function importOptional<T>(name: string, probe: (module: T) => Promise<void> | void): Promise<Loaded<T>> {
  try {
    const module = (await import(name)) as T;
    await probe(module);
    return { module };
  } catch (error) {
    // The first sentence: better-sqlite3's message goes on to list every path it tried.
    const message = (error instanceof Error ? error.message : String(error)).split(/\n|\. /)[0] ?? '';
    return { missing: `${name} is not usable (${message}); skipped. It is an optional dependency: install its native build to compare with it.` };
  }
}

/** Runs `fn` with a fresh temporary directory, removed afterwards. */
async function inTempDir(name: string, fn: (dir: string) => Promise<void>): Promise<void> {
  const { dir, remove } = tempDir(`probe-${name}`);
  try {
    await fn(dir);
  } finally {
    remove();
  }
}

export function loadLmdb(): Promise<Loaded<LmdbModule>> {
  return importOptional<LmdbModule>('lmdb', (lmdb) =>
    inTempDir('lmdb', (dir) => lmdb.open({ path: dir, overlappingSync: false }).close()),
  );
}

export function loadClassicLevel(): Promise<Loaded<ClassicLevelModule>> {
  return importOptional<ClassicLevelModule>('classic-level', (level) =>
    inTempDir('level', async (dir) => {
      const db = new level.ClassicLevel(dir, { valueEncoding: 'json' });
      await db.open();
      await db.close();
    }),
  );
}

export function loadSqlite(): Promise<Loaded<SqliteModule>> {
  // better-sqlite3 loads its binding on the first `new Database`, so the probe opens one in memory.
  return importOptional<SqliteModule>('better-sqlite3', (sqlite) => {
    new sqlite.default(':memory:').close();
  });
}
