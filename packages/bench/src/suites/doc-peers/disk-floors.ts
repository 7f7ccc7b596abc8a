import { closeSync, fdatasync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../../harness.js';

/**
 * The disk's own limits for a durable write of one small record, measured in the same run as the stores:
 * appending (each fdatasync also commits the file's new size to the journal) and overwriting space
 * already allocated and synced (fdatasync flushes data only). No store can beat these per commit. A third
 * overwrites with each fdatasync on libuv's thread pool, as Node's asynchronous I/O does it: the two thread
 * wake-ups of that hop are what a store that never blocks its event loop pays per commit on top.
 */

const PREALLOCATE_CHUNK = 1024 * 1024;

/** Writes `count` records of `recordBytes` at the end of a new file, each followed by fdatasync; returns writes/s. */
export function appendFloor(count: number, recordBytes: number): number {
  return withFile('append', 'a', (fd) => {
    const record = Buffer.alloc(recordBytes, 0x61);
    return rate(count, () => {
      for (let i = 0; i < count; i++) {
        writeSync(fd, record);
        fdatasyncSync(fd);
      }
    });
  });
}

/**
 * Preallocates (zeros written and synced, untimed) then overwrites the same file from its start, one record
 * and one fdatasync at a time; returns writes/s.
 */
export function overwriteFloor(count: number, recordBytes: number): number {
  return withFile('overwrite', 'w+', (fd) => {
    preallocate(fd, count * recordBytes);
    const record = Buffer.alloc(recordBytes, 0x61);
    return rate(count, () => {
      for (let i = 0; i < count; i++) {
        writeSync(fd, record, 0, recordBytes, i * recordBytes);
        fdatasyncSync(fd);
      }
    });
  });
}

/** `overwriteFloor` with each fdatasync made through the thread pool (fs.fdatasync, awaited); returns writes/s. */
export async function pooledOverwriteFloor(count: number, recordBytes: number): Promise<number> {
  const { dir, remove } = tempDir('doc-peers-pooled');
  const fd = openSync(path.join(dir, 'pooled.bin'), 'w+');
  try {
    preallocate(fd, count * recordBytes);
    const record = Buffer.alloc(recordBytes, 0x61);
    const start = process.hrtime.bigint();
    for (let i = 0; i < count; i++) {
      writeSync(fd, record, 0, recordBytes, i * recordBytes);
      await new Promise<void>((resolve, reject) => {
        fdatasync(fd, (error) => {
          if (error === null) resolve();
          else reject(error);
        });
      });
    }
    return count / (Number(process.hrtime.bigint() - start) / 1e9);
  } finally {
    closeSync(fd);
    remove();
  }
}

/** Writes and syncs zeros over the first `bytes` of the file (untimed). */
function preallocate(fd: number, bytes: number): void {
  const zeros = Buffer.alloc(PREALLOCATE_CHUNK);
  for (let written = 0; written < bytes; written += zeros.length) writeSync(fd, zeros);
  fdatasyncSync(fd);
}

function withFile(name: string, flags: string, fn: (fd: number) => number): number {
  const { dir, remove } = tempDir(`doc-peers-${name}`);
  const fd = openSync(path.join(dir, `${name}.bin`), flags);
  try {
    return fn(fd);
  } finally {
    closeSync(fd);
    remove();
  }
}

function rate(count: number, fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return count / (Number(process.hrtime.bigint() - start) / 1e9);
}
