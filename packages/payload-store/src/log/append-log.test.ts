import { mkdtempSync, readFileSync, readdirSync, rmSync, appendFileSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeFileSystem, type FileSystem } from '@kilndb/snapshot';
import { wrapHandles } from '@kilndb/snapshot/testing';
import { decodeRecord, encodeDelete, encodeStore, encodeStoreInto, storeRecordSize, type ScanEntry } from '@kilndb/wal-format';
import { AppendLog } from './append-log.js';
import type { LogWarning } from './log-options.js';
import { LogClosedError, LogFailedError, LogReadOnlyError, LogWriteError, ReplayStartError } from '../errors.js';

let dir: string;
let logPath: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kilndb-append-log-'));
  logPath = path.join(dir, 'test.log');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

function appendStore(log: AppendLog, id: number, payload: string, options?: { defer: boolean }): Promise<number> {
  const bytes = text(payload);
  return log.append(storeRecordSize(bytes.length), (buf, at) => encodeStoreInto(buf, at, id, bytes), options);
}

async function replayAll(options: Parameters<typeof AppendLog.open>[1] = {}): Promise<{ log: AppendLog; seen: ScanEntry[] }> {
  const seen: ScanEntry[] = [];
  const log = await AppendLog.open(logPath, { ...options, onRecord: (e) => seen.push(e) });
  return { log, seen };
}

function payloadText(entry: ScanEntry | undefined): string {
  if (entry?.record.type !== 'store') throw new Error(`expected a store record, got ${entry?.record.type}`);
  return new TextDecoder().decode(entry.record.payload);
}

/** Fails chosen calls, the way a full or failing disk would: each plan entry is the next call's errno ('' lets it pass). */
function failingFs(plan: { write?: string[]; datasync?: string[] }): FileSystem & { calls: Record<string, number> } {
  const calls: Record<string, number> = { write: 0, datasync: 0 };
  const failNext = (op: 'write' | 'datasync'): void => {
    calls[op] = (calls[op] ?? 0) + 1;
    const code = plan[op]?.shift();
    if (code !== undefined && code !== '') {
      throw Object.assign(new Error(`${code}: injected ${op} failure`), { code });
    }
  };
  const fs = wrapHandles(nodeFileSystem, (inner) => ({
    write: async (data, position) => {
      failNext('write');
      return inner.write(data, position);
    },
    writeSync: (data, position) => {
      failNext('write');
      inner.writeSync(data, position);
    },
    datasync: async () => {
      failNext('datasync');
      return inner.datasync();
    },
  }));
  return { ...fs, calls };
}

/**
 * Every fdatasync held, after the real one ran, until the test releases it. `tearWriteSync: n` makes the
 * n-th synchronous write land half its bytes, then fail with ENOSPC.
 */
function heldSyncs(faults: { tearWriteSync?: number } = {}): { fs: FileSystem; held: { release: () => void }[] } {
  const held: { release: () => void }[] = [];
  let writeSyncs = 0;
  const fs = wrapHandles(nodeFileSystem, (inner) => ({
    writeSync: (data, position) => {
      if (++writeSyncs === faults.tearWriteSync) {
        inner.writeSync(data.subarray(0, data.length >> 1), position);
        throw Object.assign(new Error('ENOSPC: injected torn write'), { code: 'ENOSPC' });
      }
      inner.writeSync(data, position);
    },
    datasync: async () => {
      const release = new Promise<void>((resolve) => held.push({ release: resolve }));
      await Promise.all([inner.datasync(), release]);
    },
  }));
  return { fs, held };
}

