import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeFileSystem, type FileSystem } from '@kilndb/snapshot';
import { encodeStore, storeRecordSize } from '@kilndb/wal-format';
import { AppendLog } from './append-log.js';
import { readLog } from './log-reader.js';
import type { LogWarning } from './log-options.js';
import { openLog as open } from '../test-support/open-log.js';
import { tempDir } from '../test-support/temp-dir.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const payloadOf = (i: number): string => `record ${i} ${'x'.repeat(i % 40)}`;

async function writeRecords(log: AppendLog, from: number, count: number): Promise<void> {
  await Promise.all(Array.from({ length: count }, (_, i) => log.appendBytes(encodeStore(from + i, text(payloadOf(from + i))))));
}

const quarantined = (dir: string): string[] => readdirSync(dir).filter((name) => name.includes('.quarantine-'));
const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);

/** Writes `count` records through a preallocating log and returns the file as a crash would leave it (not closed). */
async function crashedLog(dir: string, count: number): Promise<{ bytes: Uint8Array; dataEnd: number }> {
  const livePath = path.join(dir, 'live.log');
  const { log } = await open(livePath);
  await writeRecords(log, 1, count);
  const bytes = readFileSync(livePath);
  const dataEnd = log.size;
  await log.close();
  return { bytes, dataEnd };
}

