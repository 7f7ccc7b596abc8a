import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import type { FileHandle, FileSystem } from '@kilndb/snapshot';

/** Largest buffer the copy and the zeroing use; a range may be as long as the log. */
const COPY_CHUNK_BYTES = 4 * 1024 * 1024;

/** Copies the log bytes `[from, to)` into a new, synced quarantine file beside the log; returns its path. */
export async function quarantineRange(
  fs: FileSystem,
  handle: FileHandle,
  filePath: string,
  from: number,
  to: number,
): Promise<string> {
  const quarantinePath = `${filePath}.quarantine-${Date.now()}-${randomBytes(4).toString('hex')}`;
  const out = await fs.open(quarantinePath, 'createExclusive');
  try {
    const chunk = new Uint8Array(Math.min(to - from, COPY_CHUNK_BYTES));
    for (let at = from; at < to; ) {
      const read = await handle.read(chunk.subarray(0, Math.min(chunk.length, to - at)), at);
      if (read === 0) break;
      await out.write(chunk.subarray(0, read), at - from);
      at += read;
    }
    await out.datasync();
  } finally {
    await out.close();
  }
  await fs.syncDirectory(path.dirname(filePath));
  return quarantinePath;
}

/** Overwrites the log bytes `[from, to)` with zeros (not synced: the caller syncs once for every range). */
export async function zeroRange(handle: FileHandle, from: number, to: number): Promise<void> {
  const zeros = new Uint8Array(Math.min(to - from, COPY_CHUNK_BYTES));
  for (let at = from; at < to; at += zeros.length) {
    await handle.write(zeros.subarray(0, Math.min(zeros.length, to - at)), at);
  }
}