describe('AppendLog', () => {
  it('appends records, reads them back and replays them in order on reopen', async () => {
    const log = await AppendLog.open(logPath);
    const first = await appendStore(log, 1, 'one');
    const second = await appendStore(log, 2, 'two');
    expect(first).toBe(0);
    expect(second).toBe(storeRecordSize(3));
    const back = new Uint8Array(storeRecordSize(3));
    expect(log.readSync(back, second)).toBe(back.length);
    expect(decodeRecord(back)).toMatchObject({ type: 'store', id: 2n });
    await log.close();

    const { log: reopened, seen } = await replayAll();
    expect(seen.map((e) => e.offset)).toEqual([first, second]);
    expect(seen.map(payloadText)).toEqual(['one', 'two']);
    expect(reopened.size).toBe(2 * storeRecordSize(3));
    await reopened.close();
  });

  it('commits 64 concurrent fsync appends as two groups: the first syncs while the second is encoded', async () => {
    const log = await AppendLog.open(logPath);
    const before = log.stats();
    const offsets = await Promise.all(Array.from({ length: 64 }, (_, i) => appendStore(log, i, `value-${i}`)));
    const after = log.stats();
    // A burst is cut once it holds 32 appends; the rest of it shares the second write and fdatasync.
    expect(after.syncs - before.syncs).toBe(2);
    expect(after.writes - before.writes).toBe(2);
    expect(new Set(offsets).size).toBe(64);
    for (const [i, offset] of offsets.entries()) {
      const buf = new Uint8Array(storeRecordSize(`value-${i}`.length));
      log.readSync(buf, offset);
      const record = decodeRecord(buf);
      expect(record.type === 'store' && record.id).toBe(BigInt(i));
    }
    await log.close();
  });

  it('settles an append only after an fdatasync that started after its write, and lets a later sync cover earlier groups', async () => {
    const { fs, held } = heldSyncs();
    const log = await AppendLog.open(logPath, { fs });
    const settled: number[] = [];
    const burst = (from: number): Promise<number[]> =>
      Promise.all(
        Array.from({ length: 32 }, (_, i) =>
          appendStore(log, from + i, 'x').then((offset) => {
            settled.push(from + i);
            return offset;
          }),
        ),
      );
    const first = burst(0);
    const second = burst(100);
    // Both bursts are written and both syncs are under way; a third burst waits for a free sync.
    expect(held).toHaveLength(2);
    const third = burst(200);
    await new Promise((resolve) => setImmediate(resolve));
    expect(log.stats()).toMatchObject({ writes: 3, syncs: 2 });
    expect(settled).toEqual([]);

    // The second sync started after both bursts were written: it makes both durable, the first still running.
    held[1]?.release();
    await Promise.all([first, second]);
    expect(settled.filter((id) => id >= 200)).toEqual([]);
    expect(held).toHaveLength(3);
    held[0]?.release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled.filter((id) => id >= 200)).toEqual([]);
    held[2]?.release();
    await third;
    expect(settled).toHaveLength(96);
    await log.close();
  });

  it('cuts back a write that fails while an earlier group is syncing, and still settles that group', async () => {
    const { fs, held } = heldSyncs({ tearWriteSync: 2 });
    // The plan tears the second write: the first group's, with no preallocation write before it.
    const log = await AppendLog.open(logPath, { fs, preallocateBytes: 0 });
    const burst = (from: number, text: string): Promise<number>[] =>
      Array.from({ length: 32 }, (_, i) => appendStore(log, from + i, text));
    const first = Promise.all(burst(0, 'first'));
    const firstEnd = log.size;
    const second = await Promise.allSettled(burst(100, 'second'));
    for (const result of second) {
      expect(result.status).toBe('rejected');
      const reason: unknown = result.status === 'rejected' ? result.reason : undefined;
      expect(reason).toMatchObject({ name: 'LogWriteError', code: 'ENOSPC' });
    }
    // The torn half of the second group is gone; the first group, still syncing, is untouched.
    expect(log.size).toBe(firstEnd);
    expect(statSync(logPath).size).toBe(firstEnd);
    held[0]?.release();
    expect(new Set(await first).size).toBe(32);

    const after = appendStore(log, 999, 'after');
    while (held.length < 2) await new Promise((resolve) => setImmediate(resolve));
    held[1]?.release();
    expect(await after).toBe(firstEnd);
    await log.close();
    const { log: reopened, seen } = await replayAll();
    expect(seen.map(payloadText)).toEqual([...Array.from({ length: 32 }, () => 'first'), 'after']);
    expect(reopened.replay.truncatedBytes).toBe(0);
    await reopened.close();
  });

  it('groups appends that arrive while a sync is under way into the next commit', async () => {
    const log = await AppendLog.open(logPath);
    const firstWave = appendStore(log, 1, 'a');
    while (log.stats().writes === 0) await new Promise((resolve) => setImmediate(resolve));
    // The first group is being committed; these three wait and share the second group.
    const secondWave = Promise.all([2, 3, 4].map((id) => appendStore(log, id, 'b')));
    await Promise.all([firstWave, secondWave]);
    expect(log.stats()).toMatchObject({ writes: 2, syncs: 2 });
    await log.close();
  });

  it("lets timers run during a loop of awaited appends that settle without an fdatasync ('flush', 'none')", async () => {
    for (const durability of ['flush', 'none'] as const) {
      const log = await AppendLog.open(path.join(dir, `${durability}.log`), { durability, writeBehindBytes: 64 * 1024 });
      const timer = { fired: false };
      setTimeout(() => (timer.fired = true), 1);
      let appended = 0;
      // Were the settling all microtasks, the timer could never fire and the guard would end the loop.
      while (!timer.fired && appended < 100_000) await appendStore(log, appended++, 'x'.repeat(1000));
      expect(timer.fired, durability).toBe(true);
      await log.close();
    }
  });

  it('cuts a torn tail on open, keeps the cut bytes in a quarantine file, and later appends survive', async () => {
    const log = await AppendLog.open(logPath);
    await appendStore(log, 1, 'kept');
    await log.close();
    const torn = encodeStore(2, text('lost-in-a-crash')).subarray(0, 10);
    appendFileSync(logPath, torn);
    const sizeWithTail = statSync(logPath).size;

    const warnings: LogWarning[] = [];
    const repaired = await AppendLog.open(logPath, { onWarning: (w) => warnings.push(w) });
    expect(repaired.replay.truncatedBytes).toBe(10);
    expect(repaired.replay.end.stop).toBe('incomplete');
    expect(warnings.map((w) => w.code)).toEqual(['torn-tail']);
    const quarantine = repaired.replay.quarantinePath;
    expect(quarantine).toBeDefined();
    expect(new Uint8Array(readFileSync(quarantine!))).toEqual(torn);
    expect(statSync(logPath).size).toBe(sizeWithTail - 10);
    await appendStore(repaired, 3, 'after-repair');
    await repaired.close();

    const { log: again, seen } = await replayAll();
    expect(seen.map(payloadText)).toEqual(['kept', 'after-repair']);
    expect(again.replay.truncatedBytes).toBe(0);
    await again.close();
  });

  it('cuts the log at an unknown marker byte', async () => {
    const log = await AppendLog.open(logPath);
    await appendStore(log, 1, 'kept');
    await log.close();
    appendFileSync(logPath, Buffer.from([0x7f, 1, 2, 3]));
    const { log: repaired, seen } = await replayAll();
    expect(seen).toHaveLength(1);
    expect(repaired.replay.end.stop).toBe('unknown');
    expect(repaired.replay.truncatedBytes).toBe(4);
    await repaired.close();
  });

  it('skips a corrupt record in the middle with a warning and replays the records after it', async () => {
    const log = await AppendLog.open(logPath);
    await appendStore(log, 1, 'first');
    const bad = await appendStore(log, 2, 'second');
    await appendStore(log, 3, 'third');
    await log.close();
    const bytes = readFileSync(logPath);
    bytes[bad + 14] = bytes[bad + 14]! ^ 0x01;
    writeFileSync(logPath, bytes);

    const warnings: LogWarning[] = [];
    const { log: reopened, seen } = await replayAll({ onWarning: (w) => warnings.push(w) });
    expect(seen.map(payloadText)).toEqual(['first', 'third']);
    expect(reopened.replay.corruptRecords).toBe(1);
    expect(reopened.replay.truncatedBytes).toBe(0);
    expect(warnings).toEqual([expect.objectContaining({ code: 'corrupt-record', offset: bad })]);
    await reopened.close();
  });

  it('cuts trailing corrupt records, since the last valid record ends before them', async () => {
    const log = await AppendLog.open(logPath);
    await appendStore(log, 1, 'first');
    const last = await appendStore(log, 2, 'second');
    await log.close();
    const bytes = readFileSync(logPath);
    bytes[last + 13] = 0;
    writeFileSync(logPath, bytes);
    const { log: reopened, seen } = await replayAll();
    expect(seen.map(payloadText)).toEqual(['first']);
    expect(reopened.size).toBe(last);
    expect(reopened.replay.truncatedBytes).toBe(storeRecordSize('second'.length));
    await reopened.close();
  });

  it("settles at once with durability 'none', serves buffered bytes, and writes them in the background", async () => {
    // The file's size is watched to see the background write: no preallocated zeros in it.
    const log = await AppendLog.open(logPath, { durability: 'none', flushIntervalMs: 5, preallocateBytes: 0 });
    const offset = await appendStore(log, 7, 'buffered');
    expect(statSync(logPath).size).toBe(0);
    const buf = new Uint8Array(storeRecordSize('buffered'.length));
    log.readSync(buf, offset);
    expect(decodeRecord(buf)).toMatchObject({ type: 'store', id: 7n });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(statSync(logPath).size).toBe(buf.length);
    expect(log.stats().syncs).toBe(0);
    await log.close();
  });

  it('makes deferred appends durable on flush()', async () => {
    const log = await AppendLog.open(logPath, { flushIntervalMs: 60_000 });
    await appendStore(log, 1, 'x', { defer: true });
    await appendStore(log, 2, 'y', { defer: true });
    expect(log.stats().writtenBytes).toBe(0);
    await log.flush();
    const stats = log.stats();
    expect(stats.writtenBytes).toBe(2 * storeRecordSize(1));
    expect(stats.syncedBytes).toBe(stats.writtenBytes);
    expect(stats.syncs).toBe(1);
    await log.flush();
    expect(log.stats().syncs).toBe(1);
    await log.close();
  });

  it('writes behind a loop of settled appends that never yields, keeping buffered bytes bounded and order intact', async () => {
    const log = await AppendLog.open(logPath, { durability: 'none', flushIntervalMs: 60_000, writeBehindBytes: 4096 });
    const payload = 'x'.repeat(200);
    const settledOrder: number[] = [];
    let mostBuffered = 0;
    for (let id = 0; id < 500; id++) {
      // Awaiting only settled promises never lets the 60 s timer run: only write-behind can write.
      const offset = await appendStore(log, id, payload);
      settledOrder.push(offset);
      const stats = log.stats();
      mostBuffered = Math.max(mostBuffered, stats.size - stats.writtenBytes);
    }
    expect(log.stats().writtenBytes).toBeGreaterThan(0);
    expect(mostBuffered).toBeLessThanOrEqual(3 * 4096);
    expect(settledOrder).toEqual([...settledOrder].sort((a, b) => a - b));
    await log.close();
    const { log: reopened, seen } = await replayAll();
    expect(seen).toHaveLength(500);
    await reopened.close();
  });

  it('replays from a record boundary and refuses an offset that is not one', async () => {
    const log = await AppendLog.open(logPath);
    await appendStore(log, 1, 'one');
    const second = await appendStore(log, 2, 'two');
    await log.appendBytes(encodeDelete(1));
    await log.close();

    const { log: fromSecond, seen } = await replayAll({ replayFrom: second });
    expect(seen.map((e) => e.record.type)).toEqual(['store', 'delete']);
    expect(fromSecond.replay.from).toBe(second);
    await fromSecond.close();

    await expect(AppendLog.open(logPath, { replayFrom: second + 3 })).rejects.toBeInstanceOf(ReplayStartError);
    await expect(AppendLog.open(logPath, { replayFrom: 10_000 })).rejects.toThrow(/only \d+ bytes long/);
  });

  it('opens read-only without repairing, and refuses appends', async () => {
    const log = await AppendLog.open(logPath);
    await appendStore(log, 1, 'kept');
    await log.close();
    appendFileSync(logPath, Buffer.from([0xc3, 0, 0]));
    const size = statSync(logPath).size;

    const { log: readOnly, seen } = await replayAll({ readOnly: true });
    expect(seen).toHaveLength(1);
    expect(readOnly.replay.end.stop).toBe('incomplete');
    expect(statSync(logPath).size).toBe(size);
    expect(() => readOnly.append(1, () => undefined)).toThrow(LogReadOnlyError);
    await readOnly.close();

    const missing = await AppendLog.open(path.join(dir, 'missing.log'), { readOnly: true });
    expect(missing.size).toBe(0);
    expect(readdirSync(dir)).not.toContain('missing.log');
    await missing.close();
  });

  it('holds appends made during runExclusive and sends them to the replaced file', async () => {
    const log = await AppendLog.open(logPath);
    await appendStore(log, 1, 'old-file');
    const nextPath = path.join(dir, 'next.log');
    let held: Promise<number> | undefined;
    await log.runExclusive(async () => {
      held = appendStore(log, 2, 'new-file');
      const handle = await nodeFileSystem.open(nextPath, 'create');
      await log.replaceFile(nextPath, handle, 0);
    });
    expect(await held).toBe(0);
    expect(log.path).toBe(nextPath);
    await log.close();
    const seenNext: ScanEntry[] = [];
    const next = await AppendLog.open(nextPath, { onRecord: (e) => seenNext.push(e) });
    expect(seenNext.map(payloadText)).toEqual(['new-file']);
    await next.close();
  });

  it('appendFor tells its waiter once, with the offset; throws and tells nothing when it cannot append; holds an append made during runExclusive', async () => {
    const log = await AppendLog.open(logPath);
    const told: string[] = [];
    const waiter = (name: string) => ({
      appended: (offset: number) => told.push(`${name} appended at ${offset}`),
      failed: (error: Error) => told.push(`${name} failed: ${error.name}`),
    });
    const bytes = text('one');
    const size = storeRecordSize(bytes.length);
    log.appendFor(waiter('first'), size, (buf, at) => encodeStoreInto(buf, at, 1, bytes));
    log.appendFor(waiter('second'), size, (buf, at) => encodeStoreInto(buf, at, 2, bytes));
    expect(() => {
      log.appendFor(waiter('broken'), size, () => {
        throw new Error('encode failed');
      });
    }).toThrow('encode failed');
    await log.flush();
    expect(told).toEqual(['first appended at 0', `second appended at ${size}`]);
    // A deferred append is told once placed, on a later microtask, not inside the call.
    log.appendFor(waiter('deferred'), size, (buf, at) => encodeStoreInto(buf, at, 5, bytes), { defer: true });
    expect(told).toHaveLength(2);
    await log.flush();
    expect(told.splice(2)).toEqual([`deferred appended at ${2 * size}`]);

    let release!: () => void;
    const exclusive = log.runExclusive(() => new Promise<void>((resolve) => (release = resolve)));
    await new Promise((resolve) => setImmediate(resolve));
    log.appendFor(waiter('held'), size, (buf, at) => encodeStoreInto(buf, at, 3, bytes));
    const closing = log.close();
    release();
    await exclusive;
    await closing;
    await new Promise((resolve) => setImmediate(resolve));
    // The close waited its turn behind the held append, which it then made durable.
    expect(told.slice(2)).toEqual([`held appended at ${3 * size}`]);
    expect(() => {
      log.appendFor(waiter('late'), size, (buf, at) => encodeStoreInto(buf, at, 4, bytes));
    }).toThrow(LogClosedError);
    expect(told).toHaveLength(3);
  });

  it('cuts a failed write back, rejects its waiters with the errno, and stays usable', async () => {
    const fs = failingFs({ write: ['ENOSPC'] });
    const log = await AppendLog.open(logPath, { fs });
    const failed = await Promise.allSettled([appendStore(log, 1, 'a'), appendStore(log, 2, 'b')]);
    for (const result of failed) {
      expect(result.status).toBe('rejected');
      const reason: unknown = result.status === 'rejected' ? result.reason : undefined;
      expect(reason).toBeInstanceOf(LogWriteError);
      expect((reason as LogWriteError).code).toBe('ENOSPC');
    }
    expect(log.size).toBe(0);
    expect(await appendStore(log, 3, 'c')).toBe(0);
    await log.close();
    const { log: reopened, seen } = await replayAll();
    expect(seen.map(payloadText)).toEqual(['c']);
    await reopened.close();
  });

  it('refuses further use after a failed fdatasync, and reopening recovers what reached the disk', async () => {
    const fs = failingFs({ datasync: ['', 'EIO'] });
    const log = await AppendLog.open(logPath, { fs });
    await appendStore(log, 1, 'durable');
    await expect(appendStore(log, 2, 'unknown-fate')).rejects.toBeInstanceOf(LogFailedError);
    expect(() => log.append(1, () => undefined)).toThrow(LogFailedError);
    await log.close();
    const { log: reopened, seen } = await replayAll();
    expect(payloadText(seen[0])).toBe('durable');
    await reopened.close();
  });

  it('fails a deferred write that cannot be written, since it was already acknowledged', async () => {
    const fs = failingFs({ write: ['EIO'] });
    const warnings: LogWarning[] = [];
    const log = await AppendLog.open(logPath, { fs, onWarning: (w) => warnings.push(w) });
    await appendStore(log, 1, 'acknowledged', { defer: true });
    await expect(log.flush()).rejects.toBeInstanceOf(LogFailedError);
    expect(warnings.map((w) => w.code)).toEqual(['background-flush-failed']);
    await log.close();
  });

  it('throws LogClosedError after close', async () => {
    const log = await AppendLog.open(logPath);
    await log.close();
    expect(() => log.append(1, () => undefined)).toThrow(LogClosedError);
    expect(() => log.readSync(new Uint8Array(1), 0)).toThrow(LogClosedError);
  });
});
