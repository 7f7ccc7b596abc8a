import * as path from 'node:path';
import { isErrno, type FileSystem } from '@kilndb/snapshot';

/** Creates `dir` and any missing parents durably: after each mkdir the parent directory is synced. */
export async function ensureDirectory(fs: FileSystem, dir: string): Promise<void> {
  if ((await fs.stat(dir)) !== undefined) return;
  const parent = path.dirname(dir);
  if (parent !== dir) await ensureDirectory(fs, parent);
  await fs.mkdir(dir);
  await fs.syncDirectory(parent);
}

export async function removeIfPresent(fs: FileSystem, filePath: string): Promise<void> {
  try {
    await fs.unlink(filePath);
  } catch (error) {
    if (!isErrno(error, 'ENOENT')) throw error;
  }
}