describe('preallocated log segments', () => {
  it('grows the file with zeros ahead of the appends, reports real bytes, and trims the zeros on close', async () => {
    const dir = tempDir('prealloc-grow');
    const logPath = path.join(dir, 'test.log');
    const { log } = await open(logPath);
    await writeRecords(log, 1, 10);
    const dataEnd = 10 * storeRecordSize(0) + range(1, 10).reduce((n, i) => n + payloadOf(i).length, 0);
    expect(log.size).toBe(dataEnd);
    expect(log.stats()).toMatchObject({ size: dataEnd, writtenBytes: dataEnd, syncedBytes: dataEnd });
    expect(statSync(logPath).size).toBeGreaterThanOrEqual(dataEnd + 64 * 1024);
    expect(readFileSync(logPath).subarray(dataEnd).every((b) => b === 0)).toBe(true);
    await log.close();
    expect(statSync(logPath).size).toBe(dataEnd);
  });

  it('reopens a crashed log with a zero tail with every record, no warning and no quarantine, and appends after the last record', async () => {
    const dir = tempDir('prealloc-crash');
    const { bytes, dataEnd } = await crashedLog(dir, 50);
    expect(bytes.length).toBeGreaterThan(dataEnd);
    const logPath = path.join(dir, 'crashed.log');
    writeFileSync(logPath, bytes);

    const { log, ids, warnings } = await open(logPath);
    expect(ids).toEqual(range(1, 50));
    expect(warnings).toEqual([]);
    expect(log.replay).toMatchObject({ truncatedBytes: 0, corruptRecords: 0, damage: [], zeroTailBytes: bytes.length - dataEnd });
    expect(log.replay.end).toMatchObject({ validEnd: dataEnd, stop: 'end', tailBytes: 0 });
    expect(log.size).toBe(dataEnd);
    // The zeros stay: the next append lands in them, right after the last record, without growing the file.
    expect(await log.appendBytes(encodeStore(51, text(payloadOf(51))))).toBe(dataEnd);
    expect(statSync(logPath).size).toBe(bytes.length);
    await log.close();
    expect(quarantined(dir)).toEqual([]);

    const again = await open(logPath);
    expect(again.ids).toEqual(range(1, 51));
    expect(again.warnings).toEqual([]);
    await again.log.close();
  });

  it('reads a sealed segment with a zero tail as ending cleanly, and starts a replay at the zeros without complaint', async () => {
    const dir = tempDir('prealloc-reader');
    const { bytes, dataEnd } = await crashedLog(dir, 20);
    const logPath = path.join(dir, 'sealed.log');
    writeFileSync(logPath, bytes);
    const warnings: LogWarning[] = [];
    const ids: number[] = [];
    const summary = await readLog(logPath, {
      onRecord: ({ record }) => ids.push(Number(record.id)),
      onWarning: (w) => warnings.push(w),
    });
    expect(ids).toEqual(range(1, 20));
    expect(warnings).toEqual([]);
    expect(summary).toMatchObject({ zeroTailBytes: bytes.length - dataEnd, end: { validEnd: dataEnd, stop: 'end', tailBytes: 0 } });
    // A snapshot taken at the end of the data points at the first zero: that is the end, not a bad start.
    const fromEnd = await readLog(logPath, { replayFrom: dataEnd });
    expect(fromEnd).toMatchObject({ records: 0, end: { validEnd: dataEnd, stop: 'end' } });
    expect(readFileSync(logPath)).toEqual(Buffer.from(bytes));
  });

  it('quarantines zeros followed by garbage as a torn tail, as before preallocation', async () => {
    const dir = tempDir('prealloc-garbage');
    const { bytes, dataEnd } = await crashedLog(dir, 20);
    const damaged = bytes.slice();
    damaged.set([0x13, 0x37, 0x42], dataEnd + 5000);
    const logPath = path.join(dir, 'damaged.log');
    writeFileSync(logPath, damaged);

    const { log, ids, warnings } = await open(logPath);
    expect(ids).toEqual(range(1, 20));
    expect(warnings.map((w) => w.code)).toEqual(['torn-tail']);
    expect(log.replay).toMatchObject({ truncatedBytes: damaged.length - dataEnd, zeroTailBytes: 0 });
    expect(log.replay.end).toMatchObject({ validEnd: dataEnd, stop: 'unknown', stopOffset: dataEnd });
    const files = quarantined(dir);
    expect(files).toHaveLength(1);
    expect(readFileSync(path.join(dir, files[0] ?? ''))).toEqual(Buffer.from(damaged.subarray(dataEnd)));
    expect(statSync(logPath).size).toBe(dataEnd);
    await log.close();
  });

  it('quarantines a torn last record followed by zeros, and keeps the records before it', async () => {
    const dir = tempDir('prealloc-torn');
    const { bytes, dataEnd } = await crashedLog(dir, 20);
    const torn = bytes.slice();
    const last = encodeStore(21, text('a record whose end never reached the disk'));
    torn.set(last.subarray(0, 20), dataEnd);
    const logPath = path.join(dir, 'torn.log');
    writeFileSync(logPath, torn);

    const { log, ids, warnings } = await open(logPath);
    expect(ids).toEqual(range(1, 20));
    expect(warnings.map((w) => w.code)).toContain('torn-tail');
    expect(log.replay.end.validEnd).toBe(dataEnd);
    expect(log.replay.truncatedBytes).toBe(torn.length - dataEnd);
    expect(quarantined(dir)).toHaveLength(1);
    expect(await log.appendBytes(encodeStore(22, text('after')))).toBe(dataEnd);
    await log.close();
  });

  it('fails the group whose zero write fails, then appends without preallocating', async () => {
    const dir = tempDir('prealloc-enospc');
    const logPath = path.join(dir, 'test.log');
    let writeCalls = 0;
    const fs: FileSystem = {
      ...nodeFileSystem,
      open: async (filePath, mode) => {
        const handle = await nodeFileSystem.open(filePath, mode);
        return Object.assign(Object.create(handle) as typeof handle, {
          writeSync: (data: Uint8Array, position: number): void => {
            // The first write is the preallocation's zeros: the disk is full for it.
            if (writeCalls++ === 0) throw Object.assign(new Error('ENOSPC: no space left'), { code: 'ENOSPC' });
            handle.writeSync(data, position);
          },
        });
      },
    };
    const { log } = await open(logPath, { fs });
    await expect(log.appendBytes(encodeStore(1, text('lost')))).rejects.toMatchObject({ name: 'LogWriteError', code: 'ENOSPC' });
    expect(log.size).toBe(0);
    expect(await log.appendBytes(encodeStore(2, text('kept')))).toBe(0);
    expect(statSync(logPath).size).toBe(storeRecordSize(4));
    await log.close();
    expect((await readLog(logPath)).records).toBe(1);
  });

  it('takes 0 as no preallocation at all', async () => {
    const dir = tempDir('prealloc-off');
    const logPath = path.join(dir, 'test.log');
    const { log } = await open(logPath, { preallocateBytes: 0 });
    await writeRecords(log, 1, 5);
    expect(statSync(logPath).size).toBe(log.size);
    await log.close();
  });
});
