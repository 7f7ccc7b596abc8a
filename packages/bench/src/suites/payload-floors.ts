import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { scanBuffer } from '@kilndb/wal-format';

/**
 * Floors: the least work any store doing what KilnDB does (JSON values, a CRC per record, a log file read
 * with pread) must spend, with everything else taken away. They show how far a goal set against a peer is
 * reachable on this machine at all; they are not stores and keep nothing.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The CPU of the put path alone: `writers` closed-loop writers, each awaiting puts that JSON-encode their
 * value, UTF-8 encode it into a shared buffer and CRC it, one promise per put, settled a group at a time on
 * the next turn of the event loop. No I/O, no index, no framing.
 */
export async function putCpuFloor(count: number, writers: number, makeValue: (id: number) => unknown): Promise<number> {
  const buffer = new Uint8Array(16 * 1024 * 1024);
  let used = 0;
  let waiting: (() => void)[] = [];
  const settleGroup = (): void => {
    const group = waiting;
    waiting = [];
    used = 0;
    for (const settle of group) settle();
  };
  const put = (value: unknown): Promise<void> => {
    const text = JSON.stringify(value);
    const length = Buffer.byteLength(text);
    const into = buffer.subarray(used, used + length);
    encoder.encodeInto(text, into);
    crc32(into);
    used += length;
    return new Promise<void>((resolve) => {
      if (waiting.push(resolve) === 1) setImmediate(settleGroup);
    });
  };
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      for (let id = writer; id < count; id += writers) await put(makeValue(id));
    }),
  );
  return count / (Number(process.hrtime.bigint() - start) / 1e9);
}

/**
 * A random get with nothing but the unavoidable: offsets from a plain array, one pread of the record,
 * its CRC checked, the payload UTF-8 decoded and JSON.parse'd. Reads the KilnDB log at `logPath`.
 */
export function getFloor(logPath: string, ids: readonly number[]): number {
  const { offsets, sizes } = recordPlaces(logPath);
  // The scan read the whole log into memory: collect it now rather than during the timed loop.
  (globalThis as { gc?: () => void }).gc?.();
  const fd = openSync(logPath, 'r');
  const buffer = Buffer.alloc(64 * 1024);
  let sink = 0;
  try {
    const start = process.hrtime.bigint();
    for (const id of ids) {
      const size = sizes[id] ?? 0;
      readSync(fd, buffer, 0, size, offsets[id] ?? 0);
      const end = size - 4;
      if (crc32(buffer.subarray(0, end)) !== buffer.readUInt32LE(end)) throw new Error(`record ${id} fails its CRC`);
      sink += (JSON.parse(decoder.decode(buffer.subarray(13, end))) as { id: number }).id;
    }
    const rate = ids.length / (Number(process.hrtime.bigint() - start) / 1e9);
    return sink === Number.MIN_VALUE ? 0 : rate;
  } finally {
    closeSync(fd);
  }
}

/** Where each id's latest store record starts, and its size. */
function recordPlaces(logPath: string): { offsets: number[]; sizes: number[] } {
  const offsets: number[] = [];
  const sizes: number[] = [];
  for (const { offset, record } of scanBuffer(readFileSync(logPath)).entries) {
    if (record.type !== 'store') continue;
    offsets[Number(record.id)] = offset;
    sizes[Number(record.id)] = record.size;
  }
  return { offsets, sizes };
}
