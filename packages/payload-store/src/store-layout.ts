import * as path from 'node:path';
import { isErrno, type FileSystem } from '@kilndb/snapshot';
import { StoreLayoutError } from './errors.js';
import { COMPACTION_FILE } from './store-files.js';

/**
 * Names only a @kilndb/doc-engine database directory holds: its snapshots, its keyring, and `log`, the
 * directory of its log segments. Other names are left alone: a VelesDB collection directory keeps its
 * vectors, index and config beside the payload files.
 */
const DOC_ENGINE_FILES: readonly string[] = ['snapshot.kilndocs', 'snapshot.kilndocs.next', 'KEYRING'];
const DOC_ENGINE_LOG_DIR = 'log';

/**
 * Checks, before anything is written, that `directory` can be a store directory: absent (to be created), or
 * a directory holding no doc-engine database. Throws StoreLayoutError naming what is there otherwise.
 */
export async function checkStoreDirectory(fs: FileSystem, directory: string): Promise<void> {
  let stat;
  try {
    stat = await fs.stat(directory);
  } catch (error) {
    if (isErrno(error, 'ENOTDIR')) throw new StoreLayoutError(directory, 'cannot be a store directory: a part of the path is a file');
    throw error;
  }
  if (stat === undefined) return;
  if (!stat.isDirectory) throw new StoreLayoutError(directory, 'is a file, not a store directory');
  const names = await fs.readdir(directory);
  const found = names.filter((name) => DOC_ENGINE_FILES.includes(name));
  if (names.includes(DOC_ENGINE_LOG_DIR) && (await fs.stat(path.join(directory, DOC_ENGINE_LOG_DIR)))?.isDirectory === true) {
    found.push(`${DOC_ENGINE_LOG_DIR}/`);
  }
  if (found.length > 0) {
    throw new StoreLayoutError(
      directory,
      `holds a @kilndb/doc-engine database (${found.join(', ')}), not a payload store; open it with Database.open, or give the store a directory of its own`,
    );
  }
}

/** Creates the store directory; a parent that is a file is a StoreLayoutError, not a bare ENOTDIR. */
export async function makeStoreDirectory(fs: FileSystem, directory: string): Promise<void> {
  try {
    await fs.mkdir(directory);
  } catch (error) {
    if (isErrno(error, 'ENOTDIR') || isErrno(error, 'EEXIST')) throw new StoreLayoutError(directory, 'cannot be created: a part of the path is a file');
    throw error;
  }
}

/** Deletes a `payloads.log.compact` a crash left behind (it never became the log), durably. */
export async function removeStaleCompaction(fs: FileSystem, directory: string): Promise<void> {
  try {
    await fs.unlink(path.join(directory, COMPACTION_FILE));
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return;
    throw error;
  }
  await fs.syncDirectory(directory);
}
