import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../../harness.js';

/**
 * The disk's own limits for a durable write of one small record, measured in the same run as the stores:
 * appending (each fdatasync also commits the file's new size to the journal) and overwriting space
 * already allocated and synced (fdatasync flushes data only). No store can beat these per commit.
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
    const zeros = Buffer.alloc(PREALLOCATE_CHUNK);
    for (let written = 0; written < count * recordBytes; written += zeros.length) writeSync(fd, zeros);
    fdatasyncSync(fd);
    const record = Buffer.alloc(recordBytes, 0x61);
    return rate(count, () => {
      for (let i = 0; i < count; i++) {
        writeSync(fd, record, 0, recordBytes, i * recordBytes);
        fdatasyncSync(fd);
      }
    });
  });
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
