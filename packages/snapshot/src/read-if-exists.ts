import { isErrno, type FileHandle, type FileSystem } from './file-system.js';

/** What `attempt` gives, or `undefined` when it fails because nothing is at the path. */
async function unlessMissing<T>(attempt: Promise<T>): Promise<T | undefined> {
  try {
    return await attempt;
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  }
}

/** The whole file, or `undefined` when nothing is at `filePath`. */
export function readFileIfExists(fs: FileSystem, filePath: string): Promise<Uint8Array | undefined> {
  return unlessMissing(fs.readFile(filePath));
}

/** The file opened for reading, or `undefined` when nothing is at `filePath`. */
export function openIfExists(fs: FileSystem, filePath: string): Promise<FileHandle | undefined> {
  return unlessMissing(fs.open(filePath, 'read'));
}
