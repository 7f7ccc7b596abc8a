import * as path from 'node:path';
import { isErrno, nodeFileSystem, writeFileAtomic, type FileSystem } from '@kilndb/snapshot';
import { Database } from '../database.js';
import { ensureDirectory } from '../open/directories.js';
import { InvalidOptionError } from '../errors.js';
import type { DatabaseOptions } from '../options.js';
import { formatMoltenLogEntry } from './log-entry.js';

export interface ExportJsonlOptions {
  /** Options to open the KilnDB database with (`encryptionKey`, `fs`, `clock`); it is opened read-only. */
  readonly database?: DatabaseOptions;
}

export interface JsonlExportSummary {
  readonly dir: string;
  readonly out: string;
  /** Documents written, per collection. */
  readonly collections: Record<string, number>;
  readonly documents: number;
  /** The `_t` every line carries: the time of the export, in Unix milliseconds. */
  readonly time: number;
}

const CHUNK_CHARS = 256 * 1024;

/**
 * Writes the current state of the KilnDB database in `dir` to `out` as a MoltenDB 0.x log: one
 * `{"cmd":"INSERT","collection","key","value","_t"}` line per document, `value` being the document's fields
 * with its version as `_v` (MoltenDB's version field). MoltenDB, or `importMoltenDb`, loads it as is. The file
 * is replaced atomically, so a crash leaves the old `out` or the whole new one. A missing directory of `out`
 * is created; one that cannot be (a part of its path is a file) is an InvalidOptionError naming it.
 */
export async function exportJsonl(dir: string, out: string, options: ExportJsonlOptions = {}): Promise<JsonlExportSummary> {
  const fs = options.database?.fs ?? nodeFileSystem;
  const time = (options.database?.clock ?? Date.now)();
  const db = await Database.open(dir, { ...options.database, fs, readOnly: true });
  const collections = new Map<string, number>();
  let documents = 0;
  try {
    function* chunks(): Generator<Uint8Array> {
      let pending = '';
      for (const name of db.collections()) {
        const collection = db.collection(name);
        let written = 0;
        for (const key of collection.keys()) {
          const doc = collection.get(key);
          if (doc === undefined) continue;
          const { _key: _ignored, ...value } = doc;
          pending += formatMoltenLogEntry({ cmd: 'INSERT', collection: name, key, value, _t: time }) + '\n';
          written++;
          if (pending.length >= CHUNK_CHARS) {
            yield Buffer.from(pending, 'utf8');
            pending = '';
          }
        }
        if (written > 0) collections.set(name, written);
        documents += written;
      }
      if (pending.length > 0) yield Buffer.from(pending, 'utf8');
    }
    await ensureOutputDirectory(fs, path.dirname(path.resolve(out)));
    await writeFileAtomic(fs, out, chunks());
  } finally {
    await db.close();
  }
  return { dir: path.resolve(dir), out, collections: Object.fromEntries(collections), documents, time };
}

async function ensureOutputDirectory(fs: FileSystem, dir: string): Promise<void> {
  const cannot = (): InvalidOptionError => new InvalidOptionError('out', `cannot create the directory ${dir}: a part of its path is a file`);
  try {
    const stat = await fs.stat(dir);
    if (stat !== undefined && !stat.isDirectory) throw cannot();
    await ensureDirectory(fs, dir);
  } catch (error) {
    if (isErrno(error, 'ENOTDIR') || isErrno(error, 'EEXIST')) throw cannot();
    throw error;
  }
}
