import { constants, fdatasync, fdatasyncSync, promises as fsp, readSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { datasyncOnThread } from './sync-thread.js';

/**
 * How a file is opened:
 * - `read`: read only; the file must exist.
 * - `readWrite`: read and write; the file must exist.
 * - `create`: read and write; created when missing.
 * - `createExclusive`: read and write; fails with EEXIST when the file exists.
 * - `truncate`: read and write; created when missing, emptied when present.
 */
export type OpenMode = 'read' | 'readWrite' | 'create' | 'createExclusive' | 'truncate';

/** An open file. Every write is positional, so several may be under way without a shared cursor. */
export interface FileHandle {
  readonly path: string;
  /** Writes all of `data` at `position`. */
  write(data: Uint8Array, position: number): Promise<void>;
  /**
   * Synchronous `write`, for a log's group commit: handing bytes to the page cache costs less than a
   * thread-pool hop, and it lets the fdatasync that follows start at once.
   */
  writeSync(data: Uint8Array, position: number): void;
  /** Reads up to `into.length` bytes at `position`; returns the count read (short at the end of the file). */
  read(into: Uint8Array, position: number): Promise<number>;
  /** Synchronous positional read, for hot read paths where a thread-pool hop costs more than the read. */
  readSync(into: Uint8Array, position: number): number;
  /** Makes the file's data (and the metadata needed to read it, such as its size) durable: fdatasync. */
  datasync(): Promise<void>;
  /**
   * Synchronous `datasync`, for a log committing alone on a quick disk: waiting on the calling thread
   * saves the two thread wake-ups of a thread-pool hop, about a third of a commit there. Optional: a handle
   * without it has every fdatasync made through `datasync`.
   */
  datasyncSync?(): void;
  /** Makes the file's data and all its metadata durable: fsync. */
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  size(): Promise<number>;
  close(): Promise<void>;
}

export interface FileStat {
  readonly size: number;
  readonly isDirectory: boolean;
}

/**
 * The file API every KilnDB package does its I/O through. `nodeFileSystem` is the real one;
 * tests swap in a fault-injecting one to drop unsynced data, tear writes or fail with EIO/ENOSPC.
 */
export interface FileSystem {
  open(filePath: string, mode: OpenMode): Promise<FileHandle>;
  /** The whole file; rejects with ENOENT when it is missing. */
  readFile(filePath: string): Promise<Uint8Array>;
  /** Atomically replaces `to` with `from` (durable only after `syncDirectory` of the parent). */
  rename(from: string, to: string): Promise<void>;
  unlink(filePath: string): Promise<void>;
  /** Names in a directory; an empty list when it is missing. */
  readdir(dir: string): Promise<string[]>;
  /** Creates the directory and its parents; no error when it exists. */
  mkdir(dir: string): Promise<void>;
  /** `undefined` when nothing is at the path. */
  stat(filePath: string): Promise<FileStat | undefined>;
  /** Makes the directory's entries (creates, renames, unlinks) durable. */
  syncDirectory(dir: string): Promise<void>;
}

const openFlags: Record<OpenMode, number> = {
  read: constants.O_RDONLY,
  readWrite: constants.O_RDWR,
  create: constants.O_RDWR | constants.O_CREAT,
  createExclusive: constants.O_RDWR | constants.O_CREAT | constants.O_EXCL,
  truncate: constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC,
};

class NodeFileHandle implements FileHandle {
  private readonly syncsRunning = new Set<Promise<void>>();

  constructor(
    readonly path: string,
    private readonly handle: fsp.FileHandle,
  ) {}

  async write(data: Uint8Array, position: number): Promise<void> {
    let done = 0;
    while (done < data.length) {
      const { bytesWritten } = await this.handle.write(data, done, data.length - done, position + done);
      done += bytesWritten;
    }
  }

  writeSync(data: Uint8Array, position: number): void {
    let done = 0;
    while (done < data.length) {
      done += writeSync(this.handle.fd, data, done, data.length - done, position + done);
    }
  }

  async read(into: Uint8Array, position: number): Promise<number> {
    let done = 0;
    while (done < into.length) {
      const { bytesRead } = await this.handle.read(into, done, into.length - done, position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done;
  }

  readSync(into: Uint8Array, position: number): number {
    let done = 0;
    while (done < into.length) {
      const bytesRead = readSync(this.handle.fd, into, done, into.length - done, position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done;
  }

  /**
   * On KilnDB's sync thread when it can take the request (see sync-thread.ts: a log's fdatasyncs then cost
   * the event loop no thread wake-up), else through the callback API on the descriptor, which per call costs
   * the event loop about 7 µs less than the promise API's FileHandle.datasync. `close` waits for these syncs,
   * as FileHandle.close waits for its own operations.
   */
  datasync(): Promise<void> {
    const fd = this.handle.fd;
    const running =
      (fd >= 0 ? datasyncOnThread(fd) : undefined) ??
      new Promise<void>((resolve, reject) => {
        // Throws at once on a closed handle (its descriptor is -1): the promise rejects.
        fdatasync(fd, (error) => {
          if (error === null) resolve();
          else reject(error);
        });
      });
    this.syncsRunning.add(running);
    const ended = (): void => {
      this.syncsRunning.delete(running);
    };
    running.then(ended, ended);
    return running;
  }

  datasyncSync(): void {
    fdatasyncSync(this.handle.fd);
  }

  sync(): Promise<void> {
    return this.handle.sync();
  }

  truncate(length: number): Promise<void> {
    return this.handle.truncate(length);
  }

  async size(): Promise<number> {
    return (await this.handle.stat()).size;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.syncsRunning);
    await this.handle.close();
  }
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

/** The real file system, through `node:fs`. */
export const nodeFileSystem: FileSystem = {
  async open(filePath, mode) {
    return new NodeFileHandle(filePath, await fsp.open(filePath, openFlags[mode], 0o644));
  },
  async readFile(filePath) {
    return fsp.readFile(filePath);
  },
  rename: (from, to) => fsp.rename(from, to),
  unlink: (filePath) => fsp.unlink(filePath),
  async readdir(dir) {
    try {
      return await fsp.readdir(dir);
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return [];
      throw error;
    }
  },
  async mkdir(dir) {
    await fsp.mkdir(dir, { recursive: true });
  },
  async stat(filePath) {
    try {
      const stats = await fsp.stat(filePath);
      return { size: stats.size, isDirectory: stats.isDirectory() };
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return undefined;
      throw error;
    }
  },
  async syncDirectory(dir) {
    const handle = await fsp.open(path.resolve(dir), constants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
};

export { isErrno };
