import { isErrno, type FileSystem } from './file-system.js';

/** The whole file, or `undefined` when nothing is at `filePath`. */
export async function readFileIfExists(fs: FileSystem, filePath: string): Promise<Uint8Array | undefined> {
  try {
    return await fs.readFile(filePath);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  }
}
