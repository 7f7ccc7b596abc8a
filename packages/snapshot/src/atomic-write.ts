import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { isErrno, type FileHandle, type FileSystem } from './file-system.js';

/** What an atomic write accepts: one buffer, or chunks that are written as they come (never joined in memory). */
export type AtomicWriteData = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

/** Every temp file of `writeFileAtomic` ends with this, so leftovers of a crashed writer are recognisable. */
export const ATOMIC_TEMP_SUFFIX = '.kiln-tmp';

const tempNamePattern = /^.+\.\d+-[0-9a-f]{8}\.kiln-tmp$/;

/** Temp files of writes under way in this process; `cleanStaleTemps` leaves them alone. */
const activeTemps = new Set<string>();

/** True for a name `writeFileAtomic` gives its temp files: `<final name>.<pid>-<8 hex digits>.kiln-tmp`. */
export function isAtomicTempName(name: string): boolean {
  return tempNamePattern.test(name);
}

function tempPathFor(filePath: string): string {
  return `${filePath}.${process.pid}-${randomBytes(4).toString('hex')}${ATOMIC_TEMP_SUFFIX}`;
}

/**
 * Replaces `filePath` with `data` so that, whatever happens (crash, power loss, I/O error), the name holds
 * either its complete old content or the complete new content. Protocol: write a uniquely named temp file in
 * the same directory, fsync it, close it, rename it over `filePath`, fsync the directory. On failure the temp
 * file is removed (best effort) and the error propagates; when it is the final directory fsync that fails,
 * the new content is in place but may not survive power loss.
 */
export async function writeFileAtomic(fs: FileSystem, filePath: string, data: AtomicWriteData): Promise<void> {
  const tempPath = tempPathFor(filePath);
  const activeKey = path.resolve(tempPath);
  activeTemps.add(activeKey);
  let handle: FileHandle | undefined;
  let renamed = false;
  try {
    handle = await fs.open(tempPath, 'createExclusive');
    await writeAll(handle, data, filePath);
    await handle.sync();
    const closing = handle;
    handle = undefined;
    await closing.close();
    await fs.rename(tempPath, filePath);
    renamed = true;
    await fs.syncDirectory(path.dirname(filePath));
  } catch (error) {
    if (handle !== undefined) await handle.close().catch(() => undefined);
    if (!renamed) await fs.unlink(tempPath).catch(() => undefined);
    throw error;
  } finally {
    activeTemps.delete(activeKey);
  }
}

async function writeAll(handle: FileHandle, data: AtomicWriteData, filePath: string): Promise<void> {
  if (data instanceof Uint8Array) {
    await handle.write(data, 0);
    return;
  }
  let position = 0;
  for await (const chunk of data) {
    if (!(chunk instanceof Uint8Array)) {
      throw new TypeError(`writeFileAtomic('${filePath}'): chunk at byte ${position} is not a Uint8Array`);
    }
    if (chunk.length === 0) continue;
    await handle.write(chunk, position);
    position += chunk.length;
  }
}

/**
 * Removes the temp files that crashed `writeFileAtomic` calls left in `dir` (not those of writes under way
 * in this process). Call it when opening a directory. Returns the names removed.
 */
export async function cleanStaleTemps(fs: FileSystem, dir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await fs.readdir(dir)) {
    const tempPath = path.join(dir, name);
    if (!isAtomicTempName(name) || activeTemps.has(path.resolve(tempPath))) continue;
    try {
      await fs.unlink(tempPath);
      removed.push(name);
    } catch (error) {
      if (!isErrno(error, 'ENOENT')) throw error;
    }
  }
  return removed;
}
