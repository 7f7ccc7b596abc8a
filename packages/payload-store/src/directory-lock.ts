import * as path from 'node:path';
import { isErrno, nodeFileSystem, type FileSystem } from '@kilndb/snapshot';
import { DirectoryLockedError } from './errors.js';

const LOCK_FILE = 'LOCK';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return isErrno(error, 'EPERM');
  }
}

/**
 * An exclusive claim on a directory for writing: a `LOCK` file holding the owner's pid, created with
 * O_EXCL. A lock left by a process that died (kill -9, power loss) is taken over once its pid is gone.
 */
export class DirectoryLock {
  private released = false;

  private constructor(
    readonly directory: string,
    private readonly fs: FileSystem,
  ) {}

  static async acquire(directory: string, fs: FileSystem = nodeFileSystem): Promise<DirectoryLock> {
    const lockPath = path.join(directory, LOCK_FILE);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const handle = await fs.open(lockPath, 'createExclusive');
        try {
          await handle.write(new TextEncoder().encode(`${process.pid}\n`), 0);
          await handle.datasync();
        } finally {
          await handle.close();
        }
        return new DirectoryLock(directory, fs);
      } catch (error) {
        if (!isErrno(error, 'EEXIST')) throw error;
      }
      const holder = await readHolder(fs, lockPath);
      if (holder !== undefined && isAlive(holder)) throw new DirectoryLockedError(directory, holder);
      // The holder is gone (or never wrote its pid): the lock is stale.
      try {
        await fs.unlink(lockPath);
      } catch (error) {
        if (!isErrno(error, 'ENOENT')) throw error;
      }
    }
    const holder = await readHolder(fs, lockPath);
    throw new DirectoryLockedError(directory, holder ?? -1);
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    try {
      await this.fs.unlink(path.join(this.directory, LOCK_FILE));
    } catch (error) {
      if (!isErrno(error, 'ENOENT')) throw error;
    }
  }
}

async function readHolder(fs: FileSystem, lockPath: string): Promise<number | undefined> {
  try {
    const text = new TextDecoder().decode(await fs.readFile(lockPath)).trim();
    const pid = Number(text);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  }
}
