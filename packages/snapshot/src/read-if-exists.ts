import { isErrno, type FileHandle, type FileSystem } from './file-system.js';

/** The whole file, or `undefined` when nothing is at `filePath`. */
export async function readFileIfExists(fs: FileSystem, filePath: string): Promise<Uint8Array | undefined> {
  try {
    return await fs.readFile(filePath);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  }
}

/** The file opened for reading, or `undefined` when nothing is at `filePath`. */
export async function openIfExists(fs: FileSystem, filePath: string): Promise<FileHandle | undefined> {
  try {
    return await fs.open(filePath, 'read');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  }
}
