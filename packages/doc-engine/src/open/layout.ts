import * as path from 'node:path';
import { COMPACTION_FILE, LOG_FILE, SNAPSHOT_FILE as PAYLOAD_SNAPSHOT_FILE } from '@kilndb/payload-store/store-files';
import { isAtomicTempName, type FileSystem } from '@kilndb/snapshot';
import { KEYRING_FILE } from '../crypto/index.js';
import { DatabaseLayoutError } from '../errors.js';
import { LOG_DIR } from '../log/segments.js';
import { BACKUP_DIR, NEXT_SNAPSHOT_FILE, SNAPSHOT_FILE } from '../snapshot/snapshot-store.js';

/** DirectoryLock's file. */
const LOCK_FILE = 'LOCK';
/** Files only a database holds (a LOCK alone does not make one: it may be all a first open left). */
const DATABASE_FILES: readonly string[] = [KEYRING_FILE, SNAPSHOT_FILE, NEXT_SNAPSHOT_FILE];
/** Directories only a database holds. */
const DATABASE_DIRS: readonly string[] = [LOG_DIR, BACKUP_DIR];
const LISTED = 5;

/**
 * Checks, before anything is written, that the existing directory `dir` can be opened as a database:
 * - a directory holding a @kilndb/payload-store store (its log, snapshot or their side files) is refused;
 * - so is one holding files this engine does not recognise and no database: a wrong path, not a database.
 * Beside an existing database other names are left alone (a server keeps its own files there).
 * Throws DatabaseLayoutError naming what was found.
 */
export async function checkDatabaseDirectory(fs: FileSystem, dir: string): Promise<void> {
  const names = (await fs.readdir(dir)).sort();
  const payloadFiles = names.filter((name) => name === LOG_FILE || name === PAYLOAD_SNAPSHOT_FILE || name === COMPACTION_FILE || name.startsWith(`${LOG_FILE}.`));
  if (payloadFiles.length > 0) {
    throw new DatabaseLayoutError(
      dir,
      `holds a @kilndb/payload-store store (${list(payloadFiles)}), not a database; open it with PayloadStore.open, or give the database a directory of its own`,
    );
  }
  const unknown = names.filter((name) => name !== LOCK_FILE && !DATABASE_FILES.includes(name) && !DATABASE_DIRS.includes(name) && !isAtomicTempName(name));
  if (unknown.length === 0 || (await holdsDatabase(fs, dir, names))) return;
  throw new DatabaseLayoutError(
    dir,
    `is not a database directory: it holds ${list(unknown)}, which this engine does not recognise, and no database; ` +
      'give the database a directory of its own (new or empty)',
  );
}

async function holdsDatabase(fs: FileSystem, dir: string, names: readonly string[]): Promise<boolean> {
  if (names.some((name) => DATABASE_FILES.includes(name))) return true;
  for (const name of names) {
    if (DATABASE_DIRS.includes(name) && (await fs.stat(path.join(dir, name)))?.isDirectory === true) return true;
  }
  return false;
}

function list(names: readonly string[]): string {
  const shown = names.slice(0, LISTED).join(', ');
  return names.length > LISTED ? `${shown} and ${names.length - LISTED} more` : shown;
}
