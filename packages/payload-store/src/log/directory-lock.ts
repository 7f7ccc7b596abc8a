import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { isErrno, nodeFileSystem, type FileSystem } from '@kilndb/snapshot';
import { DirectoryLockedError } from '../errors.js';

const LOCK_FILE = 'LOCK';
/** How long a lock file may stay empty (its creator has not written it yet) before it counts as stale. */
const EMPTY_LOCK_PATIENCE_MS = 250;
/** How long a process that took over a stale lock waits before checking that no one else took it too. */
const TAKEOVER_SETTLE_MS = 50;

/** What a lock file says: `pid`, then this boot's id (Linux), then a token unique to the acquisition. */
interface Holder {
  readonly pid: number;
  readonly bootId: string;
  readonly token: string;
}

let bootId: string | undefined;

/**
 * The kernel's id of the current boot (empty where there is none): a lock written before a reboot is stale
 * even if its pid is in use again. Read once, on the first lock taken, not when the module loads.
 */
function currentBootId(): string {
  if (bootId === undefined) {
    try {
      bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      bootId = '';
    }
  }
  return bootId;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return isErrno(error, 'EPERM');
  }
}

function isStale(holder: Holder | undefined): boolean {
  if (holder === undefined) return true;
  if (holder.bootId !== '' && currentBootId() !== '' && holder.bootId !== currentBootId()) return true;
  return !isAlive(holder.pid);
}

/**
 * An exclusive claim on a directory for writing: a `LOCK` file created with O_EXCL, holding the owner's
 * pid, the boot id and a random token. A lock left by a process that died (kill -9, power loss, a reboot)
 * is taken over; a lock still being written is waited for, not taken; and of two processes taking over the
 * same stale lock at once, the one whose lock file is there after a short wait keeps it, the other gets
 * `DirectoryLockedError`.
 */
export class DirectoryLock {
  private released = false;

  private constructor(
    readonly directory: string,
    private readonly fs: FileSystem,
    private readonly token: string,
  ) {}

  static async acquire(directory: string, fs: FileSystem = nodeFileSystem): Promise<DirectoryLock> {
    const lockPath = path.join(directory, LOCK_FILE);
    const token = randomBytes(8).toString('hex');
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await tryCreate(fs, lockPath, token)) {
        if (attempt > 0) {
          // Another process may have found the same stale lock and replaced it a moment after us.
          await delay(TAKEOVER_SETTLE_MS);
          const holder = await readHolder(fs, lockPath);
          if (holder?.token !== token) throw new DirectoryLockedError(directory, holder?.pid ?? -1);
        }
        return new DirectoryLock(directory, fs, token);
      }
      const holder = await readSettledHolder(fs, lockPath);
      if (!isStale(holder)) throw new DirectoryLockedError(directory, holder?.pid ?? -1);
      try {
        await fs.unlink(lockPath);
      } catch (error) {
        if (!isErrno(error, 'ENOENT')) throw error;
      }
    }
    const holder = await readHolder(fs, lockPath);
    throw new DirectoryLockedError(directory, holder?.pid ?? -1);
  }

  /** Removes the lock file, unless it is no longer this lock's. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    const lockPath = path.join(this.directory, LOCK_FILE);
    if ((await readHolder(this.fs, lockPath))?.token !== this.token) return;
    try {
      await this.fs.unlink(lockPath);
    } catch (error) {
      if (!isErrno(error, 'ENOENT')) throw error;
    }
  }
}

async function tryCreate(fs: FileSystem, lockPath: string, token: string): Promise<boolean> {
  let handle;
  try {
    handle = await fs.open(lockPath, 'createExclusive');
  } catch (error) {
    if (isErrno(error, 'EEXIST')) return false;
    throw error;
  }
  try {
    await handle.write(new TextEncoder().encode(`${process.pid}\n${currentBootId()}\n${token}\n`), 0);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  return true;
}

/** The holder, waiting a little while the file is empty: its creator writes it right after creating it. */
async function readSettledHolder(fs: FileSystem, lockPath: string): Promise<Holder | undefined> {
  const deadline = Date.now() + EMPTY_LOCK_PATIENCE_MS;
  for (;;) {
    const text = await readLockFile(fs, lockPath);
    const holder = text === undefined ? undefined : parseHolder(text);
    if (text === undefined || holder !== undefined || Date.now() >= deadline) return holder;
    await delay(10);
  }
}

async function readHolder(fs: FileSystem, lockPath: string): Promise<Holder | undefined> {
  const text = await readLockFile(fs, lockPath);
  return text === undefined ? undefined : parseHolder(text);
}

/** The lock file's text, or `undefined` when there is none. */
async function readLockFile(fs: FileSystem, lockPath: string): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await fs.readFile(lockPath));
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  }
}

/** `undefined` when the text holds no pid. Lock files written by older versions hold only the pid. */
function parseHolder(text: string): Holder | undefined {
  const [pidText = '', bootId = '', token = ''] = text.split('\n').map((line) => line.trim());
  const pid = Number(pidText);
  return Number.isSafeInteger(pid) && pid > 0 ? { pid, bootId, token } : undefined;
}
