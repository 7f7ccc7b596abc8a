import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { copyJsonValue } from '@kilndb/payload-store/json';
import { crc32 } from '@kilndb/wal-format';
import { tempDir } from '../../harness.js';
import { docsFor } from './workloads.js';

/** Room for a batch's JSON; a batch of ~250-byte documents takes about a sixteenth of it. */
const BATCH_BUFFER_BYTES = 4 * 1024 * 1024;
/** Space written and synced ahead per document, more than one takes. */
const PREALLOCATED_BYTES_PER_DOC = 512;

/**
 * The least a store built as KilnDB is (documents held in memory, a CRC'd JSON log) does for a durable batch,
 * measured in the same run as the stores: each document checked and copied as JSON (the engine's own
 * `copyJsonValue`: bad input is a typed error, and a caller changing its object later cannot reach the kept
 * copy), JSON.stringify'd into one buffer with a CRC, and held in a Map; then one write and one fdatasync, on
 * the calling thread, into space written and synced beforehand. No system fields, record framing, planning,
 * indexes or promises. Documents are made before the clock starts, as in the batch rows. Returns documents per
 * second.
 */
export function batchFloor(count: number, batchSize: number): number {
  const { dir, remove } = tempDir('doc-peers-batch-floor');
  const fd = openSync(path.join(dir, 'floor.bin'), 'w+');
  try {
    const buffer = Buffer.allocUnsafe(BATCH_BUFFER_BYTES);
    buffer.fill(0);
    const preallocated = count * PREALLOCATED_BYTES_PER_DOC;
    for (let at = 0; at < preallocated; at += buffer.length) writeSync(fd, buffer, 0, Math.min(buffer.length, preallocated - at), at);
    fdatasyncSync(fd);
    const held = new Map<string, unknown>();
    let position = 0;
    let ns = 0n;
    for (let at = 0; at < count; at += batchSize) {
      const batch = docsFor(at, Math.min(batchSize, count - at));
      const start = process.hrtime.bigint();
      let used = 0;
      for (const [key, doc] of batch) {
        const result = copyJsonValue(doc);
        if (!('copy' in result)) throw new Error(`batch floor: document ${key} is not JSON`);
        const written = buffer.write(JSON.stringify(result.copy), used, 'utf8');
        buffer.writeUInt32LE(crc32(buffer, used, used + written), used + written);
        used += written + 4;
        held.set(key, result.copy);
      }
      writeSync(fd, buffer, 0, used, position);
      fdatasyncSync(fd);
      ns += process.hrtime.bigint() - start;
      position += used;
    }
    if (held.size !== count) throw new Error(`batch floor: held ${String(held.size)} of ${String(count)} documents`);
    return count / (Number(ns) / 1e9);
  } finally {
    closeSync(fd);
    remove();
  }
}
